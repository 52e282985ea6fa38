import { allocateOutput } from '../buffer-pool.ts';
import type { Kernel } from './kernel.ts';

/**
 * The vjps of sigmoid and tanh in one pass each, with the bits of the composition they replace (mul and sub, each
 * rounded to the dtype): a float32 product or difference of float32 values is exact in doubles, so rounding it
 * once with Math.fround (or by the store into a Float32Array) gives the float32 operation's result.
 */

/** sigmoidGrad(y, g)[i] = g·(y·(1 − y)). */
export const sigmoidGradKernel: Kernel<'sigmoidGrad'> = ([y, g], _shapes, _params, out) => {
  const d = allocateOutput(out.dtype, y.length);
  if (out.dtype === 'float32') for (let i = 0; i < d.length; i++) d[i] = g[i] * Math.fround(y[i] * Math.fround(1 - y[i]));
  else for (let i = 0; i < d.length; i++) d[i] = g[i] * (y[i] * (1 - y[i]));
  return d;
};

/** tanhGrad(y, g)[i] = g·(1 − y·y). */
export const tanhGradKernel: Kernel<'tanhGrad'> = ([y, g], _shapes, _params, out) => {
  const d = allocateOutput(out.dtype, y.length);
  if (out.dtype === 'float32') for (let i = 0; i < d.length; i++) d[i] = g[i] * Math.fround(1 - Math.fround(y[i] * y[i]));
  else for (let i = 0; i < d.length; i++) d[i] = g[i] * (1 - y[i] * y[i]);
  return d;
};
