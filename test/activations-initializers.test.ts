import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConfigError, Rng, ShapeError, ValueError, elu, gelu, grad, hardSigmoid, leakyRelu, mish, relu, relu6,
  selu, softmax, softsign, sum, swish, tensor,
} from 'semiflow';
import { arbShape, arbTensor, checkGrad } from 'semiflow/testing';
import type { DType, Tensor } from 'semiflow';
import { getActivation, isSoftmax } from '../layers/activations.ts';
import type { Activation } from '../layers/activations.ts';
import { computeFans, getInitializer, initializers } from '../layers/initializers.ts';
import type { Initializer } from '../layers/initializers.ts';
import { erfcReference } from './specs/erf-reference.ts';

const RUNS = 40;

// ---------------------------------------------------------------- activations

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const jsSigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const jsSoftplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const jsElu = (x: number, alpha: number): number => (x > 0 ? x : alpha * Math.expm1(x));

interface Elementwise {
  ref: (x: number) => number;
  /** Kinks of the function or of its derivative, kept `gap` away from in the gradient check. */
  avoid?: number[];
  /** Drawn range, wide enough to reach the kinks. */
  range?: [number, number];
}

/** Plain-JS reference formulas (Keras's definitions). */
const elementwise: Record<string, Elementwise> = {
  linear: { ref: (x) => x },
  sigmoid: { ref: jsSigmoid },
  relu: { ref: (x) => Math.max(x, 0), avoid: [0] },
  tanh: { ref: Math.tanh },
  softplus: { ref: jsSoftplus },
  elu: { ref: (x) => jsElu(x, 1), avoid: [0] },
  selu: { ref: (x) => SELU_SCALE * jsElu(x, SELU_ALPHA), avoid: [0] },
  gelu: { ref: (x) => 0.5 * x * erfcReference(-x / Math.SQRT2), range: [-4, 4] },
  geluApproximate: { ref: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))), range: [-4, 4] },
  leakyRelu: { ref: (x) => (x > 0 ? x : 0.2 * x), avoid: [0] },
  swish: { ref: (x) => x * jsSigmoid(x) },
  softsign: { ref: (x) => x / (1 + Math.abs(x)), avoid: [0] },
  hardSigmoid: { ref: (x) => Math.min(Math.max(x / 6 + 0.5, 0), 1), avoid: [-3, 3], range: [-5, 5] },
  hardSigmoidTfjs: { ref: (x) => Math.min(Math.max(0.2 * x + 0.5, 0), 1), avoid: [-2.5, 2.5], range: [-4, 4] },
  relu6: { ref: (x) => Math.min(Math.max(x, 0), 6), avoid: [0, 6], range: [-2, 8] },
  mish: { ref: (x) => x * Math.tanh(jsSoftplus(x)), range: [-5, 5] },
};

/** Over the last axis. */
const alongRows: Record<string, (row: number[]) => number[]> = {
  softmax: (row) => {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const total = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / total);
  },
  logSoftmax: (row) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    return row.map((v) => v - lse);
  },
};

function reference(name: string, x: Tensor): number[] {
  if (name in elementwise) return Array.from(x.storage, elementwise[name].ref);
  const k = x.shape[x.rank - 1];
  return Array.from({ length: x.size / k }, (_, r) => alongRows[name](Array.from(x.storage.subarray(r * k, (r + 1) * k)))).flat();
}

/** Drawn inputs; the softmax family needs a last axis. */
function arbInput(name: string): fc.Arbitrary<Tensor> {
  const spec = elementwise[name] ?? {};
  const [min, max] = spec.range ?? [-3, 3];
  return arbShape({ minRank: name in elementwise ? 0 : 1, maxRank: 3 }).chain((shape) => arbTensor(shape, { min, max, avoid: spec.avoid ?? [] }));
}

function expectClose(actual: ArrayLike<number>, expected: readonly number[], rtol: number, atol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i];
    if (!(a === e || Math.abs(a - e) <= atol + rtol * Math.abs(e))) expect.fail(`${what}: element ${i} is ${a}, reference ${e}`);
  });
}

const ALL = [...Object.keys(elementwise), ...Object.keys(alongRows)];

describe.each(ALL)('activation %s', (name) => {
  const activation = getActivation(name, 'test');

  it('matches its plain-JS reference in float64', () => {
    expect(activation.name).toBe(name);
    fc.assert(fc.property(arbInput(name), (x) => {
      const out = activation.fn(x);
      expect(out.shape).toEqual(x.shape);
      expect(out.dtype).toBe('float64');
      expectClose(out.storage, reference(name, x), 1e-12, 1e-15, `${name} on ${x}`);
    }), { numRuns: RUNS });
  });

  it('has a gradient that checkGrad accepts', () => {
    fc.assert(fc.property(arbInput(name), fc.nat(), (x, seed) => {
      const result = checkGrad(activation.fn, x, { seed });
      expect(result.ok, `${name} on ${x}: ${result.message}`).toBe(true);
    }), { numRuns: RUNS });
  });

  it('stays finite, and accurate, at ±1e4 in float32, and so does its gradient', () => {
    const x = tensor([[-1e4, -100, -1, 0, 1, 100, 1e4]], undefined, 'float32');
    const out = activation.fn(x);
    expect(out.dtype).toBe('float32');
    // Below float32's smallest normal number (≈1.2e-38) only the absolute error can be asked for.
    expectClose(out.storage, reference(name, x), 1e-6, 1.2e-38, name);
    const g = grad((t: Tensor) => sum(activation.fn(t)))(x);
    expect(Array.from(g.storage).every(Number.isFinite), `${name} gradient ${g}`).toBe(true);
  });
});

describe('getActivation', () => {
  it('reads camelCase names, Keras snake_case names and the silu alias; undefined is linear', () => {
    expect(getActivation('leaky_relu', 'test').name).toBe('leakyRelu');
    expect(getActivation('hard_sigmoid', 'test').name).toBe('hardSigmoid');
    expect(getActivation('log_softmax', 'test').name).toBe('logSoftmax');
    expect(getActivation('silu', 'test')).toBe(getActivation('swish', 'test'));
    const x = tensor([1, -2]);
    expect(getActivation(undefined, 'test').name).toBe('linear');
    expect(getActivation(undefined, 'test').fn(x)).toBe(x);
  });

  it('wraps a bare function under its name, or "custom"; a core op becomes the built-in of that name', () => {
    function double(t: Tensor): Tensor {
      return t.mul(2);
    }
    const x = tensor([1, -2]);
    // A user's function is wrapped to run as user code (the buffer pool then never recycles what it sees).
    const wrapped = getActivation(double, 'test');
    expect(wrapped.name).toBe('double');
    expect(Array.from(wrapped.fn(x).storage)).toEqual(Array.from(double(x).storage));
    expect(getActivation((t: Tensor) => t, 'test').name).toBe('custom');
    expect(getActivation(relu, 'test')).toBe(getActivation('relu', 'test'));
    const own: Activation = { name: 'mine', fn: double };
    expect(getActivation(own, 'test').name).toBe('mine');
    const builtIn: Activation = { name: 'rectifier', fn: relu };
    expect(getActivation(builtIn, 'test')).toBe(builtIn);
  });

  it('maps each name onto the exported function, whose parameters can be set', () => {
    const fns = { elu, selu, gelu, leakyRelu, swish, mish, softsign, hardSigmoid, relu6 };
    for (const [name, fn] of Object.entries(fns)) expect(getActivation(name, 'test').fn, name).toBe(fn);
    expect(getActivation(gelu, 'test').name).toBe('gelu');
    const x = tensor([-2, 3], undefined, 'float64');
    expect(Array.from(elu(x, 0.5).storage)).toEqual([0.5 * Math.expm1(-2), 3]);
    expect(Array.from(leakyRelu(x).storage)).toEqual([-2 * 0.2, 3]);
    expect(Array.from(leakyRelu(x, 0.3).storage)).toEqual([-2 * 0.3, 3]);
    expect(Array.from(x.elu(0.5).storage)).toEqual(Array.from(elu(x, 0.5).storage));
    expect(Array.from(getActivation('geluApproximate', 'test').fn(x).storage)).toEqual(Array.from(gelu(x, { approximate: true }).storage));
  });

  it('refuses bad parameters with a typed error naming the function', () => {
    const x = tensor([1]);
    expect(() => elu(x, Number.NaN)).toThrow(ValueError);
    expect(() => elu(x, Number.NaN)).toThrow(/^elu: alpha must be a finite number, got NaN/);
    expect(() => leakyRelu(x, '0.1' as never)).toThrow(/^leakyRelu: alpha must be a finite number, got string "0\.1"/);
    expect(() => gelu(x, { approx: true } as never)).toThrow(ConfigError);
    expect(() => gelu(x, { approximate: 1 } as never)).toThrow(/^gelu: approximate must be true or false, got .*1/);
  });

  it('isSoftmax is true for the built-in softmax only', () => {
    expect(isSoftmax(getActivation('softmax', 'test'))).toBe(true);
    expect(isSoftmax(getActivation(softmax, 'test'))).toBe(true);
    expect(isSoftmax(getActivation('logSoftmax', 'test'))).toBe(false);
    expect(isSoftmax(getActivation('sigmoid', 'test'))).toBe(false);
    expect(isSoftmax({ name: 'softmax', fn: (t: Tensor) => softmax(t.mul(2)) })).toBe(false);
  });

  it('an unknown name is a ConfigError naming the caller and listing the valid names', () => {
    expect(() => getActivation('rleu', 'dense_1')).toThrow(ConfigError);
    expect(() => getActivation('rleu', 'dense_1')).toThrow(/^dense_1: unknown activation 'rleu' \(expected one of linear, sigmoid, relu, tanh, softplus, softmax, .*mish, silu/);
    expect(() => getActivation('constructor', 'dense_1')).toThrow(/unknown activation 'constructor'/);
    expect(() => getActivation(3 as unknown as string, 'dense_1')).toThrow(new ConfigError('dense_1: an activation must be a name, an Activation or a function, got number 3'));
  });
});

// ---------------------------------------------------------------- initializers

const factories: Record<string, () => Initializer> = {
  zeros: () => initializers.zeros(),
  ones: () => initializers.ones(),
  constant: () => initializers.constant({ value: 0.5 }),
  randomNormal: () => initializers.randomNormal(),
  randomUniform: () => initializers.randomUniform(),
  truncatedNormal: () => initializers.truncatedNormal(),
  varianceScaling: () => initializers.varianceScaling(),
  glorotUniform: () => initializers.glorotUniform(),
  glorotNormal: () => initializers.glorotNormal(),
  heNormal: () => initializers.heNormal(),
  heUniform: () => initializers.heUniform(),
  lecunNormal: () => initializers.lecunNormal(),
  lecunUniform: () => initializers.lecunUniform(),
};
const RANDOM = Object.keys(factories).filter((n) => !['zeros', 'ones', 'constant'].includes(n));

const draw = (init: Initializer, shape: readonly number[], dtype: DType = 'float64', rng = new Rng(0)): number[] => Array.from(init.create(shape, dtype, rng).storage);
const maxAbs = (xs: readonly number[], center = 0): number => Math.max(...xs.map((v) => Math.abs(v - center)));
const stats = (xs: readonly number[]): { mean: number; std: number } => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length) };
};
/** Keras's 1/0.8796…: a normal truncated at 2σ has 0.8796… of the untruncated std. */
const TRUNCATED_STD = 0.87962566103423978;

describe.each(Object.keys(factories))('initializer %s', (name) => {
  it('makes the requested shape and dtype, and is found by getInitializer in both spellings', () => {
    const init = factories[name]();
    expect(init.name).toBe(name);
    for (const dtype of ['float32', 'float64'] as const) {
      const t = init.create([3, 4], dtype, new Rng(1));
      expect(t.shape).toEqual([3, 4]);
      expect(t.dtype).toBe(dtype);
      expect(Array.from(t.storage).every(Number.isFinite)).toBe(true);
    }
    expect(init.create([], 'float64', new Rng(1)).shape).toEqual([]);
    expect(init.create([0, 5], 'float64', new Rng(1)).size).toBe(0);
    const snake = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    expect(getInitializer(snake, 'test').name).toBe(name);
  });
});

describe('initializer randomness', () => {
  it.each(RANDOM)('%s: the same Rng seed gives the same values, another seed and the next call differ', (name) => {
    const init = factories[name]();
    expect(draw(init, [5, 6], 'float64', new Rng(7))).toEqual(draw(init, [5, 6], 'float64', new Rng(7)));
    expect(draw(init, [5, 6], 'float64', new Rng(7))).not.toEqual(draw(init, [5, 6], 'float64', new Rng(8)));
    const rng = new Rng(7);
    expect(draw(init, [5, 6], 'float64', rng)).not.toEqual(draw(init, [5, 6], 'float64', rng));
  });

  it.each(RANDOM)('%s: with its own seed, every call gives the same values whatever Rng is passed', (name) => {
    const make = (initializers as unknown as Record<string, (o: { seed: number }) => Initializer>)[name];
    const seeded = make({ seed: 3 });
    expect(seeded.config.seed).toBe(3);
    const first = draw(seeded, [4, 4], 'float64', new Rng(1));
    expect(draw(seeded, [4, 4], 'float64', new Rng(2))).toEqual(first);
    expect(draw(make({ seed: 4 }), [4, 4], 'float64', new Rng(1))).not.toEqual(first);
    expect(factories[name]().config.seed).toBe(null);
  });

  it('float32 values are the float64 values rounded', () => {
    const init = initializers.heNormal({ seed: 5 });
    expect(draw(init, [10, 10], 'float32')).toEqual(draw(init, [10, 10], 'float64').map(Math.fround));
  });
});

describe('initializer values and Keras statistics', () => {
  it('zeros, ones and constant fill', () => {
    expect(new Set(draw(initializers.zeros(), [2, 3]))).toEqual(new Set([0]));
    expect(new Set(draw(initializers.ones(), [2, 3]))).toEqual(new Set([1]));
    expect(new Set(draw(initializers.constant({ value: -2.5 }), [2, 3]))).toEqual(new Set([-2.5]));
    expect(initializers.constant().config).toEqual({ value: 0 });
  });

  it('computeFans follows Keras: dense [in,out], conv [kh,kw,inC,outC], 1-D and scalar shapes', () => {
    expect(computeFans([7, 2])).toEqual({ fanIn: 7, fanOut: 2 });
    expect(computeFans([3, 3, 4, 8])).toEqual({ fanIn: 36, fanOut: 72 });
    expect(computeFans([5, 2, 6])).toEqual({ fanIn: 10, fanOut: 30 });
    expect(computeFans([5])).toEqual({ fanIn: 5, fanOut: 5 });
    expect(computeFans([])).toEqual({ fanIn: 1, fanOut: 1 });
  });

  it('glorotUniform stays within √(6/(fanIn+fanOut)) and reaches near it, for dense and conv kernels', () => {
    for (const shape of [[50, 30], [3, 3, 16, 32]]) {
      const { fanIn, fanOut } = computeFans(shape);
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const values = draw(initializers.glorotUniform(), shape);
      expect(maxAbs(values)).toBeLessThanOrEqual(limit);
      expect(maxAbs(values)).toBeGreaterThan(0.99 * limit);
      expect(maxAbs(draw(initializers.glorotUniform(), shape, 'float32'))).toBeLessThanOrEqual(Math.fround(limit));
    }
  });

  it('heUniform and lecunUniform use fanIn, including the conv receptive field', () => {
    const values = draw(initializers.heUniform(), [3, 3, 4, 8]);
    expect(maxAbs(values)).toBeLessThanOrEqual(Math.sqrt(6 / 36));
    expect(maxAbs(values)).toBeGreaterThan(0.99 * Math.sqrt(6 / 36));
    const lecun = draw(initializers.lecunUniform(), [40, 1000]);
    expect(maxAbs(lecun)).toBeLessThanOrEqual(Math.sqrt(3 / 40));
    expect(maxAbs(lecun)).toBeGreaterThan(0.99 * Math.sqrt(3 / 40));
  });

  it('the truncated normals keep their target std and never pass 2σ of the untruncated normal', () => {
    const cases: [Initializer, number[], number][] = [
      [initializers.heNormal(), [200, 500], Math.sqrt(2 / 200)],
      [initializers.glorotNormal(), [3, 3, 20, 30], Math.sqrt(2 / (180 + 270))],
      [initializers.lecunNormal(), [300, 300], Math.sqrt(1 / 300)],
      [initializers.varianceScaling({ scale: 3, mode: 'fanOut' }), [100, 400], Math.sqrt(3 / 400)],
    ];
    for (const [init, shape, target] of cases) {
      const values = draw(init, shape);
      const { mean, std } = stats(values);
      expect(Math.abs(std / target - 1), `${init.name} std ${std} vs ${target}`).toBeLessThan(0.05);
      expect(Math.abs(mean)).toBeLessThan(0.05 * target);
      const sigma = target / TRUNCATED_STD;
      expect(maxAbs(values)).toBeLessThanOrEqual(2 * sigma);
      expect(maxAbs(values)).toBeGreaterThan(1.99 * sigma);
    }
  });

  it('truncatedNormal redraws beyond 2σ around its mean', () => {
    const values = draw(initializers.truncatedNormal({ mean: 1, stddev: 0.5 }), [100, 1000]);
    expect(maxAbs(values, 1)).toBeLessThanOrEqual(1);
    expect(maxAbs(values, 1)).toBeGreaterThan(0.999);
    expect(Math.abs(stats(values).std / (0.5 * TRUNCATED_STD) - 1)).toBeLessThan(0.02);
  });

  it('randomNormal and randomUniform have their Keras defaults and options', () => {
    const normal = stats(draw(initializers.randomNormal(), [100, 1000]));
    expect(Math.abs(normal.std / 0.05 - 1)).toBeLessThan(0.02);
    const shifted = stats(draw(initializers.randomNormal({ mean: 3, stddev: 2 }), [100, 1000]));
    expect(Math.abs(shifted.mean - 3)).toBeLessThan(0.05);
    expect(Math.abs(shifted.std / 2 - 1)).toBeLessThan(0.02);
    const uniform = draw(initializers.randomUniform(), [100, 100]);
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(-0.05);
    expect(Math.max(...uniform)).toBeLessThan(0.05);
    const ranged = draw(initializers.randomUniform({ minval: 2, maxval: 3 }), [100, 100]);
    expect([Math.min(...ranged) >= 2, Math.min(...ranged) < 2.01, Math.max(...ranged) < 3, Math.max(...ranged) > 2.99]).toEqual([true, true, true, true]);
  });
});

describe('initializer errors', () => {
  it('an unknown name is a ConfigError naming the caller and listing the valid names', () => {
    expect(() => getInitializer('glorot', 'dense_1.kernel')).toThrow(ConfigError);
    expect(() => getInitializer('glorot', 'dense_1.kernel')).toThrow(/^dense_1\.kernel: unknown initializer 'glorot' \(expected one of zeros, ones, constant, .*glorotUniform, .*lecunUniform/);
    expect(() => getInitializer({} as Initializer, 'dense_1.kernel')).toThrow(new ConfigError('dense_1.kernel: an initializer must be a name or an Initializer, got an object (Object)'));
    const own = initializers.ones();
    expect(getInitializer(own, 'test')).toBe(own);
  });

  it('bad options are ValueErrors, unknown ones ConfigErrors', () => {
    expect(() => initializers.randomNormal({ stddev: NaN })).toThrow(new ValueError('randomNormal: stddev must be a finite number, got number NaN'));
    expect(() => initializers.truncatedNormal({ stddev: -1 })).toThrow(new ValueError('truncatedNormal: stddev must be >= 0, got -1'));
    expect(() => initializers.randomNormal({ mean: Infinity })).toThrow(/randomNormal: mean must be a finite number/);
    expect(() => initializers.randomUniform({ minval: 1, maxval: 1 })).toThrow(new ValueError('randomUniform: expected minval < maxval, got minval 1, maxval 1'));
    expect(() => initializers.randomUniform({ minval: 2 })).toThrow(ValueError);
    expect(() => initializers.constant({ value: NaN })).toThrow(/constant: value must be a finite number/);
    expect(() => initializers.glorotUniform({ seed: 1.5 })).toThrow(new ValueError('glorotUniform: seed must be an integer with |seed| < 2^53, got number 1.5'));
    expect(() => initializers.varianceScaling({ scale: 0 })).toThrow(/varianceScaling: scale must be > 0/);
    expect(() => initializers.varianceScaling({ mode: 'fan_in' as never })).toThrow(ConfigError);
    expect(() => initializers.varianceScaling({ distribution: 'normal' as never })).toThrow(/varianceScaling: distribution must be one of 'truncatedNormal', 'untruncatedNormal', 'uniform'/);
    expect(() => initializers.randomNormal({ std: 1 } as never)).toThrow(new ConfigError("randomNormal: unknown option 'std' (did you mean 'stddev'?); valid options are mean, stddev, seed"));
    expect(() => initializers.heNormal({ scale: 2 } as never)).toThrow(/heNormal: unknown option 'scale'; valid options are seed/);
  });

  it('create checks its shape, dtype and generator', () => {
    expect(() => initializers.glorotUniform().create([2, -1], 'float32', new Rng(0))).toThrow(ShapeError);
    expect(() => initializers.glorotUniform().create([2, 2], 'float16' as DType, new Rng(0))).toThrow(new ConfigError("glorotUniform: unknown dtype 'float16' (expected one of float32, float64)"));
    expect(() => initializers.heNormal().create([2, 2], 'float32', undefined as unknown as Rng)).toThrow(/heNormal: create needs an Rng when the initializer has no seed, got undefined/);
    expect(initializers.heNormal({ seed: 1 }).create([2, 2], 'float32', undefined as unknown as Rng).shape).toEqual([2, 2]);
  });
});
