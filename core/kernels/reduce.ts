import { allocate } from '../buffer-pool.ts';
import { sizeOf, stridesOf } from '../shape.ts';
import type { Shape } from '../shape.ts';
import type { Kernel } from './kernel.ts';
import { stridedOffsets } from './strided.ts';

/** Where each input element lands in the kept-dims output: strides are 0 on reduced axes. */
export function outputOffsets(inShape: Shape, outShape: Shape): Int32Array {
  const strides = stridesOf(outShape).map((s, axis) => (outShape[axis] === 1 && inShape[axis] !== 1 ? 0 : s));
  return stridedOffsets(inShape, strides);
}

export const sumKernel: Kernel<'sum'> = ([x], [shape], _params, out) => {
  const y = allocate(out.dtype, sizeOf(out.shape));
  const offsets = outputOffsets(shape, out.shape);
  for (let i = 0; i < x.length; i++) y[offsets[i]] += x[i];
  return y;
};

/** NaN propagates: a comparison with NaN is false, so `!(v <= m)` takes a NaN, and once m is NaN it stays. */
export const maxKernel: Kernel<'max'> = ([x], [shape], _params, out) => {
  const y = allocate(out.dtype, sizeOf(out.shape)).fill(-Infinity);
  const offsets = outputOffsets(shape, out.shape);
  for (let i = 0; i < x.length; i++) {
    const o = offsets[i];
    if (!(x[i] <= y[o]) && y[o] === y[o]) y[o] = x[i];
  }
  return y;
};
