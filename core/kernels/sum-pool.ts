import { allocate } from '../buffer-pool.ts';
import { sizeOf } from '../shape.ts';
import type { Kernel } from './kernel.ts';
import { forEachPoolTap } from './pool-taps.ts';

/**
 * sumPool: y[n,oh,ow,c] = Σ over i < kh, j < kw of x[n, oh·sh + i, ow·sw + j, c], the taps in order (i, then j) from
 * +0, each add rounded to the output dtype: the bits of sum over the windows' axes of the crop's tiles or unfold's
 * patches. Rows and columns past the last whole window are never read.
 */
export const sumPoolKernel: Kernel<'sumPool'> = ([x], [shape], params, out) => {
  const channels = shape[3];
  const y = allocate(out.dtype, sizeOf(out.shape));
  forEachPoolTap(shape, params, out.shape, (s, o) => {
    for (let c = 0; c < channels; c++) y[o + c] += x[s + c];
  });
  return y;
};
