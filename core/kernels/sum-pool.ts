import { allocate } from '../buffer-pool.ts';
import { sizeOf } from '../shape.ts';
import type { Kernel } from './kernel.ts';

/**
 * sumPool: y[n,oh,ow,c] = Σ over i < kh, j < kw of x[n, oh·sh + i, ow·sw + j, c], the taps in order (i, then j) from
 * +0, each add rounded to the output dtype: the bits of sum over the windows' axes of the crop's tiles or unfold's
 * patches. Rows and columns past the last whole window are never read.
 */
export const sumPoolKernel: Kernel<'sumPool'> = ([x], [[, height, width, channels]], { kernel: [kh, kw], strides: [sh, sw] }, out) => {
  const [batch, outH, outW] = out.shape;
  const y = allocate(out.dtype, sizeOf(out.shape));
  let o = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, o += channels) {
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            const s = ((n * height + oh * sh + i) * width + ow * sw + j) * channels;
            for (let c = 0; c < channels; c++) y[o + c] += x[s + c];
          }
        }
      }
    }
  }
  return y;
};
