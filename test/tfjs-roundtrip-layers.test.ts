// The tfjs round trip of the layers of issue 15, both ways, against @tensorflow/tfjs 4.22 (cpu backend): each
// model is trained a few steps first (so BatchNormalization's moving statistics have moved), saved on one side,
// loaded on the other, and must predict the same to 1e-5 with the same layer and weight names and shapes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AveragePooling2D, BatchNormalization, Dense, Flatten, GlobalAveragePooling2D, GlobalMaxPooling2D, LayerNormalization, LeakyReLU, PReLU, Permute, ReLU, RepeatVector,
  GaussianNoise, Reshape, Sequential, Softmax, SpatialDropout2D, loadModel, randomNormal,
} from 'semiflow';
import { maxAbsDiff, readHandler, saveFromTfjs } from './tfjs-io.ts';

const root = mkdtempSync(join(tmpdir(), 'semiflow-tfjs-layers-'));

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Case {
  label: string;
  /** The shape of one input sample. */
  sample: number[];
  ours: () => Sequential;
  theirs: () => tf.Sequential;
}

const CASES: Case[] = [
  {
    // Channels last only: tfjs 4.22 normalizes a non-last axis wrongly at inference (axis 1 of a [1,3,2] input with moving
    // mean [1,2,3] and variance [1,4,9] gives 0,0,0,3,1.5,1 where (x - mean) / √(variance + ε) is 0,1,0.5,1,0.67,1).
    label: 'BatchNormalization (with and without center)',
    sample: [4, 4, 3],
    ours: () => new Sequential({ seed: 2, layers: [
      new BatchNormalization({ momentum: 0.5, inputShape: [4, 4, 3] }), new BatchNormalization({ center: false, epsilon: 0.01 }), new Flatten(), new Dense(2),
    ] }),
    // tfjs cannot train a BatchNormalization without center or scale (it reads the missing weight), so its model keeps both.
    theirs: () => tf.sequential({ layers: [
      tf.layers.batchNormalization({ momentum: 0.5, inputShape: [4, 4, 3] }), tf.layers.batchNormalization({ epsilon: 0.01 }),
      tf.layers.flatten(), tf.layers.dense({ units: 2 }),
    ] }),
  },
  {
    label: 'LayerNormalization (one axis and three), AveragePooling2D, GlobalAveragePooling2D',
    sample: [5, 5, 3],
    ours: () => new Sequential({ seed: 3, layers: [
      new LayerNormalization({ inputShape: [5, 5, 3] }), new AveragePooling2D(2, { strides: 1, padding: 'same' }),
      new LayerNormalization({ axis: [1, 2, 3], epsilon: 0.01 }), new AveragePooling2D(3, { strides: 2 }), new GlobalAveragePooling2D(), new Dense(2),
    ] }),
    theirs: () => tf.sequential({ layers: [
      tf.layers.layerNormalization({ inputShape: [5, 5, 3] }), tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
      tf.layers.layerNormalization({ axis: [1, 2, 3], epsilon: 0.01 }), tf.layers.averagePooling2d({ poolSize: 3, strides: 2 }),
      tf.layers.globalAveragePooling2d({}), tf.layers.dense({ units: 2 }),
    ] }),
  },
  {
    label: 'AveragePooling2D (default pool size), GlobalMaxPooling2D',
    sample: [6, 4, 2],
    ours: () => new Sequential({ seed: 4, layers: [new AveragePooling2D(undefined, { inputShape: [6, 4, 2] }), new GlobalMaxPooling2D(), new Dense(3)] }),
    theirs: () => tf.sequential({ layers: [tf.layers.averagePooling2d({ inputShape: [6, 4, 2] }), tf.layers.globalMaxPooling2d({}), tf.layers.dense({ units: 3 })] }),
  },
  {
    // tfjs 4.22 takes no softmax along a non-last axis (and its Softmax layer defaults to axis 1), and loses the sizes after a Reshape with -1 followed by Permute.
    label: 'Reshape, Permute, LeakyReLU, ReLU (maxValue), RepeatVector, PReLU (sharedAxes), Softmax',
    sample: [4, 6],
    ours: () => new Sequential({ seed: 5, layers: [
      new Reshape([3, 8], { inputShape: [4, 6] }), new Permute([2, 1]), new LeakyReLU(), new Flatten(), new Dense(5), new ReLU({ maxValue: 1 }),
      new RepeatVector(2), new PReLU({ sharedAxes: [1], alphaInitializer: 'randomNormal' }), new Softmax(),
    ] }),
    theirs: () => tf.sequential({ layers: [
      tf.layers.reshape({ targetShape: [3, 8], inputShape: [4, 6] }), tf.layers.permute({ dims: [2, 1] }), tf.layers.leakyReLU(), tf.layers.flatten(),
      tf.layers.dense({ units: 5 }), tf.layers.reLU({ maxValue: 1 }), tf.layers.repeatVector({ n: 2 }),
      tf.layers.prelu({ sharedAxes: [1], alphaInitializer: 'randomNormal' }), tf.layers.softmax({ axis: -1 }),
    ] }),
  },
  {
    label: 'GaussianNoise (the identity at inference)',
    sample: [5],
    ours: () => new Sequential({ seed: 6, layers: [new Dense(4, { inputShape: [5] }), new GaussianNoise(0.2), new Dense(2)] }),
    theirs: () => tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [5] }), tf.layers.gaussianNoise({ stddev: 0.2 }), tf.layers.dense({ units: 2 })] }),
  },
];

/** x with a mean and spread far from BatchNormalization's initial statistics, and y for the model's output. */
function trainingData(sample: number[], outputShape: number[], seed: number) {
  const x = randomNormal([8, ...sample], { seed, mean: 3, stddev: 2 });
  const y = randomNormal([8, ...outputShape], { seed: seed + 1 });
  return { x, y };
}

describe('tfjs round trip of the issue-15 layers', () => {
  for (const c of CASES) {
    it(`${c.label}: saved here after fit, tfjs predicts the same (1e-5), with the same names and shapes`, async () => {
      const model = c.ours();
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const { x, y } = trainingData(c.sample, [...(model.outputShape as number[])], 11);
      await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
      const dir = join(root, `ours-${model.name}`);
      await model.save(dir);
      const theirs = await tf.loadLayersModel(readHandler(dir));
      const input = randomNormal([5, ...c.sample], { seed: 12, mean: 2 });
      expect(maxAbsDiff(model.predict(input), theirs.predict(tf.tensor(Array.from(input.storage), [...input.shape])) as tf.Tensor)).toBeLessThan(1e-5);
      const reloaded = await loadModel(dir);
      expect(Array.from(reloaded.predict(input).storage)).toEqual(Array.from(model.predict(input).storage));
      const configs = (m: Sequential): string => JSON.stringify(m.layers.slice(1).map((l) => l.getConfig()));
      expect(configs(reloaded)).toBe(configs(model));
      const ourLayers = model.layers.slice(1);
      expect(theirs.layers.map((l) => [l.name, l.getClassName(), l.outputShape])).toEqual(
        ourLayers.map((l) => [l.name, l.constructor.name, [null, ...(model.outputShapeOf(l) as number[])]]));
      expect(theirs.layers.flatMap((l) => l.weights).map((w) => [w.originalName, w.shape, w.trainable])).toEqual(
        ourLayers.flatMap((l) => l.weights.map((w) => [`${l.name}/${w.name}`, [...w.shape], w.trainable])));
    });

    it(`${c.label}: saved by tfjs after fit, predicts the same here (1e-5) and keeps the weights exactly`, async () => {
      const theirs = c.theirs();
      theirs.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const { x, y } = trainingData(c.sample, (theirs.outputs[0].shape as number[]).slice(1), 13);
      await theirs.fit(tf.tensor(Array.from(x.storage), [...x.shape]), tf.tensor(Array.from(y.storage), [...y.shape]), { epochs: 2, batchSize: 4, verbose: 0 });
      const dir = join(root, `theirs-${theirs.name}`);
      await saveFromTfjs(theirs, dir);
      const model = await loadModel(dir);
      const input = randomNormal([5, ...c.sample], { seed: 14, mean: 2 });
      expect(maxAbsDiff(model.predict(input), theirs.predict(tf.tensor(Array.from(input.storage), [...input.shape])) as tf.Tensor)).toBeLessThan(1e-5);
      const theirWeights = theirs.layers.flatMap((l) => l.getWeights());
      expect(model.getWeights().map((w) => [w.shape, Array.from(w.storage)])).toEqual(theirWeights.map((w) => [w.shape, Array.from(w.dataSync())]));
      expect(model.layers.slice(1).map((l) => l.parameterCount)).toEqual(theirs.layers.map((l) => l.countParams()));
    });
  }

  it('SpatialDropout2D saves and loads here; tfjs 4.22, which has SpatialDropout1D only, refuses it by name', async () => {
    const model = new Sequential({ seed: 7, layers: [new SpatialDropout2D(0.4, { seed: 3, inputShape: [3, 3, 2] }), new Flatten(), new Dense(2)] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const { x, y } = trainingData([3, 3, 2], [2], 15);
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    const dir = join(root, 'spatial-dropout');
    await model.save(dir);
    const reloaded = await loadModel(dir);
    expect(reloaded.layers[1]).toBeInstanceOf(SpatialDropout2D);
    expect(reloaded.layers[1].getConfig()).toEqual(model.layers[1].getConfig());
    expect(Array.from(reloaded.predict(x).storage)).toEqual(Array.from(model.predict(x).storage));
    await expect(tf.loadLayersModel(readHandler(dir))).rejects.toThrow(/SpatialDropout2D/);
  });
});
