// The normalization layers: values against the formula, gradients (float64, fast-check shapes), and
// BatchNormalization's moving statistics through fit, evaluate and predict.
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchNormalization, ConfigError, Dense, Sequential, ValueError, checkLayerGrad, loadModel, randomNormal, tensor } from 'semiflow';
import { arbTensor } from 'semiflow/testing';
import type { Layer, Tensor } from 'semiflow';

const RUNS = 20;
const f64 = (values: number[] | number[][]): Tensor => tensor(values, undefined, 'float64');

const expectGradOk = (layer: Layer, x: Tensor, options = {}): void => {
  const result = checkLayerGrad(layer, x, options);
  expect(result.ok, result.message).toBe(true);
};

/** Per-feature mean and population variance of the rows of a [n, c] array. */
function columnStats(rows: number[][]): { mean: number[]; variance: number[] } {
  const n = rows.length;
  const mean = rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
  const variance = rows[0].map((_, j) => rows.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / n);
  return { mean, variance };
}

const rowsOf = (t: Tensor): number[][] => Array.from({ length: t.shape[0] }, (_, i) => Array.from(t.storage.slice(i * t.shape[1], (i + 1) * t.shape[1])));

/** A shape of rank 2 to 4 with an axis of it (not the batch axis), written as Keras may (negative from the end). */
const arbShapeAndAxis = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 4 }).chain((shape) =>
  fc.tuple(fc.constant(shape), fc.integer({ min: 1, max: shape.length - 1 }), fc.boolean())
    .map(([s, axis, negative]) => ({ shape: s, axis: negative ? axis - s.length : axis })));

describe('BatchNormalization', () => {
  it('has Keras defaults and weights gamma, beta, moving_mean, moving_variance (the last two not trainable)', () => {
    const layer = new BatchNormalization();
    expect([layer.axis, layer.momentum, layer.epsilon, layer.center, layer.scale]).toEqual([-1, 0.99, 1e-3, true, true]);
    layer.apply(randomNormal([2, 5, 3], { seed: 1 }));
    expect(layer.weights.map((w) => [w.name, w.shape, w.trainable])).toEqual([
      ['gamma', [3], true], ['beta', [3], true], ['moving_mean', [3], false], ['moving_variance', [3], false],
    ]);
    expect(layer.trainableWeights.map((w) => w.name)).toEqual(['gamma', 'beta']);
    expect(Array.from(layer.params.gamma.storage)).toEqual([1, 1, 1]);
    expect(Array.from(layer.params.moving_variance.storage)).toEqual([1, 1, 1]);
    const bare = new BatchNormalization({ center: false, scale: false });
    bare.apply(randomNormal([2, 3]));
    expect(bare.weights.map((w) => w.name)).toEqual(['moving_mean', 'moving_variance']);
  });

  it('normalizes with the batch statistics in training and the moving statistics otherwise', () => {
    const x = f64([[1, 10], [3, 20], [8, 60]]);
    const layer = new BatchNormalization({ momentum: 0.5, epsilon: 0.01, gammaInitializer: 'ones', betaInitializer: 'zeros' });
    layer.apply(x);
    layer.weights[0].assign(f64([2, 3]));
    layer.weights[1].assign(f64([0.5, -1]));
    layer.weights[2].assign(f64([4, 30]));
    layer.weights[3].assign(f64([9, 400]));
    const rows = rowsOf(x);
    const inference = layer.apply(x);
    const gamma = [2, 3];
    const beta = [0.5, -1];
    const expectedInference = rows.flatMap((r) => r.map((v, j) => gamma[j] * (v - [4, 30][j]) / Math.sqrt([9, 400][j] + 0.01) + beta[j]));
    Array.from(inference.storage).forEach((v, i) => expect(v).toBeCloseTo(expectedInference[i], 12));

    const { mean, variance } = columnStats(rows);
    const training = layer.apply(x, { training: true });
    const expectedTraining = rows.flatMap((r) => r.map((v, j) => gamma[j] * (v - mean[j]) / Math.sqrt(variance[j] + 0.01) + beta[j]));
    Array.from(training.storage).forEach((v, i) => expect(v).toBeCloseTo(expectedTraining[i], 12));
    Array.from(layer.params.moving_mean.storage).forEach((v, j) => expect(v).toBeCloseTo([4, 30][j] * 0.5 + mean[j] * 0.5, 12));
    Array.from(layer.params.moving_variance.storage).forEach((v, j) => expect(v).toBeCloseTo([9, 400][j] * 0.5 + variance[j] * 0.5, 12));
  });

  it('a frozen layer (trainable false) uses its moving statistics even in training, and leaves them alone', () => {
    const layer = new BatchNormalization({ trainable: false });
    const x = randomNormal([4, 3], { seed: 2, dtype: 'float64', mean: 5 });
    const inference = layer.apply(x);
    expect(Array.from(layer.apply(x, { training: true }).storage)).toEqual(Array.from(inference.storage));
    expect(Array.from(layer.params.moving_mean.storage)).toEqual([0, 0, 0]);
  });

  it('has a correct gradient over random shapes and axes, with batch statistics (training) and moving statistics', () => {
    fc.assert(fc.property(
      arbShapeAndAxis.chain(({ shape, axis }) => fc.tuple(fc.constant(axis), arbTensor(shape), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1000 }))),
      ([axis, x, training, center, seed]) => {
        const layer = new BatchNormalization({ axis, center, gammaInitializer: 'randomNormal', betaInitializer: 'randomNormal', movingMeanInitializer: 'randomUniform' });
        expectGradOk(layer, x, { training, rngSeed: seed });
      },
    ), { numRuns: RUNS });
  });

  it('refuses bad options and axes, naming the layer', () => {
    expect(() => new BatchNormalization({ name: 'bn_a', momentum: 1.5 })).toThrow(/bn_a: momentum must be a number in \[0, 1\], got number 1\.5/);
    expect(() => new BatchNormalization({ name: 'bn_b', epsilon: 0 })).toThrow(ValueError);
    expect(() => new BatchNormalization({ name: 'bn_c', gammaInitializer: 'onez' })).toThrow(/bn_c/);
    expect(() => new BatchNormalization({ name: 'bn_d', axis: 3 }).apply(randomNormal([2, 3]))).toThrow(ConfigError);
    expect(() => new BatchNormalization({ name: 'bn_e', axis: 0 }).apply(randomNormal([2, 3]))).toThrow(/bn_e: axis must be .*the batch axis cannot be normalized\), got number 0/);
  });
});

describe('BatchNormalization in fit, evaluate and predict', () => {
  /** BatchNormalization first, so its input in every step is the batch itself. */
  function bnModel(features: number): Sequential {
    const model = new Sequential({ seed: 5, dtype: 'float64' });
    model.add(new BatchNormalization({ momentum: 0.8, inputShape: [features] }));
    model.add(new Dense(2));
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    return model;
  }
  const data = (features: number) => {
    const x = randomNormal([8, features], { seed: 6, dtype: 'float64', mean: 2, stddev: 3 });
    const y = randomNormal([8, 2], { seed: 7, dtype: 'float64' });
    return { x, y, halves: [rowsOf(x).slice(0, 4), rowsOf(x).slice(4)] };
  };

  /** Keras's update replayed over batches of 4 without shuffling: per step moving = moving · momentum + batch · (1 - momentum). */
  function replay(halves: number[][][], steps: number): { mean: number[]; variance: number[] } {
    let mean = halves[0][0].map(() => 0);
    let variance = halves[0][0].map(() => 1);
    for (let s = 0; s < steps; s++) {
      const batch = columnStats(halves[s % 2]);
      mean = mean.map((m, j) => m * 0.8 + batch.mean[j] * 0.2);
      variance = variance.map((v, j) => v * 0.8 + batch.variance[j] * 0.2);
    }
    return { mean, variance };
  }

  it('fit updates the moving statistics by Keras formula, and evaluate and predict normalize with them', async () => {
    const { x, y, halves } = data(3);
    const model = bnModel(3);
    const bn = model.layers[1] as BatchNormalization;
    await model.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
    const after = replay(halves, 6);
    Array.from(bn.params.moving_mean.storage).forEach((v, j) => expect(v).toBeCloseTo(after.mean[j], 12));
    Array.from(bn.params.moving_variance.storage).forEach((v, j) => expect(v).toBeCloseTo(after.variance[j], 12));

    // predict normalizes with the moving statistics, not with those of the batch it is given.
    const [gamma, beta] = [bn.params.gamma.storage, bn.params.beta.storage];
    const normalized = rowsOf(x).map((r) => r.map((v, j) => gamma[j] * (v - after.mean[j]) / Math.sqrt(after.variance[j] + 1e-3) + beta[j]));
    const expected = (model.layers[2] as Dense).apply(f64(normalized));
    const predicted = model.predict(x);
    Array.from(predicted.storage).forEach((v, i) => expect(v).toBeCloseTo(expected.storage[i], 10));
    // evaluate's loss is that of predict's output; neither moves the moving statistics.
    const mse = Array.from(predicted.storage).reduce((s, v, i) => s + (v - y.storage[i]) ** 2, 0) / predicted.size;
    expect(model.evaluate(x, y).loss).toBeCloseTo(mse, 10);
    Array.from(bn.params.moving_mean.storage).forEach((v, j) => expect(v).toBeCloseTo(after.mean[j], 12));
    // A training forward pass normalizes with the batch's statistics instead, which differ here.
    const batchStats = model.forward(x, { training: true });
    expect(Math.max(...Array.from(predicted.storage, (v, i) => Math.abs(v - batchStats.storage[i])))).toBeGreaterThan(1e-3);
  });

  it('the buffer pool never recycles the moving statistics: tensors held between steps keep their values', async () => {
    // 1024 features: the pool leaves smaller arrays to the GC, so a smaller layer would not exercise it.
    const { x, y, halves } = data(1024);
    const model = bnModel(1024);
    const bn = model.layers[1] as BatchNormalization;
    const held: { tensor: Tensor; values: number[] }[] = [];
    const onBatchEnd = (): void => {
      const tensor = bn.weights[2].value;
      held.push({ tensor, values: Array.from(tensor.storage) });
    };
    await model.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0, callbacks: { onBatchEnd } });
    expect(held).toHaveLength(6);
    held.forEach(({ tensor, values }, step) => {
      expect(Array.from(tensor.storage)).toEqual(values);
      const { mean } = replay(halves, step + 1);
      values.forEach((v, j) => expect(v).toBeCloseTo(mean[j], 12));
    });
  });
});

describe('BatchNormalization configs from Keras files', () => {
  it("loads Keras's one-element axis list, and refuses a regularizer it would ignore, naming the layer and key", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'semiflow-bn-'));
    try {
      const model = new Sequential({ layers: [new BatchNormalization({ name: 'bn', axis: -1, inputShape: [2, 3] })] });
      await model.save(dir);
      const file = join(dir, 'model.json');
      const json = JSON.parse(readFileSync(file, 'utf8'));
      const config = json.modelTopology.config.layers.find((l: { class_name: string }) => l.class_name === 'BatchNormalization').config;
      config.axis = [2];
      writeFileSync(file, JSON.stringify(json));
      expect((await loadModel(dir)).layers[1].getConfig().axis).toBe(2);
      config.gamma_regularizer = { class_name: 'L2', config: { l2: 0.01 } };
      writeFileSync(file, JSON.stringify(json));
      const error = await loadModel(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/bn.*gamma_regularizer = .*not supported/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
