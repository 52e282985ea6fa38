import { allocate, allocateOutput } from '../../buffer-pool.ts';
import type { TypedArray } from '../../dtype.ts';
import { sizeOf } from '../../shape.ts';
import type { WindowParams } from '../../primitives.ts';
import type { Kernel } from '../kernel.ts';
import { copyRange } from './movement.ts';

/**
 * unfold and fold by runs: without column dilation, for a fixed (n, oh, ow, kh) the kw·C values of a patch row
 * are contiguous in the image as well as in the columns, so each is one copy (unfold) or one accumulate (fold)
 * instead of kw·C indexed steps; with it, each tap's C channels are a run. Same visiting order as the reference,
 * so fold's overlapping sums round identically.
 */
export const fastUnfold: Kernel<'unfold'> = ([x], [[, height, width, channels]], window, out) => {
  const y = allocateOutput(out.dtype, sizeOf(out.shape));
  forEachPatchRun(out.shape, height, width, channels, window, (image, column, n) => copyRange(x, image, y, column, n));
  return y;
};

export const fastFold: Kernel<'fold'> = ([cols], [colShape], { height, width, ...window }, out) => {
  const y = allocate(out.dtype, sizeOf(out.shape));
  forEachPatchRun(colShape, height, width, colShape[5], window, (image, column, n) => addRange(cols, column, y, image, n));
  return y;
};

/** y[d + j] += x[s + j] for j < n (each add rounded to y's dtype on store). */
export function addRange(x: TypedArray, s: number, y: TypedArray, d: number, n: number): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    y[d + j] += x[s + j];
    y[d + j + 1] += x[s + j + 1];
    y[d + j + 2] += x[s + j + 2];
    y[d + j + 3] += x[s + j + 3];
  }
  for (; j < n; j++) y[d + j] += x[s + j];
}

/** Calls visit(imageOffset, columnOffset, length) for every contiguous run of a patch, in column order. */
function forEachPatchRun(
  colShape: readonly number[], height: number, width: number, channels: number,
  { kernel: [kh, kw], strides: [sh, sw], dilations: [dh, dw] }: WindowParams,
  visit: (imageOffset: number, columnOffset: number, length: number) => void,
): void {
  const [batch, outH, outW] = colShape;
  // Undilated columns: one run of kw·C per patch row; dilated: kw runs of C, dw·C apart in the image.
  const [runs, length, gap] = dw === 1 ? [1, kw * channels, 0] : [kw, channels, dw * channels];
  let column = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        for (let i = 0; i < kh; i++) {
          const image = ((n * height + oh * sh + i * dh) * width + ow * sw) * channels;
          for (let r = 0; r < runs; r++) {
            visit(image + r * gap, column, length);
            column += length;
          }
        }
      }
    }
  }
}
