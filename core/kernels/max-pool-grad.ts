import { allocate } from '../buffer-pool.ts';
import type { Kernel } from './kernel.ts';

/**
 * maxPoolGrad for windows that tile: per window and channel, count = its elements equal to the max y (summed and
 * inverted in the output dtype), then dx = (hit·g)·(1/count) on the window and +0 past the last whole window:
 * maxGrad's arithmetic on the crop, then the pad's zeros, so their bits.
 */
export const maxPoolGradKernel: Kernel<'maxPoolGrad'> = ([x, y, g], [[n, height, width, c], [, outH, outW]], { kernel: [kh, kw] }, out) => {
  const dx = allocate(out.dtype, x.length);
  const scale = allocate(out.dtype, c);
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const o = ((b * outH + oh) * outW + ow) * c;
        const tap = (i: number, j: number) => ((b * height + oh * kh + i) * width + ow * kw + j) * c;
        scale.fill(0);
        for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let k = 0; k < c; k++) scale[k] += x[tap(i, j) + k] === y[o + k] ? 1 : 0;
        for (let k = 0; k < c; k++) scale[k] = 1 / scale[k];
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            const t = tap(i, j);
            for (let k = 0; k < c; k++) dx[t + k] = (x[t + k] === y[o + k] ? 1 : 0) * g[o + k] * scale[k];
          }
        }
      }
    }
  }
  return dx;
};
