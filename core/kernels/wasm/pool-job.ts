import { allocateOutput } from '../../buffer-pool.ts';
import { JOB_KIND } from './gemm-module.ts';
import { POOL_JOB } from './pool-module.ts';
import { noteResident, residentOffset } from './resident.ts';
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
  const stride = 4 * width * channels;
  const words = { x: xOff, y: yOff, images, outH, B, C: channels, stride, imageBytes: height * stride, span: spanOf(images, pool, threads), g: 0, dx: 0 };
  runPieces(rt, JOB_KIND.maxPool, POOL_JOB, words, images, words.span, pool);
  const y = allocateOutput('float32', size) as Float32Array;
  y.set(new Float32Array(rt.memory.buffer, yOff, size));
  return y;
}

/**
 * maxPoolGrad for 2×2 windows of x [N, H, W, C] (y its max pooling, g y's cotangent) in the GEMM module's memory: x,
 * y and g copied in, the images split over `threads` threads of `pool` (else on the calling thread), the elementwise
 * module's maxGrad on each image reading and writing the rows and columns of whole windows in place; the last row
 * and column of an odd size (no window's) get +0. The bits of maxGrad on the crop, then the pad, for any thread
 * count. x and (for even sizes, whose every element a window writes) dx stay resident (resident.ts), so the
 * convolution's gradients after it read them in place. Undefined without the GEMM runtime or when they do not fit.
 */
export function wasmMaxPoolGrad2x2(x: Float32Array, y: Float32Array, g: Float32Array, [images, height, width, channels]: readonly number[], pool?: WorkerPool, threads = 1, rt = gemmRuntime()): Float32Array | undefined {
  if (rt === null) return undefined;
  const [outH, B] = [height >> 1, width >> 1];
  // Each operand with a vector of room past it for the reads of a partial vector's tail.
  const xOff = OPERANDS_OFFSET;
  const yOff = align64(xOff + 4 * x.length + 16);
  const gOff = align64(yOff + 4 * y.length + 16);
  const dxOff = align64(gOff + 4 * g.length + 16);
  if (!reserveOperands(rt, dxOff + 4 * x.length + 16 - OPERANDS_OFFSET)) return undefined;
  const heap = new Float32Array(rt.memory.buffer);
  heap.set(x, xOff >> 2);
  heap.set(y, yOff >> 2);
  heap.set(g, gOff >> 2);
  const stride = 4 * width * channels;
  const words = { x: xOff, y: yOff, images, outH, B, C: channels, stride, imageBytes: height * stride, span: spanOf(images, pool, threads), g: gOff, dx: dxOff };
  runPieces(rt, JOB_KIND.maxPoolGrad, POOL_JOB, words, images, words.span, pool);
  const dx = allocateOutput('float32', x.length) as Float32Array;
  dx.set(heap.subarray(dxOff >> 2, (dxOff >> 2) + x.length));
  noteResident(rt, x, xOff);
  if (height % 2 === 0 && width % 2 === 0) noteResident(rt, dx, dxOff);
  else zeroPastWindows(dx, images, height, width, channels);
  return dx;
}

function spanOf(images: number, pool: WorkerPool | undefined, threads: number): number {
  return pool ? Math.ceil(images / (PIECES_PER_THREAD * threads)) : images;
}

/** +0 in the last column of an odd width and the last row of an odd height of each image (no 2×2 window reads them). */
function zeroPastWindows(dx: Float32Array, images: number, height: number, width: number, channels: number): void {
  const row = width * channels;
  for (let n = 0; n < images; n++) {
    const image = n * height * row;
    if (width % 2 === 1) for (let h = 0; h < height; h++) dx.fill(0, image + h * row + row - channels, image + (h + 1) * row);
    if (height % 2 === 1) dx.fill(0, image + (height - 1) * row, image + height * row);
  }
}
