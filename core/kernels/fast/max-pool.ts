import { allocateOutput } from '../../buffer-pool.ts';
import type { Kernel } from '../kernel.ts';
import { wordsOf } from './layout.ts';
import { maxRow } from './reduce.ts';

/**
 * maxPool in JS for windows the 2×2 wasm kernel does not take: each tap's C channels of a pixel fold into the
 * output's as fastMax folds a kept row (a bit select, no branch on the values), taps in the reference's order,
 * so its bits.
 */
export const fastMaxPool: Kernel<'maxPool'> = ([x], [[, height, width, channels]], { kernel: [kh, kw], strides: [sh, sw] }, out) => {
  const [batch, outH, outW] = out.shape;
  const y = allocateOutput(out.dtype, batch * outH * outW * channels).fill(-Infinity);
  const words = y instanceof Float64Array ? 2 : 1;
  const [xw, yw] = [wordsOf(x), wordsOf(y)];
  let o = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, o += channels) {
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) maxRow(x, xw, ((n * height + oh * sh + i) * width + ow * sw + j) * channels, y, yw, o, channels, words);
        }
      }
    }
  }
  return y;
};
