// A Sequential used as a layer of a functional model: saved as tfjs writes it (a layer entry with class_name
// Sequential and the config of a Sequential model.json), loaded back here, and exchanged with @tensorflow/tfjs both ways.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Add, BatchNormalization, Dense, Functional, Sequential, abs, add, input, loadModel, model, randomNormal } from 'semiflow';
import type { Tensor } from 'semiflow';
import { maxAbsDiff, randomizeWeights, readHandler, saveFromTfjs } from './tfjs-io.ts';

const root = mkdtempSync(join(tmpdir(), 'semiflow-nested-sequential-'));

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const toTf = (t: Tensor): tf.Tensor => tf.tensor(Array.from(t.storage), [...t.shape]);
const maxDiff = (a: Tensor, b: Tensor): number => Math.max(...Array.from(a.storage, (v, i) => Math.abs(v - b.storage[i])));

/** Two inputs through one Sequential (its two calls share weights), added, then a Dense head; weights drawn at random. */
function siamese(seed: number): Functional {
  const tower = new Sequential({
    name: 'tower', seed: 3,
    layers: [new Dense(5, { name: 'tower_dense', activation: 'relu', inputShape: [4] }), new BatchNormalization({ name: 'tower_bn' }), new Dense(3, { name: 'tower_out' })],
  });
  const a = input({ shape: [4], name: 'left' });
  const b = input({ shape: [4], name: 'right' });
  const both = new Add({ name: 'both' }).apply([tower.apply(a), tower.apply(b)]);
  const m = model({ inputs: [a, b], outputs: new Dense(2, { name: 'head', activation: 'tanh' }).apply(both), name: 'siamese', seed: 4 });
  randomizeWeights(m, seed);
  const movingVariance = tower.layers.flatMap((l) => l.weights).find((w) => w.name === 'moving_variance');
  movingVariance?.assign(add(abs(movingVariance.value), 0.1));
  return m;
}

describe('a Sequential inside a functional model', () => {
  const xa = randomNormal([6, 4], { seed: 5 });
  const xb = randomNormal([6, 4], { seed: 6 });

  it('saves as a Sequential layer entry with its calls from node 1, and loads back predicting the same', async () => {
    const m = siamese(40);
    const dir = join(root, 'ours');
    await m.save(dir);
    const layers = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers;
    const tower = layers.find((l: { name: string }) => l.name === 'tower');
    expect(tower.class_name).toBe('Sequential');
    expect(tower.config.name).toBe('tower');
    expect(tower.config.layers.map((l: { class_name: string }) => l.class_name)).toEqual(['Dense', 'BatchNormalization', 'Dense']);
    expect(tower.config.layers[0].config.batch_input_shape).toEqual([null, 4]);
    expect(tower.inbound_nodes).toEqual([[['left', 0, 0, {}]], [['right', 0, 0, {}]]]);
    expect(layers.find((l: { name: string }) => l.name === 'both').inbound_nodes).toEqual([[['tower', 1, 0, {}], ['tower', 2, 0, {}]]]);

    const back = await loadModel<Functional>(dir);
    expect(back).toBeInstanceOf(Functional);
    expect(maxDiff(back.predict([xa, xb]) as Tensor, m.predict([xa, xb]) as Tensor)).toBe(0);
    // The Sequential's own InputLayer is not written (as tfjs does), so it comes back under a new name.
    const named = (f: Functional): string[] => f.layers.filter((l) => l.weights.length > 0 || l.name === 'both').map((l) => l.name);
    expect(named(back)).toEqual(['tower_dense', 'tower_bn', 'tower_out', 'both', 'head']);
    expect(named(m)).toEqual(named(back));
    expect(back.summary(null)).toMatch(/tower \(Sequential\)\s+│ \(None, 3\)\s+│\s+63 │ left\[0\]\[0\], right\[0\]\[0\]/);
  });

  it('tfjs loads what we save and predicts the same (1e-5)', async () => {
    const m = siamese(41);
    const dir = join(root, 'to-tfjs');
    await m.save(dir);
    const theirs = await tf.loadLayersModel(readHandler(dir));
    expect(maxAbsDiff(m.predict([xa, xb]) as Tensor, theirs.predict([toTf(xa), toTf(xb)]) as tf.Tensor)).toBeLessThan(1e-5);
    expect(theirs.getLayer('tower').getClassName()).toBe('Sequential');
  });

  it('loads a tfjs functional model holding a Sequential and predicts the same (1e-5)', async () => {
    const tower = tf.sequential({
      name: 'their_tower',
      layers: [tf.layers.dense({ units: 3, inputShape: [4], name: 'td', activation: 'tanh', biasInitializer: 'randomNormal' }), tf.layers.dense({ units: 2, name: 'td2' })],
    });
    const a = tf.input({ shape: [4], name: 'a' });
    const out = tf.layers.dense({ units: 1, name: 'out' }).apply(tower.apply(a) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const theirs = tf.model({ inputs: a, outputs: out, name: 'outer' });
    const dir = join(root, 'from-tfjs');
    await saveFromTfjs(theirs, dir);
    const m = await loadModel<Functional>(dir);
    expect(maxAbsDiff(m.predict(xa) as Tensor, theirs.predict(toTf(xa)) as tf.Tensor)).toBeLessThan(1e-5);
    expect(m.layers.filter((l) => l.weights.length > 0).map((l) => l.name)).toEqual(['td', 'td2', 'out']);
  });
});
