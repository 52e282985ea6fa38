import { allocate } from '../../buffer-pool.ts';
import type { Kernel } from '../kernel.ts';
import { forEachPoolTap } from '../pool-taps.ts';
import { sizeOf } from '../../shape.ts';
import { addRange } from './window.ts';

/**
 * sumPool by runs: each tap's C channels of a pixel added into the output's in one unrolled loop, taps in the
 * reference's order from +0, so its bits without its per-channel indexing.
 */
export const fastSumPool: Kernel<'sumPool'> = ([x], [shape], params, out) => {
  const channels = shape[3];
  const y = allocate(out.dtype, sizeOf(out.shape));
  forEachPoolTap(shape, params, out.shape, (s, o) => addRange(x, s, y, o, channels));
  return y;
};
