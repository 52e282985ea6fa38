import { allocateOutput } from '../buffer-pool.ts';
import type { Kernel } from './kernel.ts';

/** relu(x)[i] = x[i] where 0 < x[i], else +0: -0 and NaN give +0, as where(less(0, x), x, 0) did. */
export const reluKernel: Kernel<'relu'> = ([x], _shapes, _params, out) => {
  const y = allocateOutput(out.dtype, x.length);
  for (let i = 0; i < x.length; i++) y[i] = 0 < x[i] ? x[i] : 0;
  return y;
};

/** reluGrad(x, g)[i] = g[i] where 0 < x[i], else +0: where(less(0, x), g, 0), relu's former vjp. */
export const reluGradKernel: Kernel<'reluGrad'> = ([x, g], _shapes, _params, out) => {
  const y = allocateOutput(out.dtype, x.length);
  for (let i = 0; i < x.length; i++) y[i] = 0 < x[i] ? g[i] : 0;
  return y;
};
