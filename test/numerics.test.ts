import { describe, expect, it } from 'vitest';
import { grad, logSoftmax, logsumexp, sigmoid, softmax, softplus, sum, tanh, tensor } from 'semiflow';
import type { Tensor } from 'semiflow';

const allFinite = (t: Tensor) => Array.from(t.storage).every(Number.isFinite);
const extremes = [1e4, -1e4, 0, 9999, -3];

describe.each(['float32', 'float64'] as const)('extreme inputs in %s', (dtype) => {
  const logits = tensor([extremes], undefined, dtype);

  it('softmax, logSoftmax and logsumexp stay finite and exact for logits of ±1e4', () => {
    const p = softmax(logits);
    expect(allFinite(p)).toBe(true);
    expect(p.toArray()).toEqual([[expect.closeTo(1 / (1 + Math.exp(-1)), 6), 0, 0, expect.closeTo(1 / (1 + Math.exp(1)), 6), 0]]);
    expect(allFinite(logSoftmax(logits))).toBe(true);
    expect(logsumexp(logits).item()).toBeCloseTo(1e4 + Math.log1p(Math.exp(-1)), 3);
  });

  it('and so do their gradients', () => {
    for (const f of [softmax, logSoftmax, (x: Tensor) => logsumexp(x, -1)]) {
      const g = grad((x: Tensor) => sum(f(x).mul(tensor([[1, 2, 3, 4, 5]], undefined, dtype))))(logits);
      expect(allFinite(g)).toBe(true);
    }
  });

  it('sigmoid, tanh and softplus saturate without NaN, and their gradients vanish cleanly', () => {
    const x = tensor(extremes, undefined, dtype);
    expect(sigmoid(x).toArray()).toEqual([1, 0, 0.5, 1, expect.closeTo(1 / (1 + Math.exp(3)), 6)]);
    expect(tanh(x).toArray()).toEqual([1, -1, 0, 1, expect.closeTo(Math.tanh(-3), 6)]);
    expect(softplus(x).toArray()).toEqual([1e4, 0, expect.closeTo(Math.log(2), 6), 9999, expect.closeTo(Math.log1p(Math.exp(-3)), 6)]);
    for (const f of [sigmoid, tanh, softplus]) {
      const g = grad((t: Tensor) => sum(f(t)))(x);
      expect(allFinite(g)).toBe(true);
    }
  });
});

describe('sigmoid and tanh primitives', () => {
  const specials = [Infinity, -Infinity, NaN, -0, 0, 1e4, -1e4];

  it('give the documented values at ±Infinity, NaN, ±0 and ±1e4 in both dtypes', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = tensor(specials, undefined, dtype);
      expect(Array.from(sigmoid(x).storage)).toEqual([1, 0, NaN, 0.5, 0.5, 1, 0]);
      const t = Array.from(tanh(x).storage);
      expect(t).toEqual([1, -1, NaN, -0, 0, 1, -1]);
      expect(Object.is(t[3], -0) && Object.is(t[4], 0)).toBe(true);
    }
  });

  it('round float32 once: each float32 output is the float64 result rounded', () => {
    const values = Array.from({ length: 401 }, (_, i) => Math.fround((i - 200) * 0.173 + 1e-3 * Math.sin(i)));
    const x32 = tensor(values, undefined, 'float32');
    const x64 = tensor(values, undefined, 'float64');
    for (const f of [sigmoid, tanh]) {
      const wide = Array.from(f(x64).storage, Math.fround);
      expect(Array.from(f(x32).storage)).toEqual(wide);
    }
  });

  it('are within a few ulp of the exact values in float64, and tanh is exactly odd', () => {
    const values = Array.from({ length: 301 }, (_, i) => (i - 150) * 0.1 + 1e-7);
    const x = tensor(values, undefined, 'float64');
    const s = sigmoid(x).storage;
    const t = tanh(x).storage;
    const negT = tanh(x.neg()).storage;
    values.forEach((v, i) => {
      const exactS = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
      expect(Math.abs(s[i] - exactS)).toBeLessThanOrEqual(4 * Number.EPSILON * exactS);
      expect(Math.abs(t[i] - Math.tanh(v))).toBeLessThanOrEqual(4 * Number.EPSILON * Math.abs(Math.tanh(v)));
      expect(negT[i]).toBe(-t[i]);
    });
  });

  it('take their gradients from the output: σ(1 − σ) and 1 − tanh², finite at the extremes', () => {
    const values = [-30, -3, -0.5, 0, 0.25, 2, 30, 1e4, -1e4];
    const x = tensor(values, undefined, 'float64');
    const gs = grad((v: Tensor) => sum(sigmoid(v)))(x).storage;
    const gt = grad((v: Tensor) => sum(tanh(v)))(x).storage;
    values.forEach((v, i) => {
      const s = 1 / (1 + Math.exp(-v));
      expect(gs[i]).toBeCloseTo(s * (1 - s), 15);
      expect(gt[i]).toBeCloseTo(1 - Math.tanh(v) ** 2, 15);
    });
  });
});
