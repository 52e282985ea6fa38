import { allocate, allocateOutput } from '../../buffer-pool.ts';
import type { TypedArray } from '../../dtype.ts';
import { sizeOf, stridesOf } from '../../shape.ts';
import type { Shape } from '../../shape.ts';
import type { Kernel } from '../kernel.ts';
import { concatWith } from '../movement.ts';
import type { Run } from './layout.ts';
import { runStrides, runsOf } from './layout.ts';

/** Below this many elements a plain loop beats the call into set/fill/copyWithin. */
const NATIVE_MIN = 48;

/** Copies n elements; same dtype on both sides, so set() is a byte copy. */
export function copyRange(src: TypedArray, s: number, dst: TypedArray, d: number, n: number): void {
  if (n >= NATIVE_MIN) {
    dst.set(src.subarray(s, s + n), d);
    return;
  }
  for (let j = 0; j < n; j++) dst[d + j] = src[s + j];
}

/**
 * expand as tiling: a kept run copies its sub-blocks, a broadcast run writes its first sub-block once and then
 * doubles it with copyWithin (log2 copies) — a bias [C] grown to [N,H,W,C] is a handful of memcpys.
 */
export const fastExpand: Kernel<'expand'> = ([x], [shape], _params, out) => {
  const y = allocateOutput(out.dtype, sizeOf(out.shape));
  if (y.length === 0) return y;
  const runs = runsOf(out.shape, shape);
  if (runs.length === 0) {
    y[0] = x[0];
    return y;
  }
  const { big, small } = runStrides(runs);
  expandRun(x, y, runs, big, small, 0, 0, 0);
  return y;
};

function expandRun(
  x: TypedArray, y: TypedArray, runs: readonly Run[], big: readonly number[], small: readonly number[],
  k: number, src: number, dst: number,
): void {
  const { size, spread } = runs[k];
  if (k === runs.length - 1) {
    if (!spread) copyRange(x, src, y, dst, size);
    else if (size >= NATIVE_MIN) y.fill(x[src], dst, dst + size);
    else for (let j = 0; j < size; j++) y[dst + j] = x[src];
    return;
  }
  const block = big[k];
  if (spread) {
    expandRun(x, y, runs, big, small, k + 1, src, dst);
    repeatBlock(y, dst, block, size);
    return;
  }
  for (let i = 0; i < size; i++) expandRun(x, y, runs, big, small, k + 1, src + i * small[k], dst + i * block);
}

/** y[dst, dst + block) is written; make `count` copies of it back to back by doubling. */
function repeatBlock(y: TypedArray, dst: number, block: number, count: number): void {
  const total = block * count;
  for (let done = block; done < total;) {
    const n = Math.min(done, total - done);
    if (n >= NATIVE_MIN) y.copyWithin(dst + done, dst, dst + n);
    else for (let j = 0; j < n; j++) y[dst + done + j] = y[dst + j];
    done += n;
  }
}

/**
 * Copies a `shape`-sized block between two strided layouts whose trailing axes are contiguous on both sides:
 * those axes merge into one row, and each row is one copyRange.
 */
function copyBlock(
  src: TypedArray, srcOffset: number, srcStrides: readonly number[],
  dst: TypedArray, dstOffset: number, dstStrides: readonly number[], shape: Shape,
): void {
  if (sizeOf(shape) === 0) return;
  let row = 1;
  let outer = shape.length - 1;
  while (outer >= 0 && srcStrides[outer] === row && dstStrides[outer] === row) row *= shape[outer--];
  const index = new Array<number>(outer + 1).fill(0);
  let s = srcOffset;
  let d = dstOffset;
  for (;;) {
    copyRange(src, s, dst, d, row);
    let axis = outer;
    for (; axis >= 0; axis--) {
      s += srcStrides[axis];
      d += dstStrides[axis];
      if (++index[axis] < shape[axis]) break;
      s -= srcStrides[axis] * shape[axis];
      d -= dstStrides[axis] * shape[axis];
      index[axis] = 0;
    }
    if (axis < 0) return;
  }
}

export const fastPad: Kernel<'pad'> = ([x], [shape], { pads, value }, out) => {
  const y = allocate(out.dtype, sizeOf(out.shape));
  if (!Object.is(value, 0)) y.fill(value);
  const outStrides = stridesOf(out.shape);
  const offset = pads.reduce((acc, [lo], axis) => acc + lo * outStrides[axis], 0);
  copyBlock(x, 0, stridesOf(shape), y, offset, outStrides, shape);
  return y;
};

export const fastSlice: Kernel<'slice'> = ([x], [shape], { begin }, out) => {
  const y = allocateOutput(out.dtype, sizeOf(out.shape));
  const inStrides = stridesOf(shape);
  const offset = begin.reduce((acc, b, axis) => acc + b * inStrides[axis], 0);
  copyBlock(x, offset, inStrides, y, 0, stridesOf(out.shape), out.shape);
  return y;
};

/** Each input's slab of an output row is contiguous: one copyRange per row instead of an element loop. */
export const fastConcat = concatWith(copyBlock);
