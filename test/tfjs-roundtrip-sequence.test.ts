// The tfjs round trip of the sequence layers of issue 16 (Embedding, with maskZero, Masking, TimeDistributed), both
// ways, against @tensorflow/tfjs 4.22 (cpu backend): trained a few steps on one side, saved, loaded on the other,
// they must predict the same to 1e-5, with the same layer and weight names and shapes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Concatenate, Dense, Embedding, Flatten, Functional, Masking, Sequential, TimeDistributed, input, loadModel, model, randomNormal, tensor,
} from 'semiflow';
import type { Tensor } from 'semiflow';
import { expectSameLayers, maxAbsDiff, readHandler, saveFromTfjs } from './tfjs-io.ts';

const root = mkdtempSync(join(tmpdir(), 'semiflow-tfjs-sequence-'));

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Integer ids in [0, vocab) with about a third of them 0 (padding), [rows, length]. */
function idBatch(rows: number, length: number, vocab: number, seed: number): Tensor {
  const u = randomNormal([rows, length], { seed });
  return tensor(Array.from(u.storage, (v) => (v < -0.4 ? 0 : Math.floor(Math.abs(v) * 1000) % vocab)), [rows, length]);
}

/** Normal features [rows, time, features] with some whole steps set to 0, which Masking treats as padding. */
function paddedSteps(rows: number, time: number, features: number, seed: number): Tensor {
  const x = randomNormal([rows, time, features], { seed });
  return tensor(Array.from(x.storage, (v, i) => ((Math.floor(i / features) * 7) % 3 === 1 ? 0 : v)), [rows, time, features]);
}

interface Case {
  label: string;
  data: (seed: number) => Tensor;
  ours: () => Sequential;
  theirs: () => tf.Sequential;
}

const CASES: Case[] = [
  {
    label: 'Embedding, Flatten, Dense',
    data: (seed) => idBatch(8, 5, 10, seed),
    ours: () => new Sequential({ seed: 2, layers: [new Embedding(10, 4, { inputLength: 5 }), new Flatten(), new Dense(2)] }),
    theirs: () => tf.sequential({ layers: [tf.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 5 }), tf.layers.flatten(), tf.layers.dense({ units: 2 })] }),
  },
  {
    label: 'Embedding with maskZero, Dense over every step',
    data: (seed) => idBatch(8, 6, 7, seed),
    ours: () => new Sequential({ seed: 3, layers: [new Embedding(7, 3, { maskZero: true, inputLength: 6 }), new Dense(2, { activation: 'tanh' })] }),
    theirs: () => tf.sequential({ layers: [tf.layers.embedding({ inputDim: 7, outputDim: 3, maskZero: true, inputLength: 6 }), tf.layers.dense({ units: 2, activation: 'tanh' })] }),
  },
  {
    label: 'TimeDistributed(Dense), Flatten, Dense',
    data: (seed) => randomNormal([8, 4, 5], { seed }),
    ours: () => new Sequential({ seed: 4, layers: [new TimeDistributed(new Dense(3, { activation: 'relu' }), { inputShape: [4, 5] }), new Flatten(), new Dense(2)] }),
    theirs: () => tf.sequential({ layers: [
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, activation: 'relu' }), inputShape: [4, 5] }), tf.layers.flatten(), tf.layers.dense({ units: 2 }),
    ] }),
  },
  {
    label: 'Masking, Dense, TimeDistributed(Dense)',
    data: (seed) => paddedSteps(8, 5, 3, seed),
    ours: () => new Sequential({ seed: 5, layers: [new Masking({ maskValue: 0, inputShape: [5, 3] }), new Dense(4), new TimeDistributed(new Dense(2))] }),
    theirs: () => tf.sequential({ layers: [
      tf.layers.masking({ maskValue: 0, inputShape: [5, 3] }), tf.layers.dense({ units: 4 }), tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }) }),
    ] }),
  },
];

const toTf = (t: Tensor): tf.Tensor => tf.tensor(Array.from(t.storage), [...t.shape]);

describe('tfjs round trip of the sequence layers', () => {
  it('a functional model with Embedding(maskZero) shared by two inputs and TimeDistributed: tfjs predicts the same (1e-5)', async () => {
    const a = input({ shape: [6], name: 'left' });
    const b = input({ shape: [6], name: 'right' });
    const words = new Embedding(9, 4, { maskZero: true, name: 'words' });
    const joined = new Concatenate({ axis: -1 }).apply([words.apply(a), words.apply(b)]);
    const out = new TimeDistributed(new Dense(2), { name: 'per_step' }).apply(joined);
    const m = model({ inputs: [a, b], outputs: out, seed: 9 });
    const dir = join(root, 'functional-sequence');
    await m.save(dir);
    const theirs = await tf.loadLayersModel(readHandler(dir));
    const xa = idBatch(5, 6, 9, 21);
    const xb = idBatch(5, 6, 9, 22);
    expect(maxAbsDiff(m.predict([xa, xb]) as Tensor, theirs.predict([toTf(xa), toTf(xb)]) as tf.Tensor)).toBeLessThan(1e-5);
    const again = await loadModel<Functional>(dir);
    expect(Array.from((again.predict([xa, xb]) as Tensor).storage)).toEqual(Array.from((m.predict([xa, xb]) as Tensor).storage));
  });

  for (const c of CASES) {
    it(`${c.label}: saved here after fit, tfjs predicts the same (1e-5), with the same names and shapes`, async () => {
      const model = c.ours();
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const x = c.data(11);
      await model.fit(x, randomNormal([8, ...(model.outputShape as number[])], { seed: 12 }), { epochs: 2, batchSize: 4, verbose: 0 });
      const dir = join(root, `ours-${model.name}`);
      await model.save(dir);
      const theirs = await tf.loadLayersModel(readHandler(dir));
      const probe = c.data(13);
      expect(maxAbsDiff(model.predict(probe), theirs.predict(toTf(probe)) as tf.Tensor)).toBeLessThan(1e-5);
      const reloaded = await loadModel(dir);
      expect(Array.from(reloaded.predict(probe).storage)).toEqual(Array.from(model.predict(probe).storage));
      expectSameLayers(theirs, model);
    });

    it(`${c.label}: saved by tfjs after fit, predicts the same here (1e-5) and keeps the weights exactly`, async () => {
      const theirs = c.theirs();
      theirs.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const x = c.data(14);
      const outShape = (theirs.outputs[0].shape as number[]).slice(1);
      await theirs.fit(toTf(x), toTf(randomNormal([8, ...outShape], { seed: 15 })), { epochs: 2, batchSize: 4, verbose: 0 });
      const dir = join(root, `theirs-${theirs.name}`);
      await saveFromTfjs(theirs, dir);
      const model = await loadModel(dir);
      const probe = c.data(16);
      expect(maxAbsDiff(model.predict(probe), theirs.predict(toTf(probe)) as tf.Tensor)).toBeLessThan(1e-5);
      const theirWeights = theirs.layers.flatMap((l) => l.getWeights());
      expect(model.getWeights().map((w) => [w.shape, Array.from(w.storage)])).toEqual(theirWeights.map((w) => [w.shape, Array.from(w.dataSync())]));
      expect(model.layers.slice(1).map((l) => [l.constructor.name, l.parameterCount])).toEqual(theirs.layers.map((l) => [l.getClassName(), l.countParams()]));
    });
  }
});
