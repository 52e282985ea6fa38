import { CONV_GEMM_JOB, CONV_GEMM_WORDS } from './conv-gemm-module.ts';
import { EPILOGUE, JOB, JOB_WORDS } from './gemm-kernel.ts';
import { JOB_KIND } from './gemm-module.ts';
import { copyOut, packAllB } from './gemm.ts';
import { BLOCKING, JOB_OFFSET, MAX_THREADS, OPERANDS_OFFSET, SCRATCH_OFFSET, SCRATCH_STRIDE, gemmRuntime, reserveOperands, writeJob } from './runtime.ts';
import type { WorkerPool } from '../threads/pool.ts';
import { noteResident } from './resident.ts';

/** A convolution unfold(x)·W + bias (then relu) of NHWC float32 images, as the convAffine primitive takes it. */
export interface ConvGemmProblem {
  x: Float32Array;
  /** [images, height, width, channels] */
  shape: readonly number[];
  /** [kh·kw·channels, filters] */
  w: Float32Array;
  bias: Float32Array;
  kernel: readonly [number, number];
  strides: readonly [number, number];
  dilations: readonly [number, number];
  outH: number;
  outW: number;
  filters: number;
  relu: boolean;
}

/** Bytes of patch rows a thread unfolds at a time: with the packed panels, they stay in its L2. */
const ROW_BLOCK_BYTES = 256 * 1024;

/** Pieces per thread, as for the GEMM: a thread slowed by other work is waited on less. */
const PIECES_PER_THREAD = 2;

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;
const align64 = (bytes: number) => roundUp(bytes, 64);

/**
 * The convolution as an implicit GEMM: only x and W are copied in; each thread unfolds blocks of patch rows into a
 * scratch of its own and multiplies them there (convGemmChunk in conv-gemm-module.ts), so the kh·kw times larger
 * patch matrix is never written whole nor unfolded on one thread first. Rows are split over `threads` threads on
 * `pool` when given. The same bits as the GEMM on the unfolded patches, for any thread count; undefined when the
 * operands do not fit or the engine has no SIMD.
 */
export function wasmConvGemm(p: ConvGemmProblem, pool?: WorkerPool, threads = 1, rt = gemmRuntime()): Float32Array | undefined {
  if (!rt) return undefined;
  const { mr, nr, kc, mc } = BLOCKING;
  const [images, height, width, channels] = p.shape;
  const [kh, kw] = p.kernel;
  const n = p.filters;
  const k = kh * kw * channels;
  const m = images * p.outH * p.outW;
  const ldc = roundUp(n, nr);
  const mPad = roundUp(m, mr);
  const rowBlock = Math.max(mr, Math.floor(ROW_BLOCK_BYTES / (4 * k * mr)) * mr);
  const xOff = OPERANDS_OFFSET;
  const wOff = xOff + align64(4 * p.x.length);
  const biasOff = wOff + align64(4 * p.w.length);
  const cOff = biasOff + align64(4 * ldc);
  const unfoldOff = cOff + align64(4 * mPad * ldc);
  const unfoldStride = align64(4 * rowBlock * k);
  // W packed once for every row block of every piece, instead of once per block.
  const prepackOff = unfoldOff + MAX_THREADS * unfoldStride;
  if (!reserveOperands(rt, prepackOff + 4 * k * roundUp(n, nr) - xOff)) return undefined;
  const heap = new Float32Array(rt.memory.buffer);
  heap.set(p.x, xOff >> 2);
  heap.set(p.w, wOff >> 2);
  // Padded with zeros to whole tiles, as C is (see wasmGemm).
  heap.set(p.bias, biasOff >> 2);
  heap.fill(0, (biasOff >> 2) + n, (biasOff >> 2) + ldc);
  const span = pool ? roundUp(Math.ceil(m / (PIECES_PER_THREAD * threads)), mr) : m;
  const job = new Int32Array(JOB_WORDS);
  job[JOB.kind] = JOB_KIND.convGemm;
  job[JOB.b] = wOff;
  job[JOB.c] = cOff;
  job[JOB.aRow] = 4 * k;
  job[JOB.aDepth] = 4;
  job[JOB.bCol] = 4;
  job[JOB.bDepth] = 4 * n;
  job[JOB.ldc] = 4 * ldc;
  job[JOB.k] = k;
  job[JOB.m] = m;
  job[JOB.n] = n;
  job[JOB.span] = span;
  job[JOB.scratch] = SCRATCH_OFFSET;
  job[JOB.scratchStride] = SCRATCH_STRIDE;
  job[JOB.packedB] = 4 * mc * kc;
  job[JOB.bias] = biasOff;
  job[JOB.epilogue] = p.relu ? EPILOGUE.biasRelu : EPILOGUE.bias;
  job[JOB.prepackedB] = prepackOff;
  writeJob(rt, job);
  packAllB(rt)(JOB_OFFSET);
  const geometry: Record<keyof typeof CONV_GEMM_JOB, number> = {
    x: xOff, height, width, channels, outH: p.outH, outW: p.outW, kh, kw, sh: p.strides[0], sw: p.strides[1],
    dh: p.dilations[0], dw: p.dilations[1], rowBlock, unfold: unfoldOff, unfoldStride,
  };
  const words = new Int32Array(rt.memory.buffer, JOB_OFFSET, CONV_GEMM_WORDS);
  for (const [key, value] of Object.entries(geometry)) words[CONV_GEMM_JOB[key as keyof typeof CONV_GEMM_JOB]] = value;
  const pieces = Math.ceil(m / span);
  if (pool && pieces > 1) pool.run(JOB_OFFSET, pieces);
  else for (let q = 0; q < pieces; q++) rt.chunk(JOB_OFFSET, q, 0);
  const y = copyOut(heap, cOff >> 2, 1, m, n, mPad, ldc);
  // Rows of whole tiles: C holds y as it is, so a max pooling right after can read it in place.
  if (ldc === n) noteResident(rt, y, cOff);
  return y;
}
