// Bidirectional (issue 16): the two directions against the wrapped layer run each way, every merge mode, masks,
// its gradient over fast-check shapes (float64), tfjs's weight names, and errors naming the layer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Bidirectional, Concatenate, ConfigError, Dense, Flatten, GRU, LSTM, Sequential, input, loadModel, model, ShapeError, SimpleRNN, add, checkLayerGrad, concat, div, gather, mul, randomNormal, randomUniform } from 'semiflow';
import type { MergeMode, Recurrent, Tensor } from 'semiflow';
import { maxAbsDiff, readHandler } from './tfjs-io.ts';

const MODES: MergeMode[] = ['concat', 'sum', 'mul', 'ave'];
const MERGE: Record<MergeMode, (a: Tensor, b: Tensor) => Tensor> = {
  concat: (a, b) => concat([a, b], -1), sum: add, mul, ave: (a, b) => div(add(a, b), 2),
};
const f64 = (shape: number[], seed: number) => randomNormal(shape, { seed, dtype: 'float64' });
/** The weights of one direction, under the wrapped layer's own names. */
const direction = (layer: { params: Record<string, Tensor> }, prefix: string) => Object.fromEntries(Object.entries(layer.params)
  .filter(([k]) => k.startsWith(`${prefix}_`)).map(([k, v]) => [k.slice(k.indexOf('/') + 1), v]));

describe('Bidirectional', () => {
  it.each(MODES)('merge mode %s: the forward run merged with the backward run reversed into time order', (mode) => {
    const x = f64([2, 4, 3], 1);
    const mask = randomUniform([2, 4], { seed: 2, dtype: 'float64' }).greater(0.3).cast('float64');
    for (const returnSequences of [false, true]) {
      const layer = new Bidirectional(new LSTM(3, { returnSequences, biasInitializer: 'randomNormal' }), { mergeMode: mode });
      const y = layer.apply(x, { mask });
      const forward = new LSTM(3, { returnSequences }).apply(x, { mask, params: direction(layer, 'forward') });
      let backward = new LSTM(3, { returnSequences, goBackwards: true }).apply(x, { mask, params: direction(layer, 'backward') });
      if (returnSequences) backward = gather(backward, [3, 2, 1, 0], 1);
      expect(Array.from(y.storage)).toEqual(Array.from(MERGE[mode](forward, backward).storage));
      expect(y.shape).toEqual([2, ...(returnSequences ? [4] : []), mode === 'concat' ? 6 : 3]);
      expect(layer.computeMask(x, mask)).toBe(returnSequences ? mask : undefined);
    }
  });

  it('names its weights as tfjs does, forward_<layer>/kernel … backward_<layer>/bias, and copies the layer once each way', () => {
    const inner = new GRU(2, { name: 'enc', resetAfter: false });
    const layer = new Bidirectional(inner, { name: 'bi' });
    layer.ensureBuilt([1, 3, 4]);
    expect(layer.weights.map((w) => [w.name, [...w.shape]])).toEqual([
      ['forward_enc/kernel', [4, 6]], ['forward_enc/recurrent_kernel', [2, 6]], ['forward_enc/bias', [6]],
      ['backward_enc/kernel', [4, 6]], ['backward_enc/recurrent_kernel', [2, 6]], ['backward_enc/bias', [6]],
    ]);
    expect([layer.forwardLayer.goBackwards, layer.backwardLayer.goBackwards, inner.built]).toEqual([false, true, false]);
    // Two draws: the directions do not start equal.
    expect(Array.from(layer.params['forward_enc/kernel'].storage)).not.toEqual(Array.from(layer.params['backward_enc/kernel'].storage));
  });

  it('mergeMode null returns [forward, backward]; with returnState the states follow: [merged, h→, c→, h←, c←]', () => {
    const x = f64([2, 3, 2], 7);
    const both = new Bidirectional(new LSTM(2, { returnSequences: true, biasInitializer: 'randomNormal' }), { mergeMode: null });
    const [f, b] = both.apply(x);
    const forward = new LSTM(2, { returnSequences: true, returnState: true }).apply(x, { params: direction(both, 'forward') });
    const backward = new LSTM(2, { returnSequences: true, returnState: true, goBackwards: true }).apply(x, { params: direction(both, 'backward') });
    expect(Array.from(f.storage)).toEqual(Array.from(forward[0].storage));
    expect(Array.from(b.storage)).toEqual(Array.from(gather(backward[0], [2, 1, 0], 1).storage));
    const withStates = new Bidirectional(new LSTM(2, { returnSequences: true, returnState: true }), { mergeMode: 'sum' });
    const outputs = withStates.apply(x, { params: Object.fromEntries(Object.keys(both.params).map((k) => [k.replace(/_lstm_\d+/, `_${withStates.layer.name}`), both.params[k]])) });
    expect(outputs.map((t) => Array.from(t.storage))).toEqual([add(forward[0], gather(backward[0], [2, 1, 0], 1)), ...forward.slice(1), ...backward.slice(1)].map((t) => Array.from(t.storage)));
    for (const layer of [new Bidirectional(new GRU(2, { returnState: true }), { mergeMode: null }), withStates]) {
      const result = checkLayerGrad(layer, x, { seed: 2 });
      expect(result.ok, result.message).toBe(true);
    }
  });

  it('in a functional model, its several outputs save and load (here and in tfjs) and predict the same', async () => {
    const seq = input({ shape: [3, 2] });
    const [merged, h, c] = new LSTM(3, { returnSequences: true, returnState: true }).apply(seq);
    const [f, b] = new Bidirectional(new GRU(2, { resetAfter: false, returnSequences: true, recurrentActivation: 'hardSigmoidTfjs' }), { mergeMode: null }).apply(merged);
    const top = new Dense(1).apply(new Concatenate().apply([new Flatten().apply(f), new Flatten().apply(b), h, c]));
    const m = model({ inputs: seq, outputs: top, seed: 3 });
    const dir = mkdtempSync(join(tmpdir(), 'semiflow-bidirectional-'));
    try {
      await m.save(dir);
      const x = f64([4, 3, 2], 8).cast('float32');
      const again = await loadModel(dir);
      const ours = m.predict(x) as Tensor;
      expect(Array.from((again.predict(x) as Tensor).storage)).toEqual(Array.from(ours.storage));
      const theirs = await tf.loadLayersModel(readHandler(dir));
      expect(maxAbsDiff(ours, theirs.predict(tf.tensor(Array.from(x.storage), [4, 3, 2])) as tf.Tensor)).toBeLessThan(1e-5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes the wrapped layer's inputShape as its own, so it can start a Sequential", () => {
    const m = new Sequential({ layers: [new Bidirectional(new GRU(2, { inputShape: [4, 3] })), new Dense(1)] });
    expect(m.layers[1].inputShape).toEqual([4, 3]);
    expect(m.outputShape).toEqual([1]);
  });

  it('takes a backward layer of its own', () => {
    const x = f64([1, 3, 2], 3);
    const layer = new Bidirectional(new LSTM(2), { backwardLayer: new SimpleRNN(3, { name: 'back', goBackwards: true }), mergeMode: 'concat' });
    expect(layer.apply(x).shape).toEqual([1, 5]);
    expect(layer.weights.map((w) => w.name).slice(3)).toEqual(['backward_back/kernel', 'backward_back/recurrent_kernel', 'backward_back/bias']);
  });

  it('has a correct gradient for every merge mode, with and without a mask', () => {
    const arb = fc.record({
      batch: fc.integer({ min: 1, max: 3 }), time: fc.integer({ min: 1, max: 4 }), features: fc.integer({ min: 1, max: 3 }),
      units: fc.integer({ min: 1, max: 3 }), mode: fc.constantFrom(...MODES), returnSequences: fc.boolean(), masked: fc.boolean(),
      kind: fc.constantFrom('simple', 'lstm', 'gru'), seed: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(fc.property(arb, (c) => {
      const options = { returnSequences: c.returnSequences, biasInitializer: 'randomNormal' };
      const inner: Recurrent = c.kind === 'simple' ? new SimpleRNN(c.units, options) : c.kind === 'lstm' ? new LSTM(c.units, options) : new GRU(c.units, options);
      const layer = new Bidirectional(inner, { mergeMode: c.mode });
      const x = f64([c.batch, c.time, c.features], c.seed);
      const mask = c.masked ? randomUniform([c.batch, c.time], { seed: c.seed + 1, dtype: 'float64' }).greater(0.4).cast('float64') : undefined;
      const result = checkLayerGrad(layer, x, { seed: c.seed, ...(mask === undefined ? {} : { mask }) });
      expect(result.ok, result.message).toBe(true);
    }), { numRuns: 16 });
  });

  it('model.loadWeights gives a model with other automatic names the saved weights of both directions', async () => {
    const make = () => new Sequential({ layers: [new Bidirectional(new LSTM(2, { returnSequences: true }), { inputShape: [3, 2] }), new GRU(2), new Dense(1)] });
    const saved = make();
    const dir = mkdtempSync(join(tmpdir(), 'semiflow-bidirectional-'));
    try {
      await saved.save(dir);
      const other = make();
      other.build([3, 2]);
      expect(other.layers[1].weights[0].name).not.toBe(saved.layers[1].weights[0].name);
      await other.loadWeights(dir);
      expect(other.getWeights().map((w) => Array.from(w.storage))).toEqual(saved.getWeights().map((w) => Array.from(w.storage)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad options and input, naming the layer', () => {
    expect(() => new Bidirectional(new LSTM(2), { name: 'b1', mergeMode: 'max' as MergeMode })).toThrow(new ConfigError("b1: mergeMode must be one of 'concat', 'sum', 'mul', 'ave', got string \"max\""));
    expect(() => new Bidirectional({} as Recurrent, { name: 'b2' })).toThrow(/^b2: layer must be a SimpleRNN, LSTM or GRU/);
    expect(() => new Bidirectional(new LSTM(2), { name: 'b3', backwardLayer: new LSTM(2) })).toThrow(/^b3: backwardLayer must have the opposite goBackwards/);
    expect(() => new Bidirectional(new LSTM(2), { name: 'b4', merge_mode: 'sum' } as never)).toThrow(/^b4: unknown option 'merge_mode' \(did you mean 'mergeMode'\?\)/);
    expect(() => new Bidirectional(new LSTM(2), { name: 'b5' }).apply(randomNormal([2, 3]))).toThrow(new ShapeError('b5: expected input [batch,time,features], got [2,3]'));
  });
});
