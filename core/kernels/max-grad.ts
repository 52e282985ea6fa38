import { allocate } from '../buffer-pool.ts';
import type { Kernel } from './kernel.ts';
import { outputOffsets } from './reduce.ts';

/**
 * maxGrad(x, y, g)[i] = (hit·g)·(1/count) with hit = (x[i] == y) and count = the hits of i's group, y and g read at
 * i's group. count is summed and inverted in the output dtype, so every step rounds as max's former composite
 * vjp (equal, mul, sum, reciprocal, mul) did: the same bits, a 0·g of -0 or NaN and a NaN max's 0·(1/0) included.
 */
export const maxGradKernel: Kernel<'maxGrad'> = ([x, y, g], [shape, small], _params, out) => {
  const offsets = outputOffsets(shape, small);
  const scale = allocate(out.dtype, y.length);
  for (let i = 0; i < x.length; i++) scale[offsets[i]] += x[i] === y[offsets[i]] ? 1 : 0;
  for (let o = 0; o < scale.length; o++) scale[o] = 1 / scale[o];
  const dx = allocate(out.dtype, x.length);
  for (let i = 0; i < x.length; i++) {
    const o = offsets[i];
    dx[i] = (x[i] === y[o] ? 1 : 0) * g[o] * scale[o];
  }
  return dx;
};
