// The tfjs round trip of the convolution and image-geometry layers, and of regularizers and constraints, both ways,
// to 1e-5 (as test/tfjs-roundtrip.test.ts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Conv2D, Conv2DTranspose, Cropping2D, DepthwiseConv2D, Flatten, Dense, SeparableConv2D, Sequential, UpSampling2D, ZeroPadding2D, constraints, loadModel,
  randomNormal, regularizers,
} from 'semiflow';
import { maxAbsDiff, randomizeWeights, readHandler, saveFromTfjs } from './tfjs-io.ts';

const root = mkdtempSync(join(tmpdir(), 'semiflow-tfjs-conv-'));

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function convNet(): Sequential {
  const model = new Sequential({ seed: 5, name: 'conv_net' });
  model.add(new ZeroPadding2D([[1, 2], [0, 1]], { inputShape: [8, 7, 2] }));
  model.add(new Conv2D(4, 3, { dilationRate: [2, 1], activation: 'relu', padding: 'SAME' }));
  model.add(new DepthwiseConv2D([3, 2], { depthMultiplier: 2, strides: [2, 1], activation: 'tanh' }));
  model.add(new SeparableConv2D(3, 2, { depthMultiplier: 2, dilationRate: 2, padding: 'same', activation: 'elu' }));
  model.add(new Conv2DTranspose(5, [3, 2], { strides: [2, 3], padding: 'same', activation: 'sigmoid' }));
  model.add(new Cropping2D([[1, 0], [2, 3]]));
  model.add(new UpSampling2D([1, 2]));
  model.add(new Conv2DTranspose(2, 2, { strides: 1, useBias: false }));
  model.add(new Flatten());
  model.add(new Dense(3, { activation: 'softmax' }));
  return model;
}

describe('tfjs round trip of the convolution layers', () => {
  it('saved here, loaded by tf.loadLayersModel: same predictions (1e-5), names, weight names and shapes, output shapes', async () => {
    const model = convNet();
    randomizeWeights(model, 20);
    const dir = join(root, 'ours');
    await model.save(dir);
    const theirs = await tf.loadLayersModel(readHandler(dir));
    const x = randomNormal([3, 8, 7, 2], { seed: 7 });
    expect(maxAbsDiff(model.predict(x), theirs.predict(tf.tensor(Array.from(x.storage), [3, 8, 7, 2])) as tf.Tensor)).toBeLessThan(1e-5);
    const ourLayers = model.layers.slice(1);
    expect(theirs.layers.map((l) => l.getClassName())).toEqual(ourLayers.map((l) => l.constructor.name));
    expect(theirs.layers.map((l) => l.outputShape)).toEqual(ourLayers.map((l) => [null, ...(model.outputShapeOf(l) as number[])]));
    expect(theirs.weights.map((w) => [w.originalName, w.shape])).toEqual(
      ourLayers.flatMap((l) => l.weights.map((w) => [`${l.name}/${w.name}`, [...w.shape]])));
    // Loaded back here, the model is the same one.
    const again = await loadModel(dir);
    expect(maxAbsDiff(again.predict(x), theirs.predict(tf.tensor(Array.from(x.storage), [3, 8, 7, 2])) as tf.Tensor)).toBeLessThan(1e-5);
  });

  it('saved by tfjs, loaded here: same predictions (1e-5), weights and shapes', async () => {
    const theirs = tf.sequential();
    theirs.add(tf.layers.zeroPadding2d({ padding: [[2, 0], [1, 1]], inputShape: [9, 8, 3] }));
    theirs.add(tf.layers.conv2d({ filters: 4, kernelSize: [3, 2], dilationRate: [1, 2], padding: 'same', activation: 'relu' }));
    theirs.add(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 3, strides: 2, biasInitializer: 'randomNormal' }));
    // depthMultiplier 1: tfjs 4.22's SeparableConv2D leaves depth_multiplier out of the config it saves, so tfjs cannot reload another either.
    theirs.add(tf.layers.separableConv2d({ filters: 5, kernelSize: 2, activation: 'tanh', biasInitializer: 'randomNormal' }));
    theirs.add(tf.layers.upSampling2d({ size: [2, 3] }));
    theirs.add(tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'valid', biasInitializer: 'randomNormal' }));
    theirs.add(tf.layers.cropping2D({ cropping: [[1, 2], [0, 3]] }));
    theirs.add(tf.layers.flatten());
    theirs.add(tf.layers.dense({ units: 2 }));
    const dir = join(root, 'theirs');
    await saveFromTfjs(theirs, dir);
    const model = await loadModel(dir);
    const x = randomNormal([2, 9, 8, 3], { seed: 9 });
    expect(maxAbsDiff(model.predict(x), theirs.predict(tf.tensor(Array.from(x.storage), [2, 9, 8, 3])) as tf.Tensor)).toBeLessThan(1e-5);
    const ourLayers = model.layers.slice(1);
    expect(ourLayers.map((l) => [null, ...(model.outputShapeOf(l) as number[])])).toEqual(theirs.layers.map((l) => l.outputShape));
    const theirWeights = theirs.getWeights();
    model.getWeights().forEach((w, i) => expect(Array.from(w.storage)).toEqual(Array.from(theirWeights[i].dataSync())));
  });

  it('a grouped Conv2D saves and loads here, and tfjs, whose Conv2D has no groups, refuses it instead of misreading it', async () => {
    const model = new Sequential({ seed: 2 });
    model.add(new Conv2D(4, 3, { groups: 2, inputShape: [6, 6, 4] }));
    randomizeWeights(model, 3);
    const dir = join(root, 'grouped');
    await model.save(dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.modelTopology.config.layers[0].config.groups).toBe(2);
    const again = await loadModel(dir);
    const x = randomNormal([2, 6, 6, 4], { seed: 4 });
    expect(Array.from(again.predict(x).storage)).toEqual(Array.from(model.predict(x).storage));
    await expect(tf.loadLayersModel(readHandler(dir))).rejects.toThrow(/shape/i);
  });

  it('regularizers and constraints cross in both directions as L1L2, MaxNorm, NonNeg, UnitNorm and MinMaxNorm', async () => {
    const model = new Sequential({ seed: 8 });
    model.add(new Conv2D(3, 2, { inputShape: [5, 5, 2], kernelRegularizer: regularizers.l1(0.002), kernelConstraint: constraints.maxNorm({ maxValue: 3, axis: [0, 1, 2] }), biasConstraint: 'nonNeg' }));
    model.add(new SeparableConv2D(2, 2, { depthwiseRegularizer: 'l2', pointwiseConstraint: constraints.minMaxNorm({ minValue: 0.5, rate: 0.3 }) }));
    model.add(new Flatten());
    model.add(new Dense(2, { kernelRegularizer: regularizers.l1l2({ l1: 0.1, l2: 0.2 }), kernelConstraint: constraints.unitNorm() }));
    randomizeWeights(model, 30);
    // tfjs projects a weight through its constraint whenever it writes one, loading included (Keras does not): start
    // from the projections' fixed points, reached by repeating each (minMaxNorm with rate 0.3 moves 30% of the way).
    for (const w of model.layers.flatMap((l) => l.weights)) {
      for (let i = 0; i < 60 && w.constraint !== undefined; i++) w.assign(w.constraint.apply(w.value));
    }
    const dir = join(root, 'rules');
    await model.save(dir);
    const theirs = await tf.loadLayersModel(readHandler(dir));
    const config = theirs.layers.map((l) => l.getConfig());
    expect(config[0].kernelRegularizer).toEqual({ className: 'L1L2', config: { l1: 0.002, l2: 0 } });
    expect(config[0].kernelConstraint).toEqual({ className: 'MaxNorm', config: { maxValue: 3, axis: [0, 1, 2] } });
    expect(config[0].biasConstraint).toEqual({ className: 'NonNeg', config: {} });
    expect(config[1].pointwiseConstraint).toEqual({ className: 'MinMaxNorm', config: { minValue: 0.5, maxValue: 1, rate: 0.3, axis: 0 } });
    expect(config[3].kernelConstraint).toEqual({ className: 'UnitNorm', config: { axis: 0 } });
    const x = randomNormal([2, 5, 5, 2], { seed: 1 });
    expect(maxAbsDiff(model.predict(x), theirs.predict(tf.tensor(Array.from(x.storage), [2, 5, 5, 2])) as tf.Tensor)).toBeLessThan(1e-5);

    // Saved back by tfjs, they load here with the same options.
    const back = join(root, 'rules-back');
    await saveFromTfjs(theirs, back);
    const again = await loadModel(back);
    const rules = (again.layers.slice(1) as [Conv2D, SeparableConv2D, Flatten, Dense]);
    expect(rules[0].rules.kernel.regularizer?.l1).toBe(0.002);
    expect(rules[0].rules.kernel.constraint?.config).toEqual({ maxValue: 3, axis: [0, 1, 2] });
    expect(rules[0].rules.bias.constraint?.name).toBe('nonNeg');
    expect(rules[1].rules.depthwise.regularizer?.l2).toBe(0.01);
    expect(rules[1].rules.pointwise.constraint?.config).toEqual({ minValue: 0.5, maxValue: 1, rate: 0.3, axis: 0 });
    expect([rules[3].rules.kernel.regularizer?.l1, rules[3].rules.kernel.regularizer?.l2]).toEqual([0.1, 0.2]);
    expect(maxAbsDiff(again.predict(x), theirs.predict(tf.tensor(Array.from(x.storage), [2, 5, 5, 2])) as tf.Tensor)).toBeLessThan(1e-5);
  });

  it('an activity regularizer is saved in the Keras format, which tfjs 4.22 cannot run (it throws NotImplementedError)', async () => {
    const model = new Sequential();
    model.add(new Dense(2, { inputShape: [3], activityRegularizer: 'l2' }));
    const dir = join(root, 'activity');
    await model.save(dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.modelTopology.config.layers[0].config.activity_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0, l2: 0.01 } });
    expect((await loadModel(dir)).layers[1].activityRegularizer?.l2).toBe(0.01);
    await expect(tf.loadLayersModel(readHandler(dir))).rejects.toThrow(/activity regularizer/);
  });
});

