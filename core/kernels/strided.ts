import type { Shape } from '../shape.ts';
import { sizeOf } from '../shape.ts';

type Numbers = { [i: number]: number };

/**
 * Copies a `shape`-sized block from src to dst, each side addressed by an offset and per-axis strides.
 * Every movement kernel (permute, expand, slice, pad, concat) is one call of this.
 */
export function copyStrided(
  src: Numbers, srcOffset: number, srcStrides: readonly number[],
  dst: Numbers, dstOffset: number, dstStrides: readonly number[],
  shape: Shape,
): void {
  if (sizeOf(shape) === 0) return;
  const rank = shape.length;
  if (rank === 0) {
    dst[dstOffset] = src[srcOffset];
    return;
  }
  const last = rank - 1;
  const n = shape[last];
  const ss = srcStrides[last];
  const ds = dstStrides[last];
  const index = new Array<number>(rank).fill(0);
  let s = srcOffset;
  let d = dstOffset;
  for (;;) {
    for (let i = 0; i < n; i++) dst[d + i * ds] = src[s + i * ss];
    let axis = last - 1;
    for (; axis >= 0; axis--) {
      index[axis]++;
      s += srcStrides[axis];
      d += dstStrides[axis];
      if (index[axis] < shape[axis]) break;
      s -= srcStrides[axis] * shape[axis];
      d -= dstStrides[axis] * shape[axis];
      index[axis] = 0;
    }
    if (axis < 0) return;
  }
}

/**
 * Visits every element of `shape` (row-major) with its offset under `strides`, in order.
 * Used by reductions, which read contiguously and write through strides that are 0 on reduced axes.
 */
export function stridedOffsets(shape: Shape, strides: readonly number[]): Int32Array {
  const total = sizeOf(shape);
  const offsets = new Int32Array(total);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let flat = 0; flat < total; flat++) {
    offsets[flat] = offset;
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      offset += strides[axis];
      if (index[axis] < shape[axis]) break;
      offset -= strides[axis] * shape[axis];
      index[axis] = 0;
    }
  }
  return offsets;
}
