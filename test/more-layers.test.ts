// The pooling, reshaping, activation and noise layers of issue 15: values against a direct computation,
// Keras's defaults, gradients (float64, fast-check shapes) and errors naming the layer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AveragePooling2D, ConfigError, GlobalAveragePooling2D, GlobalMaxPooling2D, LayerNormalization, ShapeError, ValueError, checkLayerGrad, randomNormal,
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
    expect(() => new AveragePooling2D(2, { name: 'avg_b', padding: 'SAME' as 'same' })).toThrow(/avg_b: padding must be one of 'valid', 'same'/);
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
