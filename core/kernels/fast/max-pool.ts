import { allocateOutput } from '../../buffer-pool.ts';
import type { Kernel } from '../kernel.ts';
import { forEachPoolTap } from '../pool-taps.ts';
import { sizeOf } from '../../shape.ts';
import { wordsOf } from './layout.ts';
import { maxRow } from './reduce.ts';

/**
 * maxPool in JS for windows the 2×2 wasm kernel does not take: each tap's C channels of a pixel fold into the
 * output's as fastMax folds a kept row (a bit select, no branch on the values), taps in the reference's order,
 * so its bits.
 */
export const fastMaxPool: Kernel<'maxPool'> = ([x], [shape], params, out) => {
  const channels = shape[3];
  const y = allocateOutput(out.dtype, sizeOf(out.shape)).fill(-Infinity);
  const words = y instanceof Float64Array ? 2 : 1;
  const [xw, yw] = [wordsOf(x), wordsOf(y)];
  forEachPoolTap(shape, params, out.shape, (s, o) => maxRow(x, xw, s, y, yw, o, channels, words));
  return y;
};
