import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Activation, debugNumerics, NumericsError, customGrad, Dense, Layer, Sequential, exp, grad, GradientError, hessian,
  jvp, less, log1p, matmul, mul, noGrad, randomNormal, sigmoid, softplus, stopGradient, sum, tensor, ValueError,
  valueAndGrad, where,
} from 'semiflow';
import { arbShape, arbTensor, checkGrad } from 'semiflow/testing';
import type { Shape, Tensor, Weight } from 'semiflow';
import { expectClose } from './close.ts';
import { thrown } from './thrown.ts';

const f64 = (values: number[], shape?: number[]) => tensor(values, shape, 'float64');
const RUNS = { numRuns: 30 };


/** The identity forward with clipped gradients: the rule is not the forward's derivative, on purpose. */
const clipGrad = customGrad('clipGrad', (x: Tensor) => ({ value: x, vjp: (g) => [g.clip(-1, 1)] }));

/** exp whose vjp reuses the forward's output y: the residual carries the second derivative. */
const expWithResidual = customGrad('expWithResidual', (x: Tensor) => {
  const y = exp(x);
  return { value: y, vjp: (g) => [mul(g, y)] };
});

/** log(1 + eˣ) with the rule g·sigmoid(x), written from the input. */
const mySoftplus = customGrad('mySoftplus', (x: Tensor) => ({ value: log1p(exp(x)), vjp: (g) => [mul(g, sigmoid(x))] }));

describe('customGrad replaces the derivative of its forward', () => {
  it('uses the rule, not the forward: clipped gradients of the identity', () => {
    const x = f64([0.5, -2, 3]);
    expect(clipGrad(x)).toBe(x); // outside a grad the value comes back untouched
    expect(grad((t: Tensor) => sum(clipGrad(t).mul(5)))(x).toArray()).toEqual([1, 1, 1]);
    expect(grad((t: Tensor) => sum(clipGrad(t).mul(f64([0.25, -3, 0.5]))))(x).toArray()).toEqual([0.25, -1, 0.5]);
  });

  it('a straight-through estimator: a step forward, the identity backward', () => {
    const step = customGrad('step', (x: Tensor) => ({ value: where(less(x, 0), -1, 1), vjp: (g) => [g] }));
    const x = f64([-0.3, 0.2, 4]);
    const [value, g] = valueAndGrad((t: Tensor) => sum(step(t).mul(f64([1, 2, 3]))))(x);
    expect(value.item()).toBe(-1 + 2 + 3);
    expect(g.toArray()).toEqual([1, 2, 3]);
  });

  it('is one node: the ops of the forward are not differentiated', () => {
    // The forward is x², but the rule says 3: the gradient is 3 wherever x is.
    const odd = customGrad('odd', (x: Tensor) => ({ value: mul(x, x), vjp: (g) => [mul(g, 3)] }));
    expect(grad((t: Tensor) => sum(odd(t)))(f64([1, 7])).toArray()).toEqual([3, 3]);
  });

  it('takes several tree arguments and returns a tree, and its correct rule passes checkGrad', () => {
    // value: [a.u * b, a.v + b]; the rule: d/du = g0·b, d/dv = g1, d/db = g0·u + g1.
    const pair = customGrad('pair', (a: { u: Tensor; v: Tensor }, b: Tensor) => ({
      value: [mul(a.u, b), a.v.add(b)],
      vjp: ([g0, g1]: Tensor[]) => [{ u: mul(g0, b), v: g1 }, mul(g0, a.u).add(g1)],
    }));
    fc.assert(fc.property(arbShape({ maxRank: 3 }).chain((s) => fc.tuple(arbTensor(s), arbTensor(s), arbTensor(s))), ([u, v, b]) => {
      const result = checkGrad(([a, c]: [{ u: Tensor; v: Tensor }, Tensor]) => pair(a, c), [{ u, v }, b]);
      expect(result.ok, result.message).toBe(true);
      expect(result.inputs.map((r) => r.path)).toEqual(['x[0].u', 'x[0].v', 'x[1]']);
    }), RUNS);
  });

  it('pulls back all outputs at once, with zeros for an output the loss ignores', () => {
    const seen: number[][] = [];
    const split = customGrad('split', (x: Tensor) => ({
      value: [x.mul(2), x.mul(3)],
      vjp: ([g0, g1]: Tensor[]) => {
        seen.push([...g0.storage, ...g1.storage]);
        return [g0.mul(2).add(g1.mul(3))];
      },
    }));
    const x = f64([1, 2]);
    expect(grad((t: Tensor) => sum(split(t)[0]))(x).toArray()).toEqual([2, 2]);
    expect(grad((t: Tensor) => { const [a, b] = split(t); return sum(a.mul(b)); })(x).toArray()).toEqual([12, 24]);
    expect(seen).toEqual([[1, 1, 0, 0], [3, 6, 2, 4]]);
  });

  it('accumulates over fan-out and through a nested customGrad, and a null cotangent gives zeros', () => {
    const scaleFirst = customGrad('scaleFirst', (x: Tensor, k: Tensor) => ({ value: mul(x, k), vjp: (g) => [mul(g, k), null] }));
    const outer = customGrad('outer', (x: Tensor) => {
      const y = expWithResidual(x);
      return { value: y, vjp: (g) => [mul(g, y)] };
    });
    const [gx, gk] = grad(([x, k]: Tensor[]) => sum(scaleFirst(x, k)).add(sum(scaleFirst(x, k).mul(x))).add(sum(outer(x))))([f64([1, 2]), f64([3, 4])]);
    expectClose(gx, [3 + 3 * 2 * 1 + Math.E, 4 + 4 * 2 * 2 + Math.exp(2)]);
    expect(gk.toArray()).toEqual([0, 0]);
  });

  it('is not recorded under noGrad or when no input is traced', () => {
    const x = f64([1]);
    const g = grad((t: Tensor) => sum(mul(t, noGrad(() => mySoftplus(t)))).add(sum(mySoftplus(f64([2])))))(x);
    expectClose(g, [Math.log1p(Math.E)]);
  });
});

describe('customGrad is differentiable where its rule is', () => {
  const points = [-2, -0.5, 0, 0.7, 3];
  const x = f64(points);
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const d = (f: (t: Tensor) => Tensor) => grad((t: Tensor) => sum(f(t)));

  it('grad of grad through a rule written from the input: softplus″ = sigmoid′', () => {
    expectClose(d(mySoftplus)(x), points.map(sig));
    expectClose(d(d(mySoftplus))(x), points.map((v) => sig(v) * (1 - sig(v))));
    expectClose(hessian((t: Tensor) => sum(mySoftplus(t)))(x), hessianOfSum(points, (v) => sig(v) * (1 - sig(v))));
  });

  it('grad of grad through a residual of the forward: exp″ = exp, and exp‴ too', () => {
    expectClose(d(expWithResidual)(x), points.map(Math.exp));
    expectClose(d(d(expWithResidual))(x), points.map(Math.exp));
    expectClose(d(d(d(expWithResidual)))(x), points.map(Math.exp));
  });

  it('jvp transposes a linear rule, and the results agree with the library softplus', () => {
    fc.assert(fc.property(arbShape({ maxRank: 3 }).chain((s) => fc.tuple(arbTensor(s), arbTensor(s))), ([t, v]) => {
      expectClose(jvp(mySoftplus, t, v).tangent, jvp(softplus, t, v).tangent.storage, 1e-12);
      expectClose(jvp(expWithResidual, t, v).tangent, mul(exp(t), v).storage, 1e-12);
    }), RUNS);
  });

  it('second derivatives of a custom matmul pass checkGrad over random sizes', () => {
    // y = a·w with the rule (g·wᵀ, aᵀ·g); then the gradient of ⟨y, y⟩ with respect to a, w is checked numerically.
    const myMatmul = customGrad('myMatmul', (a: Tensor, w: Tensor) => ({
      value: matmul(a, w),
      vjp: (g) => [matmul(g, w.transpose()), matmul(a.transpose(), g)],
    }));
    fc.assert(fc.property(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }))
      .chain(([m, k, n]) => fc.tuple(arbTensor([m, k]), arbTensor([k, n]))), ([a, w]) => {
      const gradOfSquare = grad(([p, q]: Tensor[]) => sum(myMatmul(p, q).square()));
      const result = checkGrad(gradOfSquare, [a, w]);
      expect(result.ok, result.message).toBe(true);
    }), RUNS);
  });
});

describe('checkGrad catches a wrong custom gradient', () => {
  /** a·w with the gradient for w doubled: the rule should be g·a. */
  const wrongScale = customGrad('wrongScale', (a: Tensor, w: Tensor) => ({ value: mul(a, w), vjp: (g) => [mul(g, w), mul(g, a).mul(2)] }));

  it('and names the input whose gradient is wrong, over random shapes', () => {
    fc.assert(fc.property(arbShape({ maxRank: 3 }).chain((s) => fc.tuple(arbTensor(s), arbTensor(s, { min: 0.5, max: 2 }))), ([w, a]) => {
      const result = checkGrad(([p, q]: Tensor[]) => wrongScale(p, q), [a, w]);
      expect(result.ok).toBe(false);
      expect(result.worst.path).toBe('x[1]');
      expect(result.message).toMatch(/^gradient check failed for x\[1\]: /);
      const right = result.inputs.find((r) => r.path === 'x[0]');
      expect(right?.error).toBeLessThanOrEqual(right?.tolerance ?? 0);
    }), RUNS);
  });

  it('points at the element, with the analytic value twice the numeric one', () => {
    const result = checkGrad(([p, q]: Tensor[]) => wrongScale(p, q), [f64([1, 2]), f64([3, -1])]);
    expect(result.worstElement?.path).toBe('x[1]');
    const { analytic, numeric } = result.worstElement as NonNullable<typeof result.worstElement>;
    expect(analytic / numeric).toBeCloseTo(2, 6);
  });
});

describe('customGrad errors name the function and the input', () => {
  const x = f64([1, 2, 3]);
  const lossOf = (f: (t: Tensor) => Tensor) => () => grad((t: Tensor) => sum(f(t)))(x);

  it('a rule that returns the wrong number of cotangents', () => {
    const two = customGrad('twoInputs', (a: Tensor, b: Tensor) => ({ value: a.add(b), vjp: (g) => [g] as unknown as [Tensor, Tensor] }));
    const error = thrown(() => grad((t: Tensor) => sum(two(t, t)))(x));
    expect(error).toBeInstanceOf(GradientError);
    expect(error.message).toBe('twoInputs: the vjp must return an array with one cotangent (or null) per input, 2 in all, got an array of 1');
    const bare = customGrad('bare', (a: Tensor) => ({ value: a, vjp: (g) => g as unknown as [Tensor] }));
    expect(thrown(lossOf(bare)).message).toMatch(/^bare: the vjp must return an array .* got an object \(Tensor\)/);
  });

  it('a cotangent of the wrong shape or dtype', () => {
    const shape = customGrad('badShape', (a: Tensor, w: Tensor) => ({ value: a.mul(w), vjp: (g) => [g.mul(w), sum(g)] }));
    const error = thrown(() => grad((t: Tensor) => sum(shape(x, t)))(x));
    expect(error).toBeInstanceOf(GradientError);
    expect(error.message).toBe("badShape: the vjp's cotangent for input 1 is [] float64, but input 1 is [3] float64");
    const dtype = customGrad('badDtype', (a: Tensor) => ({ value: a, vjp: (g) => [g.cast('float32')] }));
    expect(thrown(lossOf(dtype)).message).toBe("badDtype: the vjp's cotangent for input 0 is [3] float32, but input 0 is [3] float64");
  });

  it('a cotangent tree that does not match the argument tree, with the path of the mismatch', () => {
    const tree = customGrad('treeRule', (p: { u: Tensor; v: Tensor[] }) => ({ value: p.u.add(p.v[0]), vjp: (g) => [{ u: g, v: [g, g] }] }));
    const error = thrown(() => grad((t: Tensor) => sum(tree({ u: t, v: [t] })))(x));
    expect(error).toBeInstanceOf(GradientError);
    expect(error.message).toMatch(/^treeRule: the vjp's cotangent for input 0\.v must be an array of 1 like input 0\.v, got an array$/);
  });

  it('a forward that reads a traced tensor it was not given', () => {
    const error = thrown(() => grad((w: Tensor) => {
      const scale = customGrad('closesOver', (a: Tensor) => ({ value: a.mul(w), vjp: (g) => [g.mul(w)] }));
      return sum(scale(x));
    })(f64([2, 2, 2])));
    expect(error).toBeInstanceOf(GradientError);
    expect(error.message).toMatch(/^closesOver: the forward reads a tensor \(\[3\] float64\) that a grad is tracing but that is not one of its inputs/);
    // Behind stopGradient it is a constant, on purpose.
    const g = grad((w: Tensor) => {
      const scale = customGrad('constant', (a: Tensor) => ({ value: a.mul(stopGradient(w)), vjp: (gg) => [gg.mul(stopGradient(w))] }));
      return sum(scale(w));
    })(f64([2, 3]));
    expect(g.toArray()).toEqual([2, 3]);
  });

  it('bad arguments to customGrad and to the function it makes', () => {
    expect(thrown(() => customGrad('', (a: Tensor) => ({ value: a, vjp: (g) => [g] }))).message).toBe('customGrad: name must be a non-empty string, got string ""');
    expect(thrown(() => customGrad('f', 3 as never))).toBeInstanceOf(ValueError);
    expect(thrown(() => customGrad('noRule', (a: Tensor) => a as never)(x)).message).toMatch(/^noRule: the function must return \{ value, vjp \} with vjp a function, got an object \(Tensor\)/);
    expect(thrown(() => clipGrad(3 as never)).message).toMatch(/^clipGrad: input 0: expected a tensor/);
  });
});

describe('debugNumerics', () => {
  it('names the custom function whose rule made a non-finite value, and where it was called', () => {
    const badRule = customGrad('badRule', (x: Tensor) => ({ value: x.square(), vjp: (g) => [g.div(x)] }));
    const previous = debugNumerics(true);
    try {
      const error = thrown(() => grad((t: Tensor) => sum(badRule(t)))(f64([1, 0, 2])));
      expect(error).toBeInstanceOf(NumericsError);
      expect(error.message).toMatch(/^reciprocal: produced Infinity in the backward pass, computing the gradient of badRule: 1 of 3 values/);
      expect(error.message).toMatch(/The forward badRule was called\n\s+at .*custom-grad\.test\.ts/);
    } finally {
      debugNumerics(previous);
    }
  });
});

describe('gradient reversal', () => {
  it('flips the gradient and keeps the value', () => {
    const reverse = customGrad('reverse', (x: Tensor) => ({ value: x, vjp: (g) => [g.neg()] }));
    const w = randomNormal([3], { seed: 1, dtype: 'float64' });
    const plain = grad((p: Tensor) => sum(p.square()))(w);
    const flipped = grad((p: Tensor) => sum(reverse(p).square()))(w);
    expectClose(flipped, plain.neg().storage);
  });
});

/** The Hessian of Σ f(xᵢ): diagonal, with f″ on the diagonal, flattened row-major. */
function hessianOfSum(points: number[], second: (v: number) => number): number[] {
  return points.flatMap((v, i) => points.map((_, j) => (i === j ? second(v) : 0)));
}

describe('inside fit, where each step runs in a buffer scope', () => {
  /** softplus through its composite, or through a customGrad with the same value and the rule g·sigmoid(x). */
  const train = async (activation: (x: Tensor) => Tensor) => {
    const model = new Sequential({ seed: 3 });
    model.add(new Dense(6, { inputShape: [3] }));
    model.add(new Activation(activation));
    model.add(new Dense(1));
    model.compile({ optimizer: 'adam', loss: 'mse' });
    const x = randomNormal([64, 3], { seed: 4 });
    const y = sum(x.square(), -1, true);
    const history = await model.fit(x, y, { epochs: 4, batchSize: 16, verbose: 0 });
    return { weights: model.getWeights(), loss: history.history.loss };
  };

  it('trains as the composite does: the same weights up to float32 rounding of the gradient', async () => {
    const composite = await train(softplus);
    const custom = await train(customGrad('softplusRule', (x: Tensor) => ({ value: softplus(x), vjp: (g) => [mul(g, sigmoid(x))] })));
    expect(custom.loss[3]).toBeLessThan(custom.loss[0]);
    composite.weights.forEach((w, i) => expectClose(custom.weights[i], w.storage, 1e-6)); // measured: 1.2e-8
  });

  it('never recycles what its vjp is handed or makes: tensors a rule keeps stay intact over later steps', async () => {
    const kept: { tensor: Tensor; values: number[] }[] = [];
    const keep = (t: Tensor): Tensor => {
      kept.push({ tensor: t, values: Array.from(t.storage) });
      return t;
    };
    const noted = customGrad('noted', (x: Tensor) => ({ value: softplus(x), vjp: (g) => [keep(mul(keep(g), sigmoid(x)))] }));
    const model = new Sequential({ seed: 5 });
    // 64 rows x 32 units: 2,048 values per activation, large enough for the pool.
    model.add(new Dense(32, { inputShape: [8] }));
    model.add(new Activation(noted));
    model.add(new Dense(1));
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = randomNormal([256, 8], { seed: 6 });
    const y = randomNormal([256, 1], { seed: 7 });
    await model.fit(x, y, { epochs: 1, batchSize: 64, verbose: 0 });
    const seen = kept.length;
    expect(seen).toBe(2 * 4);
    await model.fit(x, y, { epochs: 3, batchSize: 64, verbose: 0 });
    kept.slice(0, seen).forEach(({ tensor, values }, i) => expect(Array.from(tensor.storage), `kept tensor ${i}`).toEqual(values));
  });

  it('refuses a rule that reads a weight it was not given, naming the function', async () => {
    class Scaled extends Layer {
      private scale!: Weight;
      protected override build(inputShape: Shape): void {
        this.scale = this.addWeight('scale', [inputShape[inputShape.length - 1]], 'ones');
      }
      protected call(x: Tensor): Tensor {
        const w = this.scale.value;
        return customGrad('scaleRule', (a: Tensor) => ({ value: a.mul(w), vjp: (g) => [g.mul(w)] }))(x);
      }
    }
    const model = new Sequential({ seed: 1 });
    model.add(new Dense(2, { inputShape: [3] }));
    model.add(new Scaled());
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(model.fit(randomNormal([8, 3], { seed: 2 }), randomNormal([8, 2], { seed: 3 }), { epochs: 1, verbose: 0 }))
      .rejects.toThrow(/scaleRule: the forward reads a tensor \(\[2\] float32\) that a grad is tracing but that is not one of its inputs/);
  });
});
