import { allocate } from '../buffer-pool.ts';
import { sizeOf } from '../shape.ts';
import type { Kernel } from './kernel.ts';

/**
 * maxPool: y[n,oh,ow,c] = max over i < kh, j < kw of x[n, oh·sh + i, ow·sw + j, c], the taps in order (i, then j)
 * from -Infinity with max's rule (`!(v <= m)` unless m is NaN: a NaN wins, of equal values the first stays), so the
 * bits of max over the windows' axes. Rows and columns past the last whole window are never read.
 */
export const maxPoolKernel: Kernel<'maxPool'> = ([x], [[, height, width, channels]], { kernel: [kh, kw], strides: [sh, sw] }, out) => {
  const [batch, outH, outW] = out.shape;
  const y = allocate(out.dtype, sizeOf(out.shape)).fill(-Infinity);
  let o = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, o += channels) {
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            const s = ((n * height + oh * sh + i) * width + ow * sw + j) * channels;
            for (let c = 0; c < channels; c++) {
              const v = x[s + c];
              if (!(v <= y[o + c]) && y[o + c] === y[o + c]) y[o + c] = v;
            }
          }
        }
      }
    }
  }
  return y;
};
