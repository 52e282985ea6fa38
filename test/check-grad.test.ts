import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GradientError, add, matmul, mul, neg, randomNormal, stopGradient, sum, tanh, tensor,
} from 'semiflow';
import { arbBroadcastShapes, arbConvConfig, arbDistinctTensor, arbPoolConfig, arbShape, arbTensor, assertGrad, checkGrad } from 'semiflow/testing';
import type { Tensor } from 'semiflow';

const f64 = (values: number[][]) => tensor(values, undefined, 'float64');

describe('checkGrad', () => {
  it('accepts a correct gradient and reports the worst input', () => {
    const result = checkGrad(([a, b]: Tensor[]) => tanh(matmul(a, b)), [f64([[1, 2], [3, -1]]), f64([[0.5], [-0.2]])]);
    expect(result.ok, result.message).toBe(true);
    expect(result.inputs.map((r) => r.path)).toEqual(['x[0]', 'x[1]']);
    expect(['x[0]', 'x[1]']).toContain(result.worst.path);
  });

  it('catches a wrong gradient and points at the worst input and element', () => {
    // x · stopGradient(x) has the value x² but a tape gradient of x, half the true 2x.
    const wrong = (p: { a: Tensor; b: Tensor }) => sum(mul(p.a, p.a).add(mul(p.b, stopGradient(p.b))));
    const result = checkGrad(wrong, { a: f64([[1, 2]]), b: f64([[0.1, 3]]) });
    expect(result.ok).toBe(false);
    expect(result.worst.path).toBe('x.b');
    expect(result.worstElement?.index).toEqual([0, 1]);
    // The scalar output gets a random cotangent c: the tape says c·3 where the truth is c·6.
    const element = result.worstElement as NonNullable<typeof result.worstElement>;
    expect(element.numeric / element.analytic).toBeCloseTo(2, 6);
    expect(result.message).toMatch(/gradient check failed for x\.b/);
    expect(() => assertGrad(wrong, { a: f64([[1]]), b: f64([[2]]) })).toThrow(GradientError);
  });

  it('catches a 1e-5 relative error in a gradient with the default tolerance, for every seed', () => {
    // plant(x) has the value x but the derivative 1 + 1e-5, so every gradient through it is 1e-5 too large.
    const plant = (x: Tensor) => add(mul(x, 1 + 1e-5), neg(stopGradient(mul(x, 1e-5))));
    const f = ([a, b]: Tensor[]) => tanh(matmul(a, b));
    const planted = ([a, b]: Tensor[]) => f([plant(a), b]);
    const inputs = [randomNormal([12, 16], { seed: 1, dtype: 'float64' }), randomNormal([16, 10], { seed: 2, dtype: 'float64' })];
    for (let seed = 0; seed < 50; seed++) {
      const right = checkGrad(f, inputs, { seed });
      expect(right.ok, right.message).toBe(true);
      const wrong = checkGrad(planted, inputs, { seed, maxElementChecks: 0 }); // the tolerance is the default one
      expect(wrong.ok, `seed ${seed}: ${wrong.message}`).toBe(false);
      expect(wrong.worst.path).toBe('x[0]');
    }
  });

  it('runs in float64 whatever the inputs are', () => {
    const seen: string[] = [];
    checkGrad((x: Tensor) => {
      seen.push(x.dtype);
      return sum(x.square());
    }, tensor([1, 2]));
    expect(new Set(seen)).toEqual(new Set(['float64']));
  });
});

describe('arbitraries', () => {
  it('draw shapes inside their bounds, with size-1 dims', () => {
    const seenOne = fc.sample(arbShape({ minRank: 1, maxRank: 3, maxDim: 4 }), 200);
    expect(seenOne.every((s) => s.length >= 1 && s.length <= 3 && s.every((d) => d >= 1 && d <= 4))).toBe(true);
    expect(seenOne.some((s) => s.includes(1))).toBe(true);
  });

  it('draw shape pairs that broadcast, including different ranks', () => {
    const pairs = fc.sample(arbBroadcastShapes(), 200);
    for (const [a, b] of pairs) {
      const rank = Math.max(a.length, b.length);
      for (let i = 0; i < rank; i++) {
        const da = a[a.length - rank + i] ?? 1;
        const db = b[b.length - rank + i] ?? 1;
        expect(da === db || da === 1 || db === 1).toBe(true);
      }
    }
    expect(pairs.some(([a, b]) => a.length !== b.length)).toBe(true);
  });

  it('keep values away from the points to avoid, and distinct tensors free of ties', () => {
    for (const t of fc.sample(arbTensor([20], { avoid: [0], gap: 0.1 }), 50)) {
      expect(Array.from(t.storage).every((v) => Math.abs(v) >= 0.1)).toBe(true);
    }
    for (const t of fc.sample(arbDistinctTensor([12], { gap: 0.05 }), 50)) {
      const sorted = Array.from(t.storage).sort((a, b) => a - b);
      expect(Math.min(...sorted.slice(1).map((v, i) => v - sorted[i]))).toBeGreaterThan(0.05 * 0.75 - 1e-12);
    }
  });

  it('draw conv and pool configurations whose windows fit', () => {
    for (const c of fc.sample(arbConvConfig(), 100)) expect(c.height >= c.kernel[0] && c.width >= c.kernel[1]).toBe(true);
    for (const c of fc.sample(arbPoolConfig(), 100)) expect(c.height >= c.poolSize[0] && c.width >= c.poolSize[1]).toBe(true);
  });
});

describe('checkGrad on functions with several outputs', () => {
  it('checks a tree of outputs, and catches an error in any one of them', () => {
    const x = f64([[0.3, -1.1]]);
    const good = checkGrad((t: Tensor) => ({ a: tanh(t), b: [sum(t.square()), t.exp()] }), x);
    expect(good.ok, good.message).toBe(true);
    const bad = checkGrad((t: Tensor) => ({ a: tanh(t), b: mul(t, stopGradient(t)) }), x);
    expect(bad.ok).toBe(false);
  });
});
