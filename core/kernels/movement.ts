import { allocate, allocateOutput } from '../buffer-pool.ts';
import type { TypedArray } from '../dtype.ts';
import type { Shape } from '../shape.ts';
import { sizeOf, stridesOf } from '../shape.ts';
import type { Kernel } from './kernel.ts';
import { copyStrided } from './strided.ts';

export const permuteKernel: Kernel<'permute'> = ([x], [shape], { perm }, out) => {
  const y = allocate(out.dtype, x.length);
  const inStrides = stridesOf(shape);
  copyStrided(x, 0, perm.map((p) => inStrides[p]), y, 0, stridesOf(out.shape), out.shape);
  return y;
};

/** Broadcast dims (1 -> n) read with stride 0. */
export const expandKernel: Kernel<'expand'> = ([x], [shape], _params, out) => {
  const y = allocate(out.dtype, sizeOf(out.shape));
  const inStrides = stridesOf(shape).map((s, axis) => (shape[axis] === 1 ? 0 : s));
  copyStrided(x, 0, inStrides, y, 0, stridesOf(out.shape), out.shape);
  return y;
};

export const padKernel: Kernel<'pad'> = ([x], [shape], { pads, value }, out) => {
  const y = allocate(out.dtype, sizeOf(out.shape)).fill(value);
  const outStrides = stridesOf(out.shape);
  const offset = pads.reduce((acc, [lo], axis) => acc + lo * outStrides[axis], 0);
  copyStrided(x, 0, stridesOf(shape), y, offset, outStrides, shape);
  return y;
};

export const sliceKernel: Kernel<'slice'> = ([x], [shape], { begin }, out) => {
  const y = allocate(out.dtype, sizeOf(out.shape));
  const inStrides = stridesOf(shape);
  const offset = begin.reduce((acc, b, axis) => acc + b * inStrides[axis], 0);
  copyStrided(x, offset, inStrides, y, 0, stridesOf(out.shape), out.shape);
  return y;
};

/** Moves a `shape`-sized block between two strided layouts (copyStrided, or a faster copy of contiguous rows). */
export type BlockCopy = (
  src: TypedArray, srcOffset: number, srcStrides: readonly number[],
  dst: TypedArray, dstOffset: number, dstStrides: readonly number[], shape: Shape,
) => void;

/** concat as one block copy per input, each into its slab of the output along `axis` (every element is written). */
export const concatWith = (copy: BlockCopy): Kernel<'concat'> => (inputs, shapes, { axis }, out) => {
  const y = allocateOutput(out.dtype, sizeOf(out.shape));
  const outStrides = stridesOf(out.shape);
  let offset = 0;
  inputs.forEach((x, i) => {
    copy(x, 0, stridesOf(shapes[i]), y, offset, outStrides, shapes[i]);
    offset += shapes[i][axis] * outStrides[axis];
  });
  return y;
};

export const concatKernel = concatWith(copyStrided);
