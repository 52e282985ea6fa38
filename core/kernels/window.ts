import { allocate } from '../buffer-pool.ts';
import { sizeOf } from '../shape.ts';
import type { WindowParams } from '../primitives.ts';
import type { Kernel } from './kernel.ts';

/** unfold: y[n,oh,ow,i,j,c] = x[n, oh·sh + i·dh, ow·sw + j·dw, c]. */
export const unfoldKernel: Kernel<'unfold'> = ([x], [[, height, width, channels]], window, out) => {
  const y = allocate(out.dtype, sizeOf(out.shape));
  forEachWindowRow(out.shape, height, width, channels, window, (src, dst) => {
    for (let c = 0; c < channels; c++) y[dst + c] = x[src + c];
  });
  return y;
};

/** fold: the transpose of unfold, so windows that overlap add into the same pixel. */
export const foldKernel: Kernel<'fold'> = ([cols], [colShape], { height, width, ...window }, out) => {
  const channels = colShape[5];
  const y = allocate(out.dtype, sizeOf(out.shape));
  forEachWindowRow(colShape, height, width, channels, window, (src, dst) => {
    for (let c = 0; c < channels; c++) y[src + c] += cols[dst + c];
  });
  return y;
};

/** Calls visit(imageOffset, columnOffset) for every (n, oh, ow, kh, kw) channel row. */
function forEachWindowRow(
  colShape: readonly number[], height: number, width: number, channels: number,
  { kernel: [kh, kw], strides: [sh, sw], dilations: [dh, dw] }: WindowParams,
  visit: (imageOffset: number, columnOffset: number) => void,
): void {
  const [batch, outH, outW] = colShape;
  let dst = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        for (let i = 0; i < kh; i++) {
          const row = (n * height + oh * sh + i * dh) * width;
          for (let j = 0; j < kw; j++) {
            visit((row + ow * sw + j * dw) * channels, dst);
            dst += channels;
          }
        }
      }
    }
  }
}
