// The pooling, reshaping, activation and noise layers of issue 15: values against a direct computation,
// Keras's defaults, gradients (float64, fast-check shapes) and errors naming the layer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AveragePooling2D, ConfigError, GlobalAveragePooling2D, GlobalMaxPooling2D, LayerNormalization, LeakyReLU, PReLU, Permute, ReLU, RepeatVector,
  GaussianNoise, Reshape, Rng, ShapeError, Softmax, SpatialDropout2D, ValueError, checkLayerGrad, randomNormal,
} from 'semiflow';
import { arbDistinctTensor, arbPoolConfig, arbTensor } from 'semiflow/testing';
import type { Layer, Tensor } from 'semiflow';
import { naiveAvgPool2d } from './specs/window-linalg.ts';

const RUNS = 20;

const expectGradOk = (layer: Layer, x: Tensor, options = {}): void => {
  const result = checkLayerGrad(layer, x, options);
  expect(result.ok, result.message).toBe(true);
};
const close = (actual: Tensor, expected: ArrayLike<number>, tol: number): void => {
  expect(actual.size).toBe(expected.length);
  for (let i = 0; i < actual.size; i++) expect(Math.abs(actual.storage[i] - expected[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i])));
};
const arbShape = (minRank: number, maxRank: number) => fc.array(fc.integer({ min: 1, max: 4 }), { minLength: minRank, maxLength: maxRank });

describe('LayerNormalization', () => {
  it('normalizes each sample over the given axes, with Keras defaults and gamma, beta shaped like those axes', () => {
    const layer = new LayerNormalization({ axis: [1, -1], gammaInitializer: 'randomNormal', betaInitializer: 'randomNormal' });
    expect([layer.epsilon, layer.center, layer.scale, new LayerNormalization().axis]).toEqual([1e-3, true, true, -1]);
    const x = randomNormal([2, 3, 2, 4], { seed: 3, dtype: 'float64' });
    const y = layer.apply(x);
    expect(layer.weights.map((w) => [w.name, w.shape])).toEqual([['gamma', [3, 4]], ['beta', [3, 4]]]);
    const { gamma, beta } = layer.params;
    const at = (n: number, i: number, j: number, k: number): number => ((n * 3 + i) * 2 + j) * 4 + k;
    for (let n = 0; n < 2; n++) {
      for (let j = 0; j < 2; j++) {
        const values: number[] = [];
        for (let i = 0; i < 3; i++) for (let k = 0; k < 4; k++) values.push(x.storage[at(n, i, j, k)]);
        const m = values.reduce((s, v) => s + v, 0) / values.length;
        const v = values.reduce((s, u) => s + (u - m) ** 2, 0) / values.length;
        for (let i = 0; i < 3; i++) {
          for (let k = 0; k < 4; k++) {
            const expected = gamma.storage[i * 4 + k] * (x.storage[at(n, i, j, k)] - m) / Math.sqrt(v + 1e-3) + beta.storage[i * 4 + k];
            expect(y.storage[at(n, i, j, k)]).toBeCloseTo(expected, 12);
          }
        }
      }
    }
  });

  it('has a correct gradient over random shapes and axes', () => {
    fc.assert(fc.property(
      arbShape(2, 4).chain((shape) => fc.tuple(arbTensor(shape), fc.subarray(shape.slice(1).map((_, i) => i + 1), { minLength: 1 }), fc.boolean())),
      ([x, axes, scale]) => {
        expectGradOk(new LayerNormalization({ axis: axes, scale, gammaInitializer: 'randomNormal', betaInitializer: 'randomNormal' }), x);
      },
    ), { numRuns: RUNS });
  });

  it('refuses bad axes and options, naming the layer', () => {
    expect(() => new LayerNormalization({ name: 'ln_a', axis: [] })).toThrow(/ln_a: axis must be an integer or a non-empty list/);
    expect(() => new LayerNormalization({ name: 'ln_b', epsilon: -1 })).toThrow(ValueError);
    expect(() => new LayerNormalization({ name: 'ln_c', axis: 2 }).apply(randomNormal([2, 3]))).toThrow(/ln_c: axis must be/);
    expect(() => new LayerNormalization({ name: 'ln_d', axis: [1, 1] }).apply(randomNormal([2, 3]))).toThrow(ConfigError);
  });
});

describe('AveragePooling2D', () => {
  it('matches a naive average loop (same padding counts real pixels only), defaults to 2x2, and has a correct gradient', () => {
    fc.assert(fc.property(
      arbPoolConfig().chain((cfg) => fc.tuple(fc.constant(cfg), arbTensor([cfg.batch, cfg.height, cfg.width, cfg.channels]))),
      ([cfg, x]) => {
        const layer = new AveragePooling2D(cfg.poolSize, { strides: cfg.strides, padding: cfg.padding });
        const ref = naiveAvgPool2d(x, cfg.poolSize, cfg.strides, cfg.padding);
        const y = layer.apply(x);
        expect(y.shape).toEqual(ref.shape);
        close(y, ref.values, 1e-12);
        expectGradOk(layer, x);
      },
    ), { numRuns: RUNS });
    expect(new AveragePooling2D().apply(randomNormal([1, 5, 4, 2])).shape).toEqual([1, 2, 2, 2]);
    expect(() => new AveragePooling2D(2, { name: 'avg_a' }).apply(randomNormal([2, 6]))).toThrow(/avg_a: expected input of rank 4/);
    expect(() => new AveragePooling2D(2, { name: 'avg_b', padding: 'full' as 'same' })).toThrow(/avg_b: unknown padding 'full' \(expected 'valid' or 'same', in any case\)/);
    expect(new AveragePooling2D(2, { padding: 'SAME' }).padding).toBe('same');
  });
});

describe('GlobalAveragePooling2D and GlobalMaxPooling2D', () => {
  const reduceHW = (x: Tensor, f: (values: number[]) => number): number[] => {
    const [n, h, w, c] = x.shape;
    const out: number[] = [];
    for (let b = 0; b < n; b++) {
      for (let k = 0; k < c; k++) {
        const values: number[] = [];
        for (let i = 0; i < h * w; i++) values.push(x.storage[(b * h * w + i) * c + k]);
        out.push(f(values));
      }
    }
    return out;
  };

  it('reduce height and width, keepdims keeps them as size 1, and the gradients are correct (max away from ties)', () => {
    fc.assert(fc.property(
      arbShape(4, 4).chain((shape) => fc.tuple(arbDistinctTensor(shape), fc.boolean())),
      ([x, keepdims]) => {
        const [n, , , c] = x.shape;
        const average = new GlobalAveragePooling2D({ keepdims });
        const maximum = new GlobalMaxPooling2D({ keepdims });
        const shape = keepdims ? [n, 1, 1, c] : [n, c];
        expect(average.apply(x).shape).toEqual(shape);
        close(average.apply(x), reduceHW(x, (v) => v.reduce((s, u) => s + u, 0) / v.length), 1e-12);
        close(maximum.apply(x), reduceHW(x, (v) => Math.max(...v)), 0);
        expectGradOk(average, x);
        expectGradOk(maximum, x);
      },
    ), { numRuns: RUNS });
  });

  it('take rank-4 input only, naming the layer', () => {
    expect(() => new GlobalAveragePooling2D({ name: 'gap_a' }).apply(randomNormal([2, 3, 4]))).toThrow(ShapeError);
    expect(() => new GlobalMaxPooling2D({ name: 'gmp_a' }).apply(randomNormal([2, 3, 4]))).toThrow(/gmp_a: expected input of rank 4/);
    expect(() => new GlobalMaxPooling2D({ name: 'gmp_b', keepdims: 1 as unknown as boolean })).toThrow(/gmp_b: keepdims must be true or false/);
  });
});

describe('Reshape, Permute and RepeatVector', () => {
  it('Reshape keeps the values in order, infers a -1, and passes gradients through', () => {
    fc.assert(fc.property(
      arbShape(2, 4).chain((shape) => fc.tuple(arbTensor(shape), fc.boolean())),
      ([x, infer]) => {
        const size = x.size / x.shape[0];
        const layer = new Reshape(infer ? [-1, 1] : [1, size]);
        const y = layer.apply(x);
        expect(y.shape).toEqual([x.shape[0], ...(infer ? [size, 1] : [1, size])]);
        expect(Array.from(y.storage)).toEqual(Array.from(x.storage));
        expectGradOk(layer, x);
      },
    ), { numRuns: RUNS });
    expect(() => new Reshape([4, 2], { name: 'reshape_a' }).apply(randomNormal([1, 3, 3]))).toThrow(/reshape_a: cannot reshape samples of shape \[3,3\] \(9 values\) to \[4,2\]/);
    expect(() => new Reshape([-1, 2], { name: 'reshape_b' }).apply(randomNormal([1, 3, 3]))).toThrow(ShapeError);
    expect(() => new Reshape([-1, -1], { name: 'reshape_c' })).toThrow(/reshape_c: targetShape must be/);
  });

  it('Permute moves sample axes (1-based dims) and passes gradients through', () => {
    fc.assert(fc.property(
      arbShape(3, 4).chain((shape) => fc.tuple(arbTensor(shape), fc.shuffledSubarray(shape.slice(1).map((_, i) => i + 1), { minLength: shape.length - 1 }))),
      ([x, dims]) => {
        const layer = new Permute(dims);
        const y = layer.apply(x);
        expect(y.shape).toEqual([x.shape[0], ...dims.map((d) => x.shape[d])]);
        // Element [b, i1, i2, …] of y is element [b, …] of x with index i_k on axis dims[k].
        const strides = x.shape.map((_, a) => x.shape.slice(a + 1).reduce((n, d) => n * d, 1));
        for (let flat = 0; flat < y.size; flat++) {
          let rest = flat;
          let source = 0;
          for (let a = y.rank - 1; a >= 0; a--) {
            const index = rest % y.shape[a];
            rest = Math.floor(rest / y.shape[a]);
            source += index * strides[a === 0 ? 0 : dims[a - 1]];
          }
          expect(y.storage[flat]).toBe(x.storage[source]);
        }
        expectGradOk(layer, x);
      },
    ), { numRuns: RUNS });
    expect(() => new Permute([0, 1], { name: 'perm_a' })).toThrow(/perm_a: dims must be a permutation of 1\.\.n/);
    expect(() => new Permute([2, 1], { name: 'perm_b' }).apply(randomNormal([2, 3]))).toThrow(/perm_b: dims/);
  });

  it('RepeatVector repeats each sample n times and sums the gradient over the copies', () => {
    fc.assert(fc.property(
      arbShape(2, 2).chain((shape) => fc.tuple(arbTensor(shape), fc.integer({ min: 1, max: 3 }))),
      ([x, n]) => {
        const layer = new RepeatVector(n);
        const y = layer.apply(x);
        const [b, f] = x.shape;
        expect(y.shape).toEqual([b, n, f]);
        for (let i = 0; i < b; i++) for (let r = 0; r < n; r++) for (let j = 0; j < f; j++) expect(y.storage[(i * n + r) * f + j]).toBe(x.storage[i * f + j]);
        expectGradOk(layer, x);
      },
    ), { numRuns: RUNS });
    expect(() => new RepeatVector(0, { name: 'rep_a' })).toThrow(/rep_a: n must be a positive integer/);
    expect(() => new RepeatVector(2, { name: 'rep_b' }).apply(randomNormal([2, 3, 1]))).toThrow(/rep_b: expected input of rank 2/);
  });
});

describe('LeakyReLU, ReLU, Softmax and PReLU', () => {
  const each = (x: Tensor, f: (v: number) => number): number[] => Array.from(x.storage, f);

  it('LeakyReLU defaults to alpha 0.3 as Keras; ReLU follows threshold, negativeSlope and maxValue', () => {
    fc.assert(fc.property(
      arbShape(1, 4).map((s) => [2, ...s]).chain((shape) => fc.tuple(
        arbTensor(shape, { min: -3, max: 3, avoid: [0, 0.5, 1.5] }), fc.double({ min: 0, max: 1, noNaN: true }), fc.option(fc.constant(1.5)), fc.constantFrom(0, 0.5),
      )),
      ([x, slope, maxValue, threshold]) => {
        const leaky = new LeakyReLU();
        close(leaky.apply(x), each(x, (v) => (v > 0 ? v : 0.3 * v)), 0);
        expectGradOk(leaky, x);
        const relu = new ReLU({ negativeSlope: slope, maxValue, threshold });
        close(relu.apply(x), each(x, (v) => Math.min(v > threshold ? v : slope * (v - threshold), maxValue ?? Infinity)), 1e-15);
        expectGradOk(relu, x);
      },
    ), { numRuns: RUNS });
    expect(new ReLU().apply(randomNormal([1, 3], { seed: 1 })).storage.every((v) => v >= 0)).toBe(true);
    expect(() => new ReLU({ name: 'relu_a', maxValue: -1 })).toThrow(/relu_a: maxValue must be a finite number >= 0, got number -1/);
    expect(() => new LeakyReLU({ name: 'leaky_a', alpha: Number.NaN })).toThrow(/leaky_a: alpha/);
  });

  it('Softmax sums to 1 along its axis and has a correct gradient', () => {
    fc.assert(fc.property(
      arbShape(2, 4).chain((shape) => fc.tuple(arbTensor(shape), fc.integer({ min: 1, max: shape.length - 1 }))),
      ([x, axis]) => {
        const layer = new Softmax({ axis });
        const y = layer.apply(x);
        const stride = x.shape.slice(axis + 1).reduce((n, d) => n * d, 1);
        for (let flat = 0; flat < y.size; flat++) {
          if (Math.floor(flat / stride) % x.shape[axis] !== 0) continue;
          let total = 0;
          for (let k = 0; k < x.shape[axis]; k++) total += y.storage[flat + k * stride];
          expect(total).toBeCloseTo(1, 12);
        }
        expectGradOk(layer, x);
      },
    ), { numRuns: RUNS });
    expect(new Softmax().axis).toBe(-1);
    expect(() => new Softmax({ name: 'sm_a', axis: 3 }).apply(randomNormal([2, 3]))).toThrow(/sm_a/);
  });

  it('PReLU learns one alpha per position, shared along sharedAxes, with a correct gradient for x and alpha', () => {
    fc.assert(fc.property(
      arbShape(2, 4).chain((shape) => fc.tuple(arbTensor(shape, { avoid: [0] }), fc.subarray(shape.slice(1).map((_, i) => i + 1)))),
      ([x, sharedAxes]) => {
        const layer = new PReLU({ sharedAxes, alphaInitializer: 'randomNormal' });
        const y = layer.apply(x);
        const alpha = layer.params.alpha;
        expect(alpha.shape).toEqual(x.shape.slice(1).map((d, i) => (sharedAxes.includes(i + 1) ? 1 : d)));
        // alpha broadcast to a sample: index it with 0 on the shared axes.
        const sample = x.size / x.shape[0];
        for (let flat = 0; flat < x.size; flat++) {
          let rest = flat % sample;
          let a = 0;
          let alphaStride = 1;
          for (let axis = x.rank - 1; axis >= 1; axis--) {
            const index = rest % x.shape[axis];
            rest = Math.floor(rest / x.shape[axis]);
            if (!sharedAxes.includes(axis)) a += index * alphaStride;
            alphaStride *= alpha.shape[axis - 1];
          }
          const v = x.storage[flat];
          expect(y.storage[flat]).toBeCloseTo(v > 0 ? v : alpha.storage[a] * v, 14);
        }
        expectGradOk(layer, x);
      },
    ), { numRuns: RUNS });
    expect(new PReLU().apply(randomNormal([2, 3])).shape).toEqual([2, 3]);
    expect(() => new PReLU({ name: 'prelu_a', sharedAxes: [0] })).toThrow(/prelu_a: sharedAxes must be axes >= 1/);
    expect(() => new PReLU({ name: 'prelu_b', sharedAxes: [3] }).apply(randomNormal([2, 3]))).toThrow(ConfigError);
  });
});

describe('SpatialDropout2D and GaussianNoise', () => {
  it('SpatialDropout2D drops whole feature maps at about the rate in training, scales the rest, and is the identity otherwise', () => {
    const x = randomNormal([50, 3, 4, 8], { seed: 9, dtype: 'float64', mean: 5 });
    const layer = new SpatialDropout2D(0.25);
    expect(layer.apply(x).storage).toEqual(x.storage);
    const y = layer.apply(x, { training: true, rng: new Rng(3) });
    let dropped = 0;
    for (let b = 0; b < 50; b++) {
      for (let c = 0; c < 8; c++) {
        const ratios = Array.from({ length: 12 }, (_, p) => y.storage[(b * 12 + p) * 8 + c] / x.storage[(b * 12 + p) * 8 + c]);
        // One draw per (sample, channel): the whole map is 0 or scaled by 1 / (1 - rate).
        const kept = ratios[0] !== 0;
        if (!kept) dropped++;
        ratios.forEach((r) => expect(r).toBeCloseTo(kept ? 1 / 0.75 : 0, 12));
      }
    }
    expect(dropped / 400).toBeGreaterThan(0.17);
    expect(dropped / 400).toBeLessThan(0.33);
  });

  it('SpatialDropout2D has a correct gradient in training (fixed mask) and takes images only', () => {
    fc.assert(fc.property(
      arbShape(4, 4).chain((shape) => fc.tuple(arbTensor(shape), fc.integer({ min: 0, max: 1000 }))),
      ([x, seed]) => expectGradOk(new SpatialDropout2D(0.5), x, { training: true, rngSeed: seed }),
    ), { numRuns: RUNS });
    expect(() => new SpatialDropout2D(0.5, { name: 'sd_a' }).apply(randomNormal([2, 3]))).toThrow(/sd_a: expected input of rank 4/);
    expect(() => new SpatialDropout2D(1, { name: 'sd_b' })).toThrow(/sd_b: rate must be a number in \[0, 1\)/);
  });

  it('GaussianNoise adds noise of the given spread in training only, with a correct gradient', () => {
    const x = randomNormal([100, 50], { seed: 4, dtype: 'float64' });
    const layer = new GaussianNoise(0.5);
    expect(layer.apply(x).storage).toEqual(x.storage);
    const noise = Array.from(layer.apply(x, { training: true, rng: new Rng(8) }).storage, (v, i) => v - x.storage[i]);
    const mean = noise.reduce((s, v) => s + v, 0) / noise.length;
    const sd = Math.sqrt(noise.reduce((s, v) => s + (v - mean) ** 2, 0) / noise.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(sd).toBeGreaterThan(0.47);
    expect(sd).toBeLessThan(0.53);
    fc.assert(fc.property(
      arbShape(2, 4).chain((shape) => fc.tuple(arbTensor(shape), fc.integer({ min: 0, max: 1000 }))),
      ([input, seed]) => expectGradOk(new GaussianNoise(0.3), input, { training: true, rngSeed: seed }),
    ), { numRuns: RUNS });
    expect(() => new GaussianNoise(-1, { name: 'gn_a' })).toThrow(/gn_a: stddev must be a finite number >= 0, got number -1/);
  });
});
