// The functional tfjs LayersModel round trip, both ways, against @tensorflow/tfjs 4.22 (cpu backend), for a model
// with two inputs, two outputs, a shared layer and a residual connection.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Add, Concatenate, Dense, Functional, input, loadModel, model, randomNormal } from 'semiflow';
import type { Tensor } from 'semiflow';
import { maxAbsDiff, randomizeWeights, readHandler, saveFromTfjs } from './tfjs-io.ts';

const root = mkdtempSync(join(tmpdir(), 'semiflow-tfjs-functional-'));

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const toTf = (t: Tensor): tf.Tensor => tf.tensor(Array.from(t.storage), [...t.shape]);

function ours(): Functional {
  const a = input({ shape: [6], name: 'image_a' });
  const b = input({ shape: [4], name: 'image_b' });
  const shared = new Dense(5, { name: 'shared', activation: 'tanh' });
  const ha = new Dense(5, { name: 'proj_a', activation: 'relu' }).apply(a);
  const hb = new Dense(5, { name: 'proj_b', activation: 'sigmoid' }).apply(b);
  const sa = shared.apply(ha);
  const sb = shared.apply(hb);
  const residual = new Add({ name: 'residual' }).apply([ha, sa]);
  const joined = new Concatenate({ name: 'joined' }).apply([residual, sb]);
  const classes = new Dense(3, { name: 'classes', activation: 'softmax' }).apply(joined);
  const score = new Dense(1, { name: 'score' }).apply(new Add({ name: 'residual_b' }).apply([hb, sb]));
  return model({ inputs: [a, b], outputs: [classes, score], name: 'two_heads', seed: 2 });
}

describe('functional tfjs round trip: saved here, loaded by tf.loadLayersModel', () => {
  it('tfjs predicts both outputs as we do (1e-5), with the same layers, weights and wiring', async () => {
    const m = ours();
    randomizeWeights(m, 30);
    const dir = join(root, 'ours');
    await m.save(dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.modelTopology.class_name).toBe('Functional');
    expect(json.modelTopology.config.input_layers).toEqual([['image_a', 0, 0], ['image_b', 0, 0]]);
    expect(json.modelTopology.config.output_layers).toEqual([['classes', 0, 0], ['score', 0, 0]]);
    const sharedJson = json.modelTopology.config.layers.find((l: { name: string }) => l.name === 'shared');
    expect(sharedJson.inbound_nodes).toEqual([[['proj_a', 0, 0, {}]], [['proj_b', 0, 0, {}]]]);

    const theirs = await tf.loadLayersModel(readHandler(dir));
    const xa = randomNormal([7, 6], { seed: 1 });
    const xb = randomNormal([7, 4], { seed: 2 });
    const [c, s] = m.predict([xa, xb]) as Tensor[];
    const [tc, ts] = theirs.predict([toTf(xa), toTf(xb)]) as tf.Tensor[];
    expect(maxAbsDiff(c, tc)).toBeLessThan(1e-5);
    expect(maxAbsDiff(s, ts)).toBeLessThan(1e-5);
    expect(theirs.name).toBe('two_heads');
    expect(theirs.countParams()).toBe(m.getWeights().reduce((n, w) => n + w.size, 0));
    expect(theirs.weights.map((w) => w.originalName).sort()).toEqual(m.layers.flatMap((l) => l.weights.map((w) => `${l.name}/${w.name}`)).sort());
  });
});

describe('functional tfjs round trip: saved by tfjs, loaded here', () => {
  it('a tfjs model with two inputs, two outputs, a shared layer and residual Adds predicts the same here (1e-5)', async () => {
    const a = tf.input({ shape: [6], name: 'a' });
    const b = tf.input({ shape: [4], name: 'b' });
    const shared = tf.layers.dense({ units: 5, activation: 'tanh', name: 'shared', biasInitializer: 'randomNormal' });
    const ha = tf.layers.dense({ units: 5, activation: 'relu', name: 'pa', biasInitializer: 'randomNormal' }).apply(a) as tf.SymbolicTensor;
    const hb = tf.layers.dense({ units: 5, activation: 'elu', name: 'pb', biasInitializer: 'randomNormal' }).apply(b) as tf.SymbolicTensor;
    const sa = shared.apply(ha) as tf.SymbolicTensor;
    const sb = shared.apply(hb) as tf.SymbolicTensor;
    const residual = tf.layers.add({ name: 'residual' }).apply([ha, sa]) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate({ name: 'joined' }).apply([residual, sb, hb]) as tf.SymbolicTensor;
    const o1 = tf.layers.dense({ units: 3, activation: 'softmax', name: 'o1' }).apply(joined) as tf.SymbolicTensor;
    const o2 = tf.layers.dense({ units: 2, name: 'o2' }).apply(tf.layers.average({ name: 'avg' }).apply([sa, sb]) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const theirs = tf.model({ inputs: [a, b], outputs: [o1, o2], name: 'their_graph' });
    const dir = join(root, 'theirs');
    await saveFromTfjs(theirs, dir);

    const m = await loadModel<Functional>(dir);
    expect(m).toBeInstanceOf(Functional);
    expect(m.name).toBe('their_graph');
    expect(m.outputNames).toEqual(['o1', 'o2']);
    const xa = randomNormal([5, 6], { seed: 3 });
    const xb = randomNormal([5, 4], { seed: 4 });
    const [y1, y2] = m.predict([xa, xb]) as Tensor[];
    const [t1, t2] = theirs.predict([toTf(xa), toTf(xb)]) as tf.Tensor[];
    expect(maxAbsDiff(y1, t1)).toBeLessThan(1e-5);
    expect(maxAbsDiff(y2, t2)).toBeLessThan(1e-5);
    expect(m.getWeights().reduce((n, w) => n + w.size, 0)).toBe(theirs.countParams());
    expect(m.summary(null)).toMatch(/shared \(Dense\)\s+│ \(None, 5\)\s+│\s+30 │ pa\[0\]\[0\], pb\[0\]\[0\]/);

    // And back: saved here again, tfjs loads it and still agrees.
    await m.save(join(root, 'back'));
    const again = await tf.loadLayersModel(readHandler(join(root, 'back')));
    const [r1, r2] = again.predict([toTf(xa), toTf(xb)]) as tf.Tensor[];
    expect(maxAbsDiff(y1, r1)).toBeLessThan(1e-5);
    expect(maxAbsDiff(y2, r2)).toBeLessThan(1e-5);
  });
});

describe('functional tfjs round trip: a model used as a layer, twice', () => {
  it('ours: tfjs loads the nested model with its two calls and predicts the same (1e-5); it loads back here too', async () => {
    const x = input({ shape: [4], name: 'inner_in' });
    const inner = model({ inputs: x, outputs: new Dense(3, { name: 'inner_dense', activation: 'tanh' }).apply(x), name: 'encoder', seed: 1 });
    const a = input({ shape: [4], name: 'left' });
    const b = input({ shape: [4], name: 'right' });
    const both = new Add({ name: 'both' }).apply([inner.apply(a), inner.apply(b)]);
    const m = model({ inputs: [a, b], outputs: new Dense(2, { name: 'head' }).apply(both), name: 'siamese', seed: 2 });
    randomizeWeights(m, 50);
    const dir = join(root, 'ours-nested');
    await m.save(dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const encoder = json.modelTopology.config.layers.find((l: { name: string }) => l.name === 'encoder');
    expect(encoder.class_name).toBe('Functional');
    expect(encoder.inbound_nodes).toEqual([[['left', 0, 0, {}]], [['right', 0, 0, {}]]]);
    expect(json.modelTopology.config.layers.find((l: { name: string }) => l.name === 'both').inbound_nodes).toEqual([[['encoder', 1, 0, {}], ['encoder', 2, 0, {}]]]);

    const xa = randomNormal([5, 4], { seed: 5 });
    const xb = randomNormal([5, 4], { seed: 6 });
    const ours = m.predict([xa, xb]) as Tensor;
    const theirs = await tf.loadLayersModel(readHandler(dir));
    expect(maxAbsDiff(ours, theirs.predict([toTf(xa), toTf(xb)]) as tf.Tensor)).toBeLessThan(1e-5);
    const back = await loadModel<Functional>(dir);
    expect(maxAbsDiff(back.predict([xa, xb]) as Tensor, theirs.predict([toTf(xa), toTf(xb)]) as tf.Tensor)).toBeLessThan(1e-5);
    expect(back.summary(null)).toMatch(/encoder \(Functional\)\s+│ \(None, 3\)\s+│\s+15 │ left\[0\]\[0\], right\[0\]\[0\]/);
  });

  it('theirs: a tfjs model with a nested model loads here and predicts the same (1e-5)', async () => {
    const i = tf.input({ shape: [3], name: 'ii' });
    const inner = tf.model({ inputs: i, outputs: tf.layers.dense({ units: 2, name: 'in_d', activation: 'tanh', biasInitializer: 'randomNormal' }).apply(i) as tf.SymbolicTensor, name: 'inner' });
    const a = tf.input({ shape: [3], name: 'a' });
    const o = tf.layers.dense({ units: 1, name: 'out' }).apply(inner.apply(a) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const theirs = tf.model({ inputs: a, outputs: o, name: 'outer' });
    const dir = join(root, 'theirs-nested');
    await saveFromTfjs(theirs, dir);
    const m = await loadModel<Functional>(dir);
    const x = randomNormal([4, 3], { seed: 7 });
    expect(maxAbsDiff(m.predict(x) as Tensor, theirs.predict(toTf(x)) as tf.Tensor)).toBeLessThan(1e-5);
    expect(m.layers.map((l) => l.name)).toEqual(['in_d', 'out']);
  });
});
