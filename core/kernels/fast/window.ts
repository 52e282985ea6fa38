import { allocate, allocateOutput } from '../../dtype.ts';
import type { TypedArray } from '../../dtype.ts';
import { sizeOf } from '../../shape.ts';
import type { Kernel } from '../kernel.ts';
import { copyRange } from './movement.ts';

/**
 * unfold and fold by window rows: for a fixed (n, oh, ow, kh) the kw·C values of a patch row are contiguous
 * in the image as well as in the columns, so each is one copy (unfold) or one accumulate (fold) instead of
 * kw·C indexed steps. Same visiting order as the reference, so fold's overlapping sums round identically.
 */
export const fastUnfold: Kernel<'unfold'> = ([x], [[, height, width, channels]], { kernel, strides }, out) => {
  const y = allocateOutput(out.dtype, sizeOf(out.shape));
  forEachPatchRow(out.shape, height, width, channels, kernel, strides, (image, column, n) => copyRange(x, image, y, column, n));
  return y;
};

export const fastFold: Kernel<'fold'> = ([cols], [colShape], { kernel, strides, height, width }, out) => {
  const y = allocate(out.dtype, sizeOf(out.shape));
  forEachPatchRow(colShape, height, width, colShape[5], kernel, strides, (image, column, n) => addRange(cols, column, y, image, n));
  return y;
};

/** y[d + j] += x[s + j] for j < n. */
function addRange(x: TypedArray, s: number, y: TypedArray, d: number, n: number): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    y[d + j] += x[s + j];
    y[d + j + 1] += x[s + j + 1];
    y[d + j + 2] += x[s + j + 2];
    y[d + j + 3] += x[s + j + 3];
  }
  for (; j < n; j++) y[d + j] += x[s + j];
}

/** Calls visit(imageOffset, columnOffset, kw·C) for every (n, oh, ow, kh) patch row, in column order. */
function forEachPatchRow(
  colShape: readonly number[], height: number, width: number, channels: number,
  [kh, kw]: readonly [number, number], [sh, sw]: readonly [number, number],
  visit: (imageOffset: number, columnOffset: number, length: number) => void,
): void {
  const [batch, outH, outW] = colShape;
  const length = kw * channels;
  let column = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        for (let i = 0; i < kh; i++) {
          visit(((n * height + oh * sh + i) * width + ow * sw) * channels, column, length);
          column += length;
        }
      }
    }
  }
}
