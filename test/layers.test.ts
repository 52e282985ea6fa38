import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Activation, Conv2D, ConfigError, Dense, Dropout, Flatten, Layer, MaxPooling2D, Rng, ShapeError, ValueError, checkLayerGrad, randomNormal, tensor
} from 'semiflow';
import { arbConvConfig, arbDistinctTensor, arbPoolConfig, arbTensor } from 'semiflow/testing';
import type { Shape, Tensor, Weight } from 'semiflow';
import { naiveConv2d, naiveMaxPool2d } from './specs/window-linalg.ts';

const RUNS = 25;
const close = (actual: Tensor, expected: ArrayLike<number>, tol: number): void => {
  expect(actual.size).toBe(expected.length);
  for (let i = 0; i < actual.size; i++) expect(Math.abs(actual.storage[i] - expected[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i])));
};
const expectGradOk = (layer: Layer, x: Tensor, options = {}): void => {
  const result = checkLayerGrad(layer, x, options);
  expect(result.ok, result.message).toBe(true);
};
// Smooth activations only: relu's kink is checked in the op sweep, where inputs are kept away from it.
const SMOOTH = ['linear', 'tanh', 'sigmoid', 'softplus', 'softmax'] as const;

describe('Dense', () => {
  it('computes activation(x·kernel + bias) with Keras shapes and defaults', () => {
    const layer = new Dense(3, { activation: 'tanh' });
    const x = randomNormal([4, 5], { seed: 1, dtype: 'float64' });
    const y = layer.apply(x);
    expect(y.shape).toEqual([4, 3]);
    expect(layer.weights.map((w) => [w.name, w.shape])).toEqual([['kernel', [5, 3]], ['bias', [3]]]);
    expect(Array.from(layer.params.bias.storage)).toEqual([0, 0, 0]);
    const { kernel } = layer.params;
    const expected: number[] = [];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 3; j++) {
        let z = 0;
        for (let p = 0; p < 5; p++) z += x.storage[i * 5 + p] * kernel.storage[p * 3 + j];
        expected.push(Math.tanh(z));
      }
    }
    close(y, expected, 1e-12);
  });

  it('draws glorot-uniform kernels within ±√(6/(in+out))', () => {
    const layer = new Dense(30);
    layer.apply(randomNormal([2, 50], { seed: 2 }));
    const limit = Math.sqrt(6 / 80);
    const values = Array.from(layer.params.kernel.storage);
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(limit * 0.9);
  });

  it('has a correct gradient for its input, kernel and bias, with every smooth activation and without bias', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }),
      fc.constantFrom(...SMOOTH), fc.boolean(), fc.integer({ min: 0, max: 1000 }),
      (batch, inputs, units, activation, useBias, seed) => {
        const layer = new Dense(units, { activation, useBias });
        expectGradOk(layer, randomNormal([batch, inputs], { seed, dtype: 'float64' }), { seed });
      },
    ), { numRuns: RUNS });
  });
});

describe('Conv2D', () => {
  it('matches a naive convolution loop plus bias, for any strides and padding', () => {
    fc.assert(fc.property(arbConvConfig(), fc.integer({ min: 0, max: 1000 }), (cfg, seed) => {
      const layer = new Conv2D(cfg.outChannels, cfg.kernel, { strides: cfg.strides, padding: cfg.padding, biasInitializer: 'randomNormal' });
      const x = randomNormal([cfg.batch, cfg.height, cfg.width, cfg.inChannels], { seed, dtype: 'float64' });
      const y = layer.apply(x);
      const ref = naiveConv2d(x, layer.params.kernel, cfg.strides, cfg.padding);
      expect(y.shape).toEqual(ref.shape);
      const bias = layer.params.bias.storage;
      close(y, Array.from(ref.values, (v, i) => v + bias[i % cfg.outChannels]), 1e-12);
    }), { numRuns: RUNS });
  });

  it('has a correct gradient for its input, kernel and bias', () => {
    fc.assert(fc.property(arbConvConfig(), fc.constantFrom(...SMOOTH), fc.integer({ min: 0, max: 1000 }), (cfg, activation, seed) => {
      const layer = new Conv2D(cfg.outChannels, cfg.kernel, { strides: cfg.strides, padding: cfg.padding, activation });
      expectGradOk(layer, randomNormal([cfg.batch, cfg.height, cfg.width, cfg.inChannels], { seed, dtype: 'float64' }), { seed });
    }), { numRuns: RUNS });
  });

  it('rejects rank-2 input and a window larger than the image, naming the layer', () => {
    const layer = new Conv2D(4, 3, { name: 'conv_a' });
    expect(() => layer.apply(randomNormal([8, 784]))).toThrow(ShapeError);
    expect(() => layer.apply(randomNormal([8, 784]))).toThrow(/conv_a: expected input of rank 4 \[batch,height,width,channels\], got rank 2 \[8,784\]/);
    expect(() => new Conv2D(4, 5, { name: 'conv_b' }).apply(randomNormal([1, 3, 3, 1]))).toThrow(/conv_b: the 5x5 window does not fit in a 3x3 input/);
  });
});

describe('MaxPooling2D', () => {
  it('matches a naive pooling loop and has a correct gradient away from ties', () => {
    fc.assert(fc.property(
      arbPoolConfig().chain((cfg) => fc.tuple(fc.constant(cfg), arbDistinctTensor([cfg.batch, cfg.height, cfg.width, cfg.channels]))),
      ([cfg, x]) => {
        const layer = new MaxPooling2D(cfg.poolSize, { strides: cfg.strides, padding: cfg.padding });
        const ref = naiveMaxPool2d(x, cfg.poolSize, cfg.strides, cfg.padding);
        const y = layer.apply(x);
        expect(y.shape).toEqual(ref.shape);
        close(y, ref.values, 0);
        expectGradOk(layer, x);
      },
    ), { numRuns: RUNS });
  });

  it('defaults strides to the pool size', () => {
    expect(new MaxPooling2D(2).apply(randomNormal([1, 5, 7, 3])).shape).toEqual([1, 2, 3, 3]);
    expect(new MaxPooling2D(3, { strides: 1 }).strides).toEqual([1, 1]);
  });
});

describe('Flatten, Activation and Dropout', () => {
  it('Flatten keeps the batch axis and passes gradients through', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 4 }).chain((shape) => arbTensor(shape)),
      (x) => {
        const layer = new Flatten();
        const y = layer.apply(x);
        expect(y.shape).toEqual([x.shape[0], x.size / x.shape[0]]);
        expect(Array.from(y.storage)).toEqual(Array.from(x.storage));
        expectGradOk(layer, x);
      },
    ), { numRuns: RUNS });
  });

  it('Activation applies each smooth activation with a correct gradient', () => {
    // elu's second derivative jumps at 0: a difference straddling it is off by ~ε, so values stay away from 0.
    fc.assert(fc.property(fc.constantFrom(...SMOOTH, 'elu', 'swish', 'gelu'), arbTensor([3, 4], { avoid: [0] }), (name, x) => {
      expectGradOk(new Activation(name), x);
    }), { numRuns: RUNS });
  });

  it('Dropout is the identity outside training', () => {
    const x = randomNormal([4, 6], { seed: 3 });
    expect(new Dropout(0.5).apply(x)).toBe(x);
  });

  it('Dropout zeroes about `rate` of the values in training, scales the rest by 1/(1-rate), and is seeded', () => {
    const x = tensor(new Float32Array(20000).fill(1), [100, 200]);
    const layer = new Dropout(0.3);
    const y = layer.apply(x, { training: true, rng: new Rng(5) });
    const kept = Array.from(y.storage).filter((v) => v !== 0);
    expect(Math.abs(kept.length / 20000 - 0.7)).toBeLessThan(0.02);
    for (const v of kept) expect(v).toBeCloseTo(1 / 0.7, 6);
    const again = layer.apply(x, { training: true, rng: new Rng(5) });
    expect(Array.from(again.storage)).toEqual(Array.from(y.storage));
    const other = layer.apply(x, { training: true, rng: new Rng(6) });
    expect(Array.from(other.storage)).not.toEqual(Array.from(y.storage));
  });

  it('Dropout has a correct gradient for a fixed mask', () => {
    expectGradOk(new Dropout(0.4), randomNormal([3, 5], { seed: 4, dtype: 'float64' }), { training: true, rngSeed: 9 });
  });

  it('rejects a rate outside [0, 1)', () => {
    expect(() => new Dropout(1)).toThrow(ValueError);
    expect(() => new Dropout(Number.NaN)).toThrow(/rate must be a number in \[0, 1\), got number NaN/);
  });
});

describe('the Layer base', () => {
  /** A layer none of the built-ins covers: y = x ⊙ scale + x², one weight of the input's width. */
  class ScaleSquare extends Layer {
    private scale!: Weight;
    protected override build(inputShape: Shape): void {
      this.scale = this.addWeight('scale', [inputShape[inputShape.length - 1]], 'ones');
    }
    protected call(x: Tensor): Tensor {
      return x.mul(this.scale.value).add(x.square());
    }
  }

  it('a custom layer needs only build and call: it is named, built on first use and differentiable', () => {
    const layer = new ScaleSquare();
    expect(layer.name).toMatch(/^scale_square_\d+$/);
    expect(layer.built).toBe(false);
    const x = randomNormal([2, 3], { seed: 1, dtype: 'float64' });
    close(layer.apply(x), Array.from(x.storage, (v) => v + v * v), 1e-15);
    expect(layer.built).toBe(true);
    expect(layer.inputShape).toEqual([3]);
    expect(layer.parameterCount).toBe(3);
    expectGradOk(layer, x);
  });

  it('gives auto names with a per-class counter', () => {
    const a = new Dense(1);
    const b = new Dense(1);
    const [na, nb] = [a.name, b.name].map((n) => Number(n.split('_')[1]));
    expect(a.name).toMatch(/^dense_\d+$/);
    expect(nb).toBe(na + 1);
    expect(new MaxPooling2D().name).toMatch(/^max_pooling2d_\d+$/);
  });

  it('rejects input of a different sample shape once built, naming the layer and both shapes', () => {
    const layer = new Dense(2, { name: 'head' });
    layer.apply(randomNormal([4, 3]));
    expect(() => layer.apply(randomNormal([4, 5]))).toThrow(ShapeError);
    expect(() => layer.apply(randomNormal([4, 5]))).toThrow('head: expected input of shape [batch,3], got [4,5]');
  });

  it('apply({params}) computes with the given weights and checks their names and shapes', () => {
    const layer = new Dense(2, { useBias: false });
    const x = tensor([[1, 2]]);
    layer.apply(x);
    expect(layer.apply(x, { params: { kernel: tensor([[1, 0], [0, 1]]) } }).toArray()).toEqual([[1, 2]]);
    expect(() => layer.apply(x, { params: { kernel: tensor([[1, 0]]) } })).toThrow(/weight kernel must have shape \[2,2\], got \[1,2\]/);
    expect(() => layer.apply(x, { params: { bias: tensor([0, 0]) } })).toThrow(ConfigError);
  });

  it('rejects bad constructor arguments and unknown options, listing the valid ones', () => {
    expect(() => new Dense(0)).toThrow(/units must be a positive integer, got number 0/);
    expect(() => new Dense(2.5)).toThrow(ValueError);
    expect(() => new Dense(3, { activaton: 'relu' } as never)).toThrow(/unknown option 'activaton' \(did you mean 'activation'\?\); valid options are .*activation/);
    expect(() => new Dense(3, { activation: 'relux' })).toThrow(/relux.*relu/);
    expect(() => new Conv2D(8, 3, { padding: 'full' as never })).toThrow(/unknown padding 'full' \(expected 'valid' or 'same'/);
    expect(() => new Conv2D(8, [3, 0])).toThrow(/kernelSize must be a positive integer/);
  });
});
