import { allocateOutput } from '../../buffer-pool.ts';
import { JOB_KIND } from './gemm-module.ts';
import { POOL_JOB } from './pool-module.ts';
import { residentOffset } from './resident.ts';
import { OPERANDS_OFFSET, gemmRuntime, reserveOperands, runPieces } from './runtime.ts';
import type { WorkerPool } from '../threads/pool.ts';

/** Pieces per thread, as for the GEMM: a thread slowed by other work is waited on less. */
const PIECES_PER_THREAD = 2;

const align64 = (bytes: number) => Math.ceil(bytes / 64) * 64;

/**
 * 2×2 max pooling at stride 2 of x [N, H, W, C] where x is still resident in the GEMM module's memory (a
 * convolution's output, resident.ts): no copy in, the images split over `threads` threads of `pool` (else on the
 * calling thread), the elementwise module's maxPool on each image, reading the rows and columns of whole windows
 * in place (odd sizes need no crop), so its bits for any thread count. Undefined when x is not resident or the
 * output does not fit.
 */
export function wasmResidentMaxPool2x2(x: Float32Array, [images, height, width, channels]: readonly number[], pool?: WorkerPool, threads = 1, rt = gemmRuntime()): Float32Array | undefined {
  if (rt === null) return undefined;
  const xOff = residentOffset(rt, x);
  if (xOff === undefined) return undefined;
  const [outH, B] = [height >> 1, width >> 1];
  const size = images * outH * B * channels;
  // After x, with a vector of room past the output for the reads of a partial vector's tail.
  const yOff = align64(xOff + 4 * x.length + 16);
  if (!reserveOperands(rt, yOff + 4 * size + 16 - OPERANDS_OFFSET)) return undefined;
  const span = pool ? Math.ceil(images / (PIECES_PER_THREAD * threads)) : images;
  const stride = 4 * width * channels;
  const words = { x: xOff, y: yOff, images, outH, B, C: channels, stride, imageBytes: height * stride, span };
  runPieces(rt, JOB_KIND.maxPool, POOL_JOB, words, images, span, pool);
  const y = allocateOutput('float32', size) as Float32Array;
  y.set(new Float32Array(rt.memory.buffer, yOff, size));
  return y;
}
