// The tfjs LayersModel round trip, both ways, against @tensorflow/tfjs 4.22 (pure JS, cpu backend):
// (a) a model saved here loads with tf.loadLayersModel and predicts the same to 1e-5;
// (b) a model built and saved by tfjs loads here and predicts the same to 1e-5;
// (c) layer names, weight names and shapes, output shapes and parameter counts agree.
// Pure tfjs in Node has no file:// handler, so the files go through the IOHandlers of tfjs-io.ts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Activation, ConfigError, Conv2D, Dense, Dropout, Flatten, MaxPooling2D, Sequential, loadModel, randomNormal, tensor
} from 'semiflow';
import { maxAbsDiff, randomizeWeights, readHandler, saveFromTfjs } from './tfjs-io.ts';

const root = mkdtempSync(join(tmpdir(), 'semiflow-tfjs-'));

beforeAll(async () => {
  // The cpu backend's "install tfjs-node" banner is a warning, which tfjs skips in its test mode.
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function cnn(): Sequential {
  const model = new Sequential({ seed: 3, name: 'small_cnn' });
  model.add(new Conv2D(4, 3, { activation: 'relu', inputShape: [9, 9, 2] }));
  model.add(new MaxPooling2D(2, { padding: 'same' }));
  model.add(new Conv2D(3, [2, 3], { strides: [1, 2], padding: 'same', activation: 'tanh' }));
  model.add(new Flatten());
  model.add(new Dropout(0.3));
  model.add(new Dense(6, { activation: 'softplus' }));
  model.add(new Activation('sigmoid'));
  model.add(new Dense(4, { activation: 'softmax' }));
  return model;
}

function mlp(): Sequential {
  const model = new Sequential({ seed: 4 });
  model.add(new Dense(7, { activation: 'relu', inputShape: [5] }));
  model.add(new Dropout(0.5));
  model.add(new Dense(5, { activation: 'elu', useBias: false }));
  model.add(new Dense(3, { activation: 'linear', kernelInitializer: 'heNormal' }));
  model.add(new Activation('tanh'));
  return model;
}

describe('tfjs round trip: saved here, loaded by tf.loadLayersModel', () => {
  for (const [label, build, input] of [
    ['CNN (Conv2D, MaxPooling2D, Flatten, Dropout, Dense, Activation)', cnn, [6, 9, 9, 2]],
    ['MLP (Dense, Dropout, Activation)', mlp, [8, 5]],
  ] as const) {
    it(`${label}: tfjs predicts what we predict (1e-5), with the same names, shapes and parameter counts`, async () => {
      const model = build();
      randomizeWeights(model, 10);
      const dir = join(root, `ours-${model.name}`);
      await model.save(dir);
      const theirs = await tf.loadLayersModel(readHandler(dir));
      const x = randomNormal([...input], { seed: 5 });
      expect(maxAbsDiff(model.predict(x), theirs.predict(tf.tensor(Array.from(x.storage), [...input])) as tf.Tensor)).toBeLessThan(1e-5);

      const ourLayers = model.layers.slice(1);
      expect(theirs.name).toBe(model.name);
      expect(theirs.layers.map((l) => l.name)).toEqual(ourLayers.map((l) => l.name));
      expect(theirs.layers.map((l) => l.getClassName())).toEqual(ourLayers.map((l) => l.constructor.name));
      expect(theirs.layers.map((l) => l.outputShape)).toEqual(ourLayers.map((l) => [null, ...(model.outputShapeOf(l) as number[])]));
      expect(theirs.layers.map((l) => l.countParams())).toEqual(ourLayers.map((l) => l.parameterCount));
      expect(theirs.countParams()).toBe(ourLayers.reduce((n, l) => n + l.parameterCount, 0));
      expect(theirs.weights.map((w) => [w.originalName, w.shape])).toEqual(
        ourLayers.flatMap((l) => l.weights.map((w) => [`${l.name}/${w.name}`, [...w.shape]])));
    });
  }

  it('a model saved with its optimizer state still loads in tfjs, which ignores the semiflow section', async () => {
    const model = mlp();
    model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    await model.fit(randomNormal([16, 5], { seed: 1 }), randomNormal([16, 3], { seed: 2 }), { epochs: 1, batchSize: 8, verbose: 0 });
    const dir = join(root, 'with-optimizer');
    await model.save(dir, { includeOptimizer: true });
    const theirs = await tf.loadLayersModel(readHandler(dir));
    const x = randomNormal([4, 5], { seed: 6 });
    expect(maxAbsDiff(model.predict(x), theirs.predict(tf.tensor(Array.from(x.storage), [4, 5])) as tf.Tensor)).toBeLessThan(1e-5);
  });

  it('an activation tfjs defines differently is written so that tfjs refuses it instead of computing something else', async () => {
    const model = new Sequential();
    model.add(new Dense(2, { activation: 'hardSigmoid', inputShape: [3] }));
    const dir = join(root, 'hard-sigmoid');
    await model.save(dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.modelTopology.config.layers[0].config.activation).toBe('semiflow>hardSigmoid');
    await expect(tf.loadLayersModel(readHandler(dir))).rejects.toThrow(/hardSigmoid|Unknown activation/i);
  });
});

describe('tfjs round trip: saved by tfjs, loaded here', () => {
  it('a tfjs CNN of Conv2D, MaxPooling2D, Flatten, Dropout, Dense and Activation predicts the same here (1e-5)', async () => {
    const theirs = tf.sequential();
    theirs.add(tf.layers.conv2d({ filters: 5, kernelSize: 3, activation: 'relu', inputShape: [10, 10, 1] }));
    theirs.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    theirs.add(tf.layers.conv2d({ filters: 4, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'sigmoid' }));
    theirs.add(tf.layers.flatten());
    theirs.add(tf.layers.dropout({ rate: 0.25 }));
    theirs.add(tf.layers.dense({ units: 8, activation: 'tanh', kernelInitializer: 'heUniform', biasInitializer: 'randomNormal' }));
    theirs.add(tf.layers.activation({ activation: 'softplus' }));
    theirs.add(tf.layers.dense({ units: 3, activation: 'softmax', biasInitializer: 'ones' }));
    const dir = join(root, 'theirs-cnn');
    await saveFromTfjs(theirs, dir);

    const model = await loadModel(dir);
    const x = randomNormal([5, 10, 10, 1], { seed: 8 });
    expect(maxAbsDiff(model.predict(x), theirs.predict(tf.tensor(Array.from(x.storage), [5, 10, 10, 1])) as tf.Tensor)).toBeLessThan(1e-5);

    const ourLayers = model.layers.slice(1);
    expect(ourLayers.map((l) => l.name)).toEqual(theirs.layers.map((l) => l.name));
    expect(ourLayers.map((l) => l.name)[0]).toMatch(/^conv2d_Conv2D\d+$/);
    expect(ourLayers.map((l) => [null, ...(model.outputShapeOf(l) as number[])])).toEqual(theirs.layers.map((l) => l.outputShape));
    expect(ourLayers.map((l) => l.parameterCount)).toEqual(theirs.layers.map((l) => l.countParams()));
    const summary = model.summary(null);
    expect(summary).toContain(`Total params: ${theirs.countParams().toLocaleString('en-US')} `);
    const theirWeights = theirs.getWeights();
    model.getWeights().forEach((w, i) => {
      expect(w.shape).toEqual(theirWeights[i].shape);
      expect(Array.from(w.storage)).toEqual(Array.from(theirWeights[i].dataSync()));
    });
  });

  it('a tfjs MLP keeps its activations, use_bias and names', async () => {
    const theirs = tf.sequential({ name: 'their_mlp' });
    theirs.add(tf.layers.dense({ units: 6, activation: 'selu', inputShape: [4], name: 'hidden' }));
    theirs.add(tf.layers.dense({ units: 5, activation: 'softsign', useBias: false }));
    theirs.add(tf.layers.dense({ units: 2, activation: 'sigmoid' }));
    const dir = join(root, 'theirs-mlp');
    await saveFromTfjs(theirs, dir);
    const model = await loadModel(dir);
    expect(model.name).toBe('their_mlp');
    expect(model.layers[1].name).toBe('hidden');
    expect((model.layers[2] as Dense).useBias).toBe(false);
    const x = tensor([[0.5, -1, 2, 0], [3, 1, -0.5, -2]]);
    expect(maxAbsDiff(model.predict(x), theirs.predict(tf.tensor([[0.5, -1, 2, 0], [3, 1, -0.5, -2]])) as tf.Tensor)).toBeLessThan(1e-5);
  });

  it("tfjs's hard_sigmoid (0.2x + 0.5) loads as hardSigmoidTfjs, not as semiflow's x/6 + 0.5, and is saved back under its name", async () => {
    const theirs = tf.sequential();
    theirs.add(tf.layers.dense({ units: 2, activation: 'hardSigmoid', inputShape: [3], biasInitializer: 'randomNormal' }));
    const dir = join(root, 'theirs-hard-sigmoid');
    await saveFromTfjs(theirs, dir);
    const model = await loadModel(dir);
    expect((model.layers[1] as Dense).activation.name).toBe('hardSigmoidTfjs');
    const x = tensor([[0.5, -1, 2], [3, 1, -0.5], [9, -9, 4]]);
    const theirsOut = theirs.predict(tf.tensor(Array.from(x.storage), [3, 3])) as tf.Tensor;
    expect(maxAbsDiff(model.predict(x), theirsOut)).toBeLessThan(1e-5);
    const again = join(root, 'ours-hard-sigmoid');
    await model.save(again);
    const json = JSON.parse(readFileSync(join(again, 'model.json'), 'utf8'));
    expect(json.modelTopology.config.layers[0].config.activation).toBe('hard_sigmoid');
    expect(maxAbsDiff(model.predict(x), (await tf.loadLayersModel(readHandler(again))).predict(tf.tensor(Array.from(x.storage), [3, 3])) as tf.Tensor)).toBeLessThan(1e-5);
  });
});
