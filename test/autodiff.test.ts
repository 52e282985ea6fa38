import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  add, exp, grad, GradientError, leaves, log, matmul, mean, mul, noGrad, randomNormal, ShapeError, sigmoid, softplus, square, stopGradient, sum, tanh, tensor, valueAndGrad, vjp
} from 'semiflow';
import { checkGrad } from 'semiflow/testing';
import type { Tensor } from 'semiflow';
import { vjpRules } from '../core/vjp.ts';

const f64 = (values: number[]) => tensor(values, undefined, 'float64');
const points = [-3, -1.2, -0.3, 0, 0.4, 1.7, 4];

/** d/dx of a scalar function applied elementwise, summed: the elementwise derivative. */
const derivative = (f: (x: Tensor) => Tensor) => grad((x: Tensor) => sum(f(x)));

function expectAllClose(actual: Tensor, expected: number[], tol = 1e-12): void {
  const values = Array.from(actual.storage);
  expected.forEach((e, i) => expect(Math.abs(values[i] - e), `element ${i}: ${values[i]} vs ${e}`).toBeLessThanOrEqual(tol * (1 + Math.abs(e))));
}

describe('second derivatives match hand formulas', () => {
  const x = f64(points);
  const cases: [string, (t: Tensor) => Tensor, (v: number) => number, (v: number) => number][] = [
    ['tanh', tanh, (v) => 1 - Math.tanh(v) ** 2, (v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)],
    ['sigmoid', sigmoid, (v) => { const s = 1 / (1 + Math.exp(-v)); return s * (1 - s); }, (v) => { const s = 1 / (1 + Math.exp(-v)); return s * (1 - s) * (1 - 2 * s); }],
    ['exp', exp, Math.exp, Math.exp],
    ['softplus', softplus, (v) => 1 / (1 + Math.exp(-v)), (v) => { const s = 1 / (1 + Math.exp(-v)); return s * (1 - s); }],
  ];
  it.each(cases)('%s: first and second derivative', (_name, f, d1, d2) => {
    const first = derivative(f);
    const second = derivative(first);
    expectAllClose(first(x), points.map(d1));
    expectAllClose(second(x), points.map(d2));
  });

  it('log: 1/x and -1/x² on positive points', () => {
    const positive = [0.1, 0.5, 1, 3, 20];
    const p = f64(positive);
    expectAllClose(derivative(log)(p), positive.map((v) => 1 / v));
    expectAllClose(derivative(derivative(log))(p), positive.map((v) => -1 / v ** 2));
  });

  it('grad(grad(tanh)) itself passes checkGrad: the third derivative is consistent', () => {
    const result = checkGrad(derivative(derivative(tanh)), x);
    expect(result.ok, result.message).toBe(true);
  });

  it('matmul compositions: the Hessian of ||XW||² applied to V is 2XᵀXV', () => {
    const X = randomNormal([5, 3], { seed: 1, dtype: 'float64' });
    const W = randomNormal([3, 2], { seed: 2, dtype: 'float64' });
    const V = randomNormal([3, 2], { seed: 3, dtype: 'float64' });
    const loss = (w: Tensor) => sum(square(matmul(X, w)));
    const hvp = grad((w: Tensor) => sum(mul(grad(loss)(w), V)))(W);
    const expected = matmul(X.transpose(), matmul(X, V)).mul(2);
    expectAllClose(hvp, Array.from(expected.storage));
  });
});

describe('a Hessian-vector product of a small MLP loss', () => {
  it('matches central differences of the gradient', () => {
    const x = randomNormal([8, 4], { seed: 10, dtype: 'float64' });
    const y = randomNormal([8, 3], { seed: 11, dtype: 'float64' });
    type Params = { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor };
    const init = (seed: number): Params => ({
      w1: randomNormal([4, 5], { seed, dtype: 'float64' }),
      b1: randomNormal([5], { seed: seed + 1, dtype: 'float64' }),
      w2: randomNormal([5, 3], { seed: seed + 2, dtype: 'float64' }),
      b2: randomNormal([3], { seed: seed + 3, dtype: 'float64' }),
    });
    const loss = (p: Params) => mean(square(tanh(x.matmul(p.w1).add(p.b1)).matmul(p.w2).add(p.b2).sub(y)));
    const params = init(20);
    const v = init(30);
    const inner = (p: Params) => leaves(grad(loss)(p)).reduce((acc, g, i) => acc.add(sum(mul(g, leaves(v)[i]))), tensor(0, undefined, 'float64'));
    const hvp = leaves(grad(inner)(params));

    const eps = 1e-5;
    const shifted = (sign: number) => leaves(grad(loss)(Object.fromEntries(
      Object.entries(params).map(([k, t]) => [k, t.add(v[k as keyof Params].mul(sign * eps))]),
    ) as Params));
    const plus = shifted(1);
    const minus = shifted(-1);
    hvp.forEach((h, i) => {
      const fd = Array.from(plus[i].storage, (p, k) => (p - minus[i].storage[k]) / (2 * eps));
      expectAllClose(h, fd, 1e-7);
    });
  });
});

describe('gradient accumulation', () => {
  it('fan-out: d(x·x)/dx = 2x', () => {
    const x = f64([1.5, -2, 3]);
    expectAllClose(grad((t: Tensor) => sum(mul(t, t)))(x), [3, -4, 6]);
  });

  it('diamond: d(f(x) + g(x)) = f′ + g′, through shared intermediates', () => {
    const x = f64([0.3, -0.7]);
    const h = (t: Tensor) => {
      const shared = exp(t);
      return sum(add(mul(shared, 2), square(shared)));
    };
    expectAllClose(grad(h)(x), [0.3, -0.7].map((v) => 2 * Math.exp(v) + 2 * Math.exp(2 * v)));
  });

  it('an input used by several ops and several outputs of one op accumulate', () => {
    const x = f64([2]);
    const f = (t: Tensor) => sum(add(add(mul(t, 3), mul(t, t)), exp(mul(t, 0))));
    expectAllClose(grad(f)(x), [3 + 4]);
  });
});

describe('the tree API', () => {
  it('takes and returns nested objects and arrays of tensors', () => {
    const params = { layers: [{ w: f64([1, 2]) }, { w: f64([3]) }], bias: f64([0.5]) };
    const f = (p: typeof params) => sum(p.layers[0].w.square()).add(sum(p.layers[1].w.mul(p.bias)));
    const [value, g] = valueAndGrad(f)(params);
    expect(value.item()).toBeCloseTo(1 + 4 + 1.5, 12);
    expect(g.layers[0].w.toArray()).toEqual([2, 4]);
    expect(g.layers[1].w.toArray()).toEqual([0.5]);
    expect(g.bias.toArray()).toEqual([3]);
  });

  it('passes extra arguments through without differentiating them', () => {
    const f = (w: Tensor, x: Tensor) => sum(mul(w, x));
    expect(grad(f)(f64([1, 1]), f64([4, 5])).toArray()).toEqual([4, 5]);
  });

  it('gives zeros for an input the function ignores', () => {
    expect(grad((p: Tensor[]) => sum(p[0]))([f64([1]), f64([2, 3])])[1].toArray()).toEqual([0, 0]);
  });

  it('vjp pulls back any cotangent of the right shape', () => {
    const { value, backward } = vjp((t: Tensor) => mul(t, 3), f64([1, 2]));
    expect(value.toArray()).toEqual([3, 6]);
    expect(backward(f64([1, -1])).toArray()).toEqual([3, -3]);
    expect(() => backward(f64([1]))).toThrow(ShapeError);
  });

  it('asks for a scalar loss', () => {
    expect(() => grad((t: Tensor) => mul(t, 2))(f64([1, 2]))).toThrow(/one element.*got shape \[2\]/);
  });

  it('reports a non-tensor leaf with its path', () => {
    expect(() => grad((p: { a: Tensor }) => sum(p.a))({ a: 3 as unknown as Tensor })).toThrow(/argument\.a: expected a tensor/);
  });
});

describe('recording', () => {
  it('noGrad and stopGradient block gradients', () => {
    const x = f64([2]);
    expect(grad((t: Tensor) => sum(mul(t, noGrad(() => t.mul(5)))))(x).toArray()).toEqual([10]);
    expect(grad((t: Tensor) => sum(mul(t, stopGradient(t))))(x).toArray()).toEqual([2]);
  });

  it('returns results that carry no tape, so nothing keeps the graph alive', () => {
    const [value, g] = valueAndGrad((t: Tensor) => sum(exp(t)))(f64([1, 2]));
    expect(value.entry).toBeUndefined();
    expect(g.entry).toBeUndefined();
  });

  it('names the primitive when a rule returns a gradient of the wrong shape', () => {
    const original = vjpRules.exp;
    vjpRules.exp = (g) => [() => sum(g)];
    try {
      expect(() => grad((t: Tensor) => sum(exp(t)))(f64([1, 2]))).toThrow(GradientError);
      expect(() => grad((t: Tensor) => sum(exp(t)))(f64([1, 2]))).toThrow(/vjp of exp: the gradient for input 0 is \[\] float64, but the input is \[2\] float64/);
    } finally {
      vjpRules.exp = original;
    }
  });
});

describe('memory', () => {
  it('a 10,000-step loop of valueAndGrad does not grow the heap', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const x = randomNormal([16, 8], { seed: 1 });
    const y = randomNormal([16, 2], { seed: 2 });
    let params = { w: randomNormal([8, 2], { seed: 3 }), b: randomNormal([2], { seed: 4 }) };
    const loss = (p: typeof params) => mean(square(tanh(x.matmul(p.w).add(p.b)).sub(y)));
    const step = () => {
      const [, g] = valueAndGrad(loss)(params);
      params = { w: params.w.sub(g.w.mul(0.01)), b: params.b.sub(g.b.mul(0.01)) };
    };
    const heapAfter = (steps: number) => {
      for (let i = 0; i < steps; i++) step();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const warm = heapAfter(1000);
    const after = heapAfter(9000);
    expect(after - warm, `heap grew from ${warm} to ${after} bytes`).toBeLessThan(1_000_000);
  });
});
