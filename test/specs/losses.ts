import fc from 'fast-check';
import { softmaxCrossEntropy, tensor } from '../../index.ts';
import { arbShape, arbTensor } from '../../testing.ts';
import type { Tensor } from '../../index.ts';
import { softmaxCrossEntropyGrad } from '../../core/ops/activations.ts';
import type { OpCase, Reference, SpecTable } from './spec.ts';

/** Each row of the last axis of z (and the same row of y) through fn, in plain doubles. */
function byRow(z: Tensor, y: Tensor, shape: number[], fn: (zs: number[], ys: number[], r: number) => number[]): Reference {
  const k = z.shape[z.rank - 1];
  const values: number[] = [];
  for (let r = 0; r * k < z.size; r++) {
    const row = (t: Tensor) => Array.from(t.storage.subarray(r * k, (r + 1) * k));
    values.push(...fn(row(z), row(y), r));
  }
  return { shape, values };
}

/** The max m and log Σ e^(z − m) of a row. */
function stats(zs: number[]): [number, number] {
  const m = Math.max(...zs);
  return [m, Math.log(zs.reduce((s, v) => s + Math.exp(v - m), 0))];
}

/** Logits [..., K] (moderate, or shifted by ±1e4 where only a max-first form stays exact) and non-negative targets. */
const arbRows = arbShape({ minRank: 1, maxDim: 4 }).chain((shape) => fc.tuple(
  fc.constantFrom(0, -1e4, 1e4).chain((shift) => arbTensor(shape).map((z) => tensor(Array.from(z.storage, (v) => v + shift), shape, 'float64'))),
  arbTensor(shape, { min: 0, max: 1 }),
  arbTensor(shape.slice(0, -1)),
));

export const lossSpecs = {
  softmaxCrossEntropy: {
    cases: arbRows.map(([z, y]): OpCase => ({
      inputs: [z, y],
      run: (a, b) => softmaxCrossEntropy(a, b),
      reference: (a, b) => byRow(a, b, a.shape.slice(0, -1), (zs, ys) => {
        const [m, logSum] = stats(zs);
        return [zs.reduce((s, v, k) => s + ys[k] * (logSum - (v - m)), 0)];
      }),
    })),
    gradient: 'checked',
    secondOrder: true,
  },
  softmaxCrossEntropyGrad: {
    cases: arbRows.map(([z, y, g]): OpCase => ({
      inputs: [z, y, g],
      run: (a, b, c) => softmaxCrossEntropyGrad(a, b, c),
      reference: (a, b, c) => byRow(a, b, [...a.shape], (zs, ys, r) => {
        const [m, logSum] = stats(zs);
        const total = ys.reduce((s, v) => s + v, 0);
        return zs.map((v, k) => c.storage[r] * (Math.exp(v - m - logSum) * total - ys[k]));
      }),
    })),
    gradient: 'checked',
    secondOrder: true,
  },
} satisfies Partial<SpecTable>;
