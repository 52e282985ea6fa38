// LSTM (issue 16): one step against the formula written out, and its gradient over fast-check shapes (float64)
// with returnSequences, goBackwards and a mask.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LSTM, checkLayerGrad, randomNormal, randomUniform, tensor } from 'semiflow';
import type { Tensor } from 'semiflow';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const at = (t: Tensor, ...idx: number[]) => t.storage[idx.reduce((o, i, k) => o * t.shape[k] + i, 0)];

/** The LSTM over x [batch, time, features] written as loops over scalars, gates i, f, c, o. */
function referenceLstm(x: Tensor, W: Tensor, U: Tensor, b: Tensor, units: number): number[][][] {
  const [batch, time, features] = x.shape;
  return Array.from({ length: batch }, (_, n) => {
    let h = new Array<number>(units).fill(0);
    let c = new Array<number>(units).fill(0);
    const out: number[][] = [];
    for (let t = 0; t < time; t++) {
      const z = Array.from({ length: 4 * units }, (_, j) => {
        let s = at(b, j);
        for (let f = 0; f < features; f++) s += at(x, n, t, f) * at(W, f, j);
        for (let u = 0; u < units; u++) s += h[u] * at(U, u, j);
        return s;
      });
      c = c.map((cu, u) => sigmoid(z[units + u]) * cu + sigmoid(z[u]) * Math.tanh(z[2 * units + u]));
      h = c.map((cu, u) => sigmoid(z[3 * units + u]) * Math.tanh(cu));
      out.push(h);
    }
    return out;
  });
}

describe('LSTM', () => {
  it('matches the formula step by step, with Keras weight shapes and a unit forget bias', () => {
    const layer = new LSTM(3, { returnSequences: true });
    const x = randomNormal([2, 4, 5], { seed: 1, dtype: 'float64' });
    layer.ensureBuilt(x.shape, 'float64');
    const { kernel, recurrent_kernel: U, bias } = layer.params;
    expect(kernel.shape).toEqual([5, 12]);
    expect(U.shape).toEqual([3, 12]);
    expect(Array.from(bias.storage)).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const b = randomNormal([12], { seed: 2, dtype: 'float64' });
    const y = layer.apply(x, { params: { bias: b } });
    expect(y.shape).toEqual([2, 4, 3]);
    const ref = referenceLstm(x, kernel, U, b, 3).flat(2);
    Array.from(y.storage).forEach((v, i) => expect(v).toBeCloseTo(ref[i], 12));
    const last = new LSTM(3).apply(x, { params: { kernel, recurrent_kernel: U, bias: b } });
    expect(last.shape).toEqual([2, 3]);
  });

  it('goBackwards reads the sequence from its end', () => {
    const x = randomNormal([1, 3, 2], { seed: 3, dtype: 'float64' });
    const forward = new LSTM(2);
    const backward = new LSTM(2, { goBackwards: true });
    forward.ensureBuilt(x.shape, 'float64');
    const reversed = tensor([...[2, 1, 0].flatMap((t) => [x.storage[2 * t], x.storage[2 * t + 1]])], [1, 3, 2], 'float64');
    expect(Array.from(backward.apply(x, { params: forward.params }).storage)).toEqual(Array.from(forward.apply(reversed).storage));
  });

  it('has a correct gradient over shapes, options and masks', () => {
    const arb = fc.record({
      batch: fc.integer({ min: 1, max: 3 }), time: fc.integer({ min: 1, max: 4 }), features: fc.integer({ min: 1, max: 3 }),
      units: fc.integer({ min: 1, max: 3 }), returnSequences: fc.boolean(), goBackwards: fc.boolean(), masked: fc.boolean(), seed: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(fc.property(arb, (c) => {
      const layer = new LSTM(c.units, { returnSequences: c.returnSequences, goBackwards: c.goBackwards, biasInitializer: 'randomNormal' });
      const x = randomNormal([c.batch, c.time, c.features], { seed: c.seed, dtype: 'float64' });
      const mask = c.masked ? randomUniform([c.batch, c.time], { seed: c.seed + 1, dtype: 'float64' }).greater(0.4).cast('float64') : undefined;
      layer.ensureBuilt(x.shape, 'float64');
      const result = checkLayerGrad(layer, x, { seed: c.seed, ...(mask === undefined ? {} : { mask }) });
      expect(result.ok, result.message).toBe(true);
    }), { numRuns: 15 });
  });
});
