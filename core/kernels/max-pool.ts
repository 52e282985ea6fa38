import { allocate } from '../buffer-pool.ts';
import { sizeOf } from '../shape.ts';
import type { Kernel } from './kernel.ts';
import { forEachPoolTap } from './pool-taps.ts';

/**
 * maxPool: y[n,oh,ow,c] = max over i < kh, j < kw of x[n, oh·sh + i, ow·sw + j, c], the taps in order (i, then j)
 * from -Infinity with max's rule (`!(v <= m)` unless m is NaN: a NaN wins, of equal values the first stays), so the
 * bits of max over the windows' axes. Rows and columns past the last whole window are never read.
 */
export const maxPoolKernel: Kernel<'maxPool'> = ([x], [shape], params, out) => {
  const channels = shape[3];
  const y = allocate(out.dtype, sizeOf(out.shape)).fill(-Infinity);
  forEachPoolTap(shape, params, out.shape, (s, o) => {
    for (let c = 0; c < channels; c++) {
      const v = x[s + c];
      if (!(v <= y[o + c]) && y[o + c] === y[o + c]) y[o + c] = v;
    }
  });
  return y;
};
