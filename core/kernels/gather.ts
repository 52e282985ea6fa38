import { allocate, allocateOutput } from '../buffer-pool.ts';
import { sizeOf } from '../shape.ts';
import type { Shape } from '../shape.ts';
import type { Kernel } from './kernel.ts';

/** x viewed as [outer, n, inner] around `axis`. */
function around(shape: Shape, axis: number): { outer: number; n: number; inner: number } {
  return { outer: sizeOf(shape.slice(0, axis)), n: shape[axis], inner: sizeOf(shape.slice(axis + 1)) };
}

/** Blocks at least this long are copied natively; shorter ones by a loop, which beats making a subarray. */
const NATIVE_MIN = 32;

/** y[o, k, i] = x[o, indices[k], i]: one block copy per (o, k). The op has checked every index is in range. */
export const gatherKernel: Kernel<'gather'> = ([x, indices], [shape], { axis }, out) => {
  const { outer, n, inner } = around(shape, axis);
  const y = allocateOutput(out.dtype, sizeOf(out.shape)); // every element is written
  let d = 0;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < indices.length; k++) {
      const s = (o * n + indices[k]) * inner;
      if (inner >= NATIVE_MIN) y.set(x.subarray(s, s + inner), d);
      else for (let i = 0; i < inner; i++) y[d + i] = x[s + i];
      d += inner;
    }
  }
  return y;
};

/** y[o, indices[k], i] += u[o, k, i], in increasing k, so repeated indices accumulate. */
export const scatterAddKernel: Kernel<'scatterAdd'> = ([u, indices], [shape], { axis, size }, out) => {
  const { outer, inner } = around(shape, axis);
  const y = allocate(out.dtype, sizeOf(out.shape));
  let s = 0;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < indices.length; k++) {
      const d = (o * size + indices[k]) * inner;
      for (let i = 0; i < inner; i++) y[d + i] += u[s + i];
      s += inner;
    }
  }
  return y;
};
