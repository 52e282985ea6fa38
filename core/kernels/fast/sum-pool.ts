import { allocate } from '../../buffer-pool.ts';
import type { Kernel } from '../kernel.ts';
import { addRange } from './window.ts';

/**
 * sumPool by runs: each tap's C channels of a pixel added into the output's in one unrolled loop, taps in the
 * reference's order from +0, so its bits without its per-channel indexing.
 */
export const fastSumPool: Kernel<'sumPool'> = ([x], [[, height, width, channels]], { kernel: [kh, kw], strides: [sh, sw] }, out) => {
  const [batch, outH, outW] = out.shape;
  const y = allocate(out.dtype, batch * outH * outW * channels);
  let o = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, o += channels) {
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) addRange(x, ((n * height + oh * sh + i) * width + ow * sw + j) * channels, y, o, channels);
        }
      }
    }
  }
  return y;
};
