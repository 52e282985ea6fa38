import { allocate } from '../dtype.ts';
import { sizeOf } from '../shape.ts';
import type { Kernel } from './kernel.ts';

/** unfold: y[n,oh,ow,kh,kw,c] = x[n, oh·sh + kh, ow·sw + kw, c]. */
export const unfoldKernel: Kernel<'unfold'> = ([x], [[, height, width, channels]], { kernel, strides }, out) => {
  const y = allocate(out.dtype, sizeOf(out.shape));
  forEachWindowRow(out.shape, height, width, channels, kernel, strides, (src, dst) => {
    for (let c = 0; c < channels; c++) y[dst + c] = x[src + c];
  });
  return y;
};

/** fold: the transpose of unfold, so windows that overlap add into the same pixel. */
export const foldKernel: Kernel<'fold'> = ([cols], [colShape], { kernel, strides, height, width }, out) => {
  const channels = colShape[5];
  const y = allocate(out.dtype, sizeOf(out.shape));
  forEachWindowRow(colShape, height, width, channels, kernel, strides, (src, dst) => {
    for (let c = 0; c < channels; c++) y[src + c] += cols[dst + c];
  });
  return y;
};

/** Calls visit(imageOffset, columnOffset) for every (n, oh, ow, kh, kw) channel row. */
function forEachWindowRow(
  colShape: readonly number[], height: number, width: number, channels: number,
  [kh, kw]: readonly [number, number], [sh, sw]: readonly [number, number],
  visit: (imageOffset: number, columnOffset: number) => void,
): void {
  const [batch, outH, outW] = colShape;
  let dst = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        for (let i = 0; i < kh; i++) {
          const row = (n * height + oh * sh + i) * width;
          for (let j = 0; j < kw; j++) {
            visit((row + ow * sw + j) * channels, dst);
            dst += channels;
          }
        }
      }
    }
  }
}
