import { allocateOutput } from '../../buffer-pool.ts';
import { CONV_GRAD_JOB, GRAD_TAPS } from './direct-conv-grad-module.ts';
import { JOB_KIND } from './gemm-module.ts';
import { OPERANDS_OFFSET, SCRATCH_OFFSET, SCRATCH_STRIDE, gemmRuntime, growPastResident, reserveOperands, runPieces } from './runtime.ts';
import { residentEnd, residentOffset } from './resident.ts';
import type { WorkerPool } from '../threads/pool.ts';
import type { DirectConvProblem } from './direct-conv.ts';

/** A one-channel convolution's gradients for directConvGrad: its images and window, g and y [n, outH, outW, filters]. */
export interface DirectConvGradProblem extends Omit<DirectConvProblem, 'w' | 'bias'> {
  g: Float32Array;
  /** The convolution's output, whose mask (y > 0) gz takes with relu; unread without. */
  y: Float32Array;
}

/** Pieces per thread, as for the GEMM: a thread slowed by other work is waited on less. */
const PIECES_PER_THREAD = 2;

/** Filter vectors in a 64-byte cache line: pieces of whole lines of g and y do not share a line. */
const LINE_VECTORS = 4;

const align64 = (bytes: number) => Math.ceil(bytes / 64) * 64;

/**
 * convAffineGrad of a one-channel convolution at stride 1 without dilation in the GEMM module's memory: x copied in,
 * g and y too unless both are resident there (a maxPoolGrad's output and input: read in place), then directConvGrad
 * (direct-conv-grad-module.ts) on pieces of filter vectors split over `threads` threads of `pool` (else on the
 * calling thread), into [kh·kw + 1, filters]: the bits of convFilterGrad(x, gz) on the GEMM and sum(gz) for any
 * thread count. Undefined for filters not a multiple of 4, more than GRAD_TAPS taps,
 * no pixels, without the GEMM runtime, or when the operands do not fit.
 */
export function wasmDirectConvGrad(p: DirectConvGradProblem, pool?: WorkerPool, threads = 1, rt = gemmRuntime()): Float32Array | undefined {
  const { images, height, width, kh, kw, filters } = p;
  const [outH, outW] = [height - kh + 1, width - kw + 1];
  const rows = images * outH * outW;
  if (rt === null || filters % 4 !== 0 || kh * kw > GRAD_TAPS || rows < 1) return undefined;
  const size = (kh * kw + 1) * filters;
  // g and y where a maxPoolGrad left them (resident.ts), then x and the output past them; else all copied in.
  const gRes = residentOffset(rt, p.g);
  const yRes = p.relu ? residentOffset(rt, p.y) : gRes;
  const inPlace = gRes !== undefined && yRes !== undefined;
  const xOff = inPlace ? align64(residentEnd(rt)) : OPERANDS_OFFSET;
  const gOff = inPlace ? gRes : xOff + align64(4 * p.x.length);
  const yOff = inPlace ? yRes : gOff + align64(4 * p.g.length);
  const outOff = inPlace ? xOff + align64(4 * p.x.length) : yOff + (p.relu ? align64(4 * p.y.length) : 0);
  const fits = inPlace ? growPastResident(rt, outOff + 4 * size) : reserveOperands(rt, outOff - xOff + 4 * size);
  if (!fits) return undefined;
  const heap = new Float32Array(rt.memory.buffer);
  heap.set(p.x, xOff >> 2);
  if (!inPlace) heap.set(p.g, gOff >> 2);
  if (!inPlace && p.relu) heap.set(p.y, yOff >> 2);
  const vectors = filters / 4;
  const wanted = Math.ceil(vectors / (PIECES_PER_THREAD * threads));
  const span = pool ? Math.min(vectors, Math.ceil(wanted / LINE_VECTORS) * LINE_VECTORS) : vectors;
  const words = { x: xOff, g: gOff, y: yOff, out: outOff, width, outH, outW, kh, kw, filters, relu: p.relu ? 1 : 0, rows, vectors, span, scratch: SCRATCH_OFFSET, scratchStride: SCRATCH_STRIDE };
  runPieces(rt, JOB_KIND.directConvGrad, CONV_GRAD_JOB, words, vectors, span, pool);
  const out = allocateOutput('float32', size) as Float32Array;
  out.set(heap.subarray(outOff >> 2, (outOff >> 2) + size));
  return out;
}
