import { allocateOutput } from '../buffer-pool.ts';
import type { TypedArray } from '../dtype.ts';
import type { Kernel } from './kernel.ts';

/** The max of z[start, start + k): NaN if any is NaN. */
function rowMax(z: TypedArray, start: number, k: number): number {
  let m = -Infinity;
  for (let j = start; j < start + k; j++) m = z[j] > m || Number.isNaN(z[j]) ? z[j] : m;
  return m;
}

/**
 * softmaxCrossEntropy(z, y)[r] = Σ_k y_k·(log Σ_j e^(z_j − m) − (z_k − m)) = −Σ_k y_k·logSoftmax(z)_k, with m the
 * row's max (so no e^z overflows, and z_k − m is exact near the max), each row in doubles and rounded once.
 */
export const softmaxCrossEntropyKernel: Kernel<'softmaxCrossEntropy'> = ([z, y], [shape], _params, out) => {
  const k = shape[shape.length - 1];
  const loss = allocateOutput(out.dtype, z.length / k);
  for (let r = 0, start = 0; r < loss.length; r++, start += k) {
    const m = rowMax(z, start, k);
    let sum = 0;
    for (let j = start; j < start + k; j++) sum += Math.exp(z[j] - m);
    const logSum = Math.log(sum);
    let total = 0;
    for (let j = start; j < start + k; j++) total += y[j] * (logSum - (z[j] - m));
    loss[r] = total;
  }
  return loss;
};

let scratch = new Float64Array(16);

/** A row of at least k doubles, reused across calls. */
function scratchRow(k: number): Float64Array {
  if (scratch.length < k) scratch = new Float64Array(k);
  return scratch;
}

/** softmaxCrossEntropyGrad(z, y, g)[r, k] = g_r·(softmax(z)_k·Σ_j y_j − y_k), each row in doubles. */
export const softmaxCrossEntropyGradKernel: Kernel<'softmaxCrossEntropyGrad'> = ([z, y, g], [shape], _params, out) => {
  const k = shape[shape.length - 1];
  const dz = allocateOutput(out.dtype, z.length);
  const e = scratchRow(k);
  for (let r = 0, start = 0; r < g.length; r++, start += k) {
    const m = rowMax(z, start, k);
    let sum = 0;
    let targets = 0;
    for (let j = 0; j < k; j++) {
      e[j] = Math.exp(z[start + j] - m);
      sum += e[j];
      targets += y[start + j];
    }
    for (let j = 0; j < k; j++) dz[start + j] = g[r] * ((e[j] / sum) * targets - y[start + j]);
  }
  return dz;
};
