import { allocateOutput } from '../../buffer-pool.ts';
import { CONV_JOB } from './direct-conv-module.ts';
import { JOB_KIND } from './gemm-module.ts';
import { OPERANDS_OFFSET, gemmRuntime, reserveOperands, runPieces } from './runtime.ts';
import type { WorkerPool } from '../threads/pool.ts';
import { noteResident } from './resident.ts';

/** A one-channel convolution for directConv (see direct-conv-module.ts): images [n, height, width], kernel [kh·kw, filters]. */
export interface DirectConvProblem {
  x: Float32Array;
  w: Float32Array;
  bias: Float32Array;
  images: number;
  height: number;
  width: number;
  kh: number;
  kw: number;
  filters: number;
  relu: boolean;
}

/** Pieces per thread when the images are split, as for the GEMM: a thread slowed by other work is waited on less. */
const PIECES_PER_THREAD = 2;

const align64 = (bytes: number) => Math.ceil(bytes / 64) * 64;

/**
 * The convolution in the GEMM module's memory, its images split over `threads` threads on `pool` when given (else
 * on the calling thread), into a Float32Array from allocateOutput [images, outH, outW, filters]; undefined without
 * WebAssembly SIMD, for filters not a multiple of 4, or when the operands do not fit. The same bits as the affine
 * primitive on the unfolded image, for any thread count (see direct-conv-module.ts). The output stays resident
 * (resident.ts), so a max pooling right after reads it in place.
 */
export function wasmDirectConv(p: DirectConvProblem, pool?: WorkerPool, threads = 1, rt = gemmRuntime()): Float32Array | undefined {
  const { images, height, width, kh, kw, filters } = p;
  if (rt === null || filters % 4 !== 0) return undefined;
  const outH = height - kh + 1;
  const outW = width - kw + 1;
  const xOff = OPERANDS_OFFSET;
  const wOff = xOff + align64(4 * p.x.length);
  const bOff = wOff + align64(4 * p.w.length);
  const yOff = bOff + align64(4 * filters);
  const size = images * outH * outW * filters;
  if (!reserveOperands(rt, yOff - xOff + 4 * size)) return undefined;
  const heap = new Float32Array(rt.memory.buffer);
  heap.set(p.x, xOff >> 2);
  heap.set(p.w, wOff >> 2);
  heap.set(p.bias, bOff >> 2);
  const span = pool ? Math.ceil(images / (PIECES_PER_THREAD * threads)) : images;
  const words = { x: xOff, w: wOff, bias: bOff, y: yOff, height, width, outH, outW, kh, kw, filters, relu: p.relu ? 1 : 0, images, span };
  runPieces(rt, JOB_KIND.directConv, CONV_JOB, words, images, span, pool);
  const y = allocateOutput('float32', size) as Float32Array;
  y.set(heap.subarray(yOff >> 2, (yOff >> 2) + size));
  noteResident(rt, y, yOff);
  return y;
}
