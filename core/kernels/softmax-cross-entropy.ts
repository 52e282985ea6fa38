import { allocateOutput } from '../buffer-pool.ts';
import type { TypedArray } from '../dtype.ts';
import type { Kernel } from './kernel.ts';

/** Row r of z [rows, K]: its max m and log Σ_k e^(z_k − m), in doubles. */
function rowStats(z: TypedArray, start: number, k: number): [max: number, logSum: number] {
  let m = -Infinity;
  for (let j = start; j < start + k; j++) m = z[j] > m || Number.isNaN(z[j]) ? z[j] : m;
  let s = 0;
  for (let j = start; j < start + k; j++) s += Math.exp(z[j] - m);
  return [m, Math.log(s)];
}

/**
 * softmaxCrossEntropy(z, y)[r] = Σ_k y_k·(log Σ_j e^(z_j − m) − (z_k − m)) = −Σ_k y_k·logSoftmax(z)_k, with m the
 * row's max (so no e^z overflows, and z_k − m is exact near the max), each row in doubles and rounded once.
 */
export const softmaxCrossEntropyKernel: Kernel<'softmaxCrossEntropy'> = ([z, y], [shape], _params, out) => {
  const k = shape[shape.length - 1];
  const loss = allocateOutput(out.dtype, z.length / k);
  for (let r = 0, start = 0; r < loss.length; r++, start += k) {
    const [m, logSum] = rowStats(z, start, k);
    let total = 0;
    for (let j = start; j < start + k; j++) total += y[j] * (logSum - (z[j] - m));
    loss[r] = total;
  }
  return loss;
};

/** softmaxCrossEntropyGrad(z, y, g)[r, k] = g_r·(softmax(z)_k·Σ_j y_j − y_k), each row in doubles. */
export const softmaxCrossEntropyGradKernel: Kernel<'softmaxCrossEntropyGrad'> = ([z, y, g], [shape], _params, out) => {
  const k = shape[shape.length - 1];
  const dz = allocateOutput(out.dtype, z.length);
  for (let r = 0, start = 0; r < g.length; r++, start += k) {
    const [m, logSum] = rowStats(z, start, k);
    let targets = 0;
    for (let j = start; j < start + k; j++) targets += y[j];
    for (let j = start; j < start + k; j++) dz[j] = g[r] * (Math.exp(z[j] - m - logSum) * targets - y[j]);
  }
  return dz;
};
