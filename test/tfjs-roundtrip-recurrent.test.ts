// The tfjs round trip of the recurrent layers of issue 16, both ways, against @tensorflow/tfjs 4.22 (cpu backend):
// each model is trained a few steps, saved on one side, loaded on the other, and must predict the same to 1e-5 with
// the same layer and weight names and shapes. tfjs's recurrent activation defaults to hard_sigmoid (0.2·x + 0.5);
// the models here ask for sigmoid, tf.keras 2's default and semiflow's, and the last test loads tfjs's default.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bidirectional, Dense, GRU, LSTM, Sequential, SimpleRNN, loadModel, randomNormal } from 'semiflow';
import { expectSameLayers, maxAbsDiff, readHandler, saveFromTfjs } from './tfjs-io.ts';

const root = mkdtempSync(join(tmpdir(), 'semiflow-tfjs-recurrent-'));

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const SAMPLE = [4, 3];
const sig = { recurrentActivation: 'sigmoid' } as const;

interface Case {
  label: string;
  ours: () => Sequential;
  theirs: () => tf.Sequential;
}

const CASES: Case[] = [
  {
    label: 'SimpleRNN (returnSequences) then LSTM',
    ours: () => new Sequential({ seed: 2, layers: [new SimpleRNN(5, { returnSequences: true, inputShape: SAMPLE }), new LSTM(4), new Dense(2)] }),
    theirs: () => tf.sequential({ layers: [
      tf.layers.simpleRNN({ units: 5, returnSequences: true, inputShape: SAMPLE }), tf.layers.lstm({ units: 4, ...sig }), tf.layers.dense({ units: 2 }),
    ] }),
  },
  {
    label: 'LSTM (returnSequences, goBackwards) then GRU (resetAfter false, returnSequences)',
    ours: () => new Sequential({ seed: 3, layers: [
      new LSTM(3, { returnSequences: true, goBackwards: true, inputShape: SAMPLE }), new GRU(4, { resetAfter: false, returnSequences: true }), new Dense(2),
    ] }),
    theirs: () => tf.sequential({ layers: [
      tf.layers.lstm({ units: 3, returnSequences: true, goBackwards: true, inputShape: SAMPLE, ...sig }),
      tf.layers.gru({ units: 4, returnSequences: true, ...sig }), tf.layers.dense({ units: 2 }),
    ] }),
  },
  {
    label: 'Bidirectional(LSTM, returnSequences) concat, then Bidirectional(GRU) sum',
    ours: () => new Sequential({ seed: 5, layers: [
      new Bidirectional(new LSTM(3, { returnSequences: true }), { inputShape: SAMPLE }),
      new Bidirectional(new GRU(2, { resetAfter: false }), { mergeMode: 'sum' }), new Dense(2),
    ] }),
    theirs: () => tf.sequential({ layers: [
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true, ...sig }), inputShape: SAMPLE }),
      tf.layers.bidirectional({ layer: tf.layers.gru({ units: 2, ...sig }), mergeMode: 'sum' }), tf.layers.dense({ units: 2 }),
    ] }),
  },
];

function trainingData(outputShape: readonly number[], seed: number) {
  return { x: randomNormal([8, ...SAMPLE], { seed }), y: randomNormal([8, ...outputShape], { seed: seed + 1 }) };
}

const toTf = (t: { storage: ArrayLike<number>; shape: readonly number[] }) => tf.tensor(Array.from(t.storage), [...t.shape]);

describe('tfjs round trip of the recurrent layers', () => {
  for (const c of CASES) {
    it(`${c.label}: saved here after fit, tfjs predicts the same (1e-5), with the same names and shapes`, async () => {
      const model = c.ours();
      model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      const { x, y } = trainingData(model.outputShape as number[], 11);
      await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
      const dir = join(root, `ours-${model.name}`);
      await model.save(dir);
      const theirs = await tf.loadLayersModel(readHandler(dir));
      const input = randomNormal([5, ...SAMPLE], { seed: 12 });
      expect(maxAbsDiff(model.predict(input), theirs.predict(toTf(input)) as tf.Tensor)).toBeLessThan(1e-5);
      const reloaded = await loadModel(dir);
      expect(Array.from(reloaded.predict(input).storage)).toEqual(Array.from(model.predict(input).storage));
      const configs = (m: Sequential): string => JSON.stringify(m.layers.slice(1).map((l) => l.getConfig()));
      expect(configs(reloaded as Sequential)).toBe(configs(model));
      expectSameLayers(theirs, model);
    });

    it(`${c.label}: saved by tfjs after fit, predicts the same here (1e-5) and keeps the weights exactly`, async () => {
      const theirs = c.theirs();
      theirs.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      const { x, y } = trainingData((theirs.outputs[0].shape as number[]).slice(1), 13);
      await theirs.fit(toTf(x), toTf(y), { epochs: 2, batchSize: 4, verbose: 0 });
      const dir = join(root, `theirs-${theirs.name}`);
      await saveFromTfjs(theirs, dir);
      const model = await loadModel(dir);
      const input = randomNormal([5, ...SAMPLE], { seed: 14 });
      expect(maxAbsDiff(model.predict(input), theirs.predict(toTf(input)) as tf.Tensor)).toBeLessThan(1e-5);
      const theirWeights = theirs.layers.flatMap((l) => l.getWeights());
      expect(model.getWeights().map((w) => [w.shape, Array.from(w.storage)])).toEqual(theirWeights.map((w) => [w.shape, Array.from(w.dataSync())]));
      expect(model.layers.slice(1).map((l) => l.parameterCount)).toEqual(theirs.layers.map((l) => l.countParams()));
    });
  }

  it('GRU with resetAfter (bias [2, 3·units]) saves and loads here; tfjs 4.22, which lacks it, refuses it', async () => {
    const model = new Sequential({ seed: 4, layers: [new GRU(3, { returnSequences: true, inputShape: SAMPLE }), new GRU(2), new Dense(2)] });
    model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const { x, y } = trainingData([2], 15);
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    const dir = join(root, 'gru-reset-after');
    await model.save(dir);
    const reloaded = await loadModel(dir);
    expect(JSON.stringify(reloaded.layers.slice(1).map((l) => l.getConfig()))).toBe(JSON.stringify(model.layers.slice(1).map((l) => l.getConfig())));
    expect(reloaded.getWeights().map((w) => w.shape)).toEqual([[3, 9], [3, 9], [2, 9], [3, 6], [2, 6], [2, 6], [2, 2], [2]]);
    expect(Array.from(reloaded.predict(x).storage)).toEqual(Array.from(model.predict(x).storage));
    await expect(tf.loadLayersModel(readHandler(dir))).rejects.toThrow(/reset_after/);
  });

  it("a tfjs LSTM and GRU with tfjs's default hard_sigmoid gates (0.2·x + 0.5) load with those gates and predict the same", async () => {
    const theirs = tf.sequential({ layers: [
      tf.layers.lstm({ units: 3, returnSequences: true, inputShape: SAMPLE, biasInitializer: 'randomNormal' }),
      tf.layers.gru({ units: 2, biasInitializer: 'randomNormal' }),
    ] });
    const dir = join(root, 'hard-sigmoid');
    await saveFromTfjs(theirs, dir);
    const model = await loadModel(dir);
    expect(model.layers.slice(1).map((l) => (l as LSTM | GRU).recurrentActivation.name)).toEqual(['hardSigmoidTfjs', 'hardSigmoidTfjs']);
    const input = randomNormal([5, ...SAMPLE], { seed: 16, stddev: 3 });
    expect(maxAbsDiff(model.predict(input), theirs.predict(toTf(input)) as tf.Tensor)).toBeLessThan(1e-5);
  });
});
