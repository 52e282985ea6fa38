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
