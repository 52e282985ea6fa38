// Embedding, Masking and TimeDistributed (issue 16): what each computes against a direct formula, their gradients
// (numeric, float64, fast-check shapes), their masks, and the typed errors of bad ids and bad options.
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError, Conv2D, Dense, Embedding, Layer, Masking, Sequential, ShapeError, TimeDistributed, ValueError, checkLayerGrad, input, loadModel,
  matmul, randomNormal, regularizers, tensor,
} from 'semiflow';
import type { Tensor } from 'semiflow';
import { thrown } from './thrown.ts';

const rowsOf = (t: Tensor): number[] => Array.from(t.storage);

/** Seeded integer ids in [0, vocab) of the given shape, as float64. */
function ids(shape: number[], vocab: number, seed: number): Tensor {
  const u = randomNormal(shape, { seed, dtype: 'float64' });
  return tensor(Array.from(u.storage, (v) => Math.floor(Math.abs(v) * 997) % vocab), shape, 'float64');
}

describe('Embedding', () => {
  it('gives row id of its table for each id, with Keras defaults (uniform ±0.05) and the weight name embeddings', () => {
    const layer = new Embedding(7, 3);
    const x = tensor([[1, 0, 6], [6, 6, 2]]);
    const y = layer.apply(x);
    expect(y.shape).toEqual([2, 3, 3]);
    expect(layer.weights.map((w) => [w.name, w.shape])).toEqual([['embeddings', [7, 3]]]);
    const table = layer.params.embeddings;
    expect(rowsOf(table).every((v) => v >= -0.05 && v < 0.05)).toBe(true);
    const expected = [1, 0, 6, 6, 6, 2].flatMap((id) => rowsOf(table).slice(id * 3, id * 3 + 3));
    expect(rowsOf(y)).toEqual(expected);
    expect(layer.computeMask(x)).toBeUndefined();
  });

  it('with maskZero makes the mask ids != 0; inputLength gives the input shape', () => {
    const layer = new Embedding(5, 2, { maskZero: true, inputLength: 3 });
    expect(layer.declaredInputShape).toEqual([3]);
    const mask = layer.computeMask(tensor([[0, 3, 0], [4, 0, 1]])) as Tensor;
    expect(mask.shape).toEqual([2, 3]);
    expect(rowsOf(mask)).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it('has the gradient of a lookup with respect to its table (ids repeat), over random shapes', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.nat(1000),
      (batch, time, vocab, dim, seed) => {
        const layer = new Embedding(vocab, dim, { embeddingsInitializer: 'randomNormal' });
        const result = checkLayerGrad(layer, ids([batch, time], vocab, seed), { wrtInput: false, seed });
        expect(result.ok, result.message).toBe(true);
      },
    ), { numRuns: 15 });
  });

  it('refuses a non-integer, negative, too large or NaN id with a ValueError naming the layer, the id and its position', () => {
    const layer = new Embedding(4, 2, { name: 'words' });
    const cases: [number[][], string][] = [
      [[[0, 1.5]], '1.5 at position \\[0,1\\]'], [[[0, 1], [2, -1]], '-1 at position \\[1,1\\]'],
      [[[4, 0]], '4 at position \\[0,0\\]'], [[[0, 0], [0, Number.NaN]], 'NaN at position \\[1,1\\]'],
    ];
    for (const [bad, where] of cases) {
      const error = thrown(() => layer.apply(tensor(bad)));
      expect(error).toBeInstanceOf(ValueError);
      expect(error.message).toMatch(new RegExp(`^words: ids must be integers in \\[0, 4\\).*got ${where}`));
    }
  });

  it('refuses bad options with a typed error naming the layer (sizes are ValueErrors, as Dense units)', () => {
    const bad: [() => unknown, typeof ConfigError | typeof ValueError, RegExp][] = [
      [() => new Embedding(0, 2, { name: 'e1' }), ValueError, /^e1: inputDim must be a positive integer, got (number )?0/],
      [() => new Embedding(3, 1.5, { name: 'e2' }), ValueError, /^e2: outputDim must be a positive integer, got (number )?1.5/],
      [() => new Embedding(3, 2, { name: 'e3', maskZero: 'yes' as unknown as boolean }), ConfigError, /^e3: maskZero must be true or false/],
      [() => new Embedding(3, 2, { name: 'e4', inputLength: -2 }), ConfigError, /^e4: inputLength must be a positive integer/],
      [() => new Embedding(3, 2, { name: 'e5', maskzero: true } as object), ConfigError, /^e5: unknown option 'maskzero'/],
    ];
    for (const [make, type, message] of bad) {
      const error = thrown(make);
      expect(error).toBeInstanceOf(type);
      expect(error.message).toMatch(message);
    }
  });
});

describe('Masking', () => {
  it('zeroes the steps whose features all equal maskValue and marks them in its mask', () => {
    const x = tensor([[[1, 2], [-1, -1], [0, -1]], [[-1, -1], [-1, -1], [3, 3]]]);
    const layer = new Masking({ maskValue: -1 });
    expect(rowsOf(layer.apply(x)).map((v) => v + 0)).toEqual([1, 2, 0, 0, 0, -1, 0, 0, 0, 0, 3, 3]);
    expect(rowsOf(layer.computeMask(x))).toEqual([1, 0, 1, 0, 0, 1]);
    expect(thrown(() => new Masking({ maskValue: 'x' as unknown as number, name: 'm1' })).message).toMatch(/^m1: maskValue must be a number/);
    const flat = thrown(() => new Masking({ name: 'm2' }).apply(tensor([[1, 2]])));
    expect(flat).toBeInstanceOf(ShapeError);
    expect(flat.message).toMatch(/^m2: expected input \[batch,time,features\]/);
  });

  it('passes the gradient of the real steps and none to the padded ones', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.nat(1000), (batch, time, features, seed) => {
      const x = randomNormal([batch, time, features], { seed, dtype: 'float64' });
      const result = checkLayerGrad(new Masking({ maskValue: 0.25 }), x, { seed });
      expect(result.ok, result.message).toBe(true);
    }), { numRuns: 15 });
  });
});

describe('TimeDistributed', () => {
  it('applies the wrapped Dense to every step with one set of weights, which are its own', () => {
    const inner = new Dense(3, { name: 'inner' });
    const layer = new TimeDistributed(inner);
    const x = randomNormal([2, 4, 5], { seed: 1 });
    const y = layer.apply(x);
    expect(y.shape).toEqual([2, 4, 3]);
    expect(layer.weights.map((w) => [w.name, w.shape])).toEqual([['kernel', [5, 3]], ['bias', [3]]]);
    expect(layer.parameterCount).toBe(18);
    for (let t = 0; t < 4; t++) {
      const step = tensor(Array.from({ length: 2 }, (_, b) => rowsOf(x).slice((b * 4 + t) * 5, (b * 4 + t + 1) * 5)));
      const expected = rowsOf(inner.apply(step));
      const got = [0, 1].flatMap((b) => rowsOf(y).slice((b * 4 + t) * 3, (b * 4 + t + 1) * 3));
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    }
  });

  it('has the gradient of its Dense with respect to input and weights, over random shapes', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.nat(1000),
      (batch, time, features, units, seed) => {
        const x = randomNormal([batch, time, features], { seed, dtype: 'float64' });
        const result = checkLayerGrad(new TimeDistributed(new Dense(units, { activation: 'tanh', biasInitializer: 'randomNormal' })), x, { seed });
        expect(result.ok, result.message).toBe(true);
      },
    ), { numRuns: 12 });
  });

  it('has the gradient of its Conv2D over frames, over random shapes', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 2 }), fc.nat(1000),
      (batch, time, side, channels, seed) => {
        const x = randomNormal([batch, time, side, side + 1, channels], { seed, dtype: 'float64' });
        const layer = new TimeDistributed(new Conv2D(2, 2, { padding: 'same', biasInitializer: 'randomNormal' }));
        const result = checkLayerGrad(layer, x, { seed });
        expect(result.ok, result.message).toBe(true);
        expect(layer.apply(x).shape).toEqual([batch, time, side, side + 1, 2]);
      },
    ), { numRuns: 8 });
  });

  it('trains its wrapped layer in a model, counting a weight regularizer once', async () => {
    const model = new Sequential({ seed: 3, dtype: 'float64' });
    const td = new TimeDistributed(new Dense(2, { kernelRegularizer: regularizers.l2(0.5) }), { inputShape: [3, 4] });
    model.add(td);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = randomNormal([6, 3, 4], { seed: 4, dtype: 'float64' });
    const y = randomNormal([6, 3, 2], { seed: 5, dtype: 'float64' });
    const kernel = td.params.kernel;
    const penalty = 0.5 * rowsOf(kernel).reduce((s, v) => s + v * v, 0);
    const logs = model.trainOnBatch(x, y);
    expect(logs.loss - model.testOnBatch(x, y).loss).not.toBe(0);
    // trainOnBatch reports the loss from before its step: data loss plus one l2 penalty of the kernel.
    const prediction = matmul(x, kernel);
    const mse = rowsOf(prediction).reduce((s, v, i) => s + (v - y.storage[i]) ** 2, 0) / prediction.size;
    expect(logs.loss).toBeCloseTo(mse + penalty, 10);
    expect(rowsOf(td.params.kernel)).not.toEqual(rowsOf(kernel));
  });

  it('saves and loads with its wrapped layer nested, a custom one too (customLayers reach it)', async () => {
    class Twice extends Layer {
      protected call(x: Tensor): Tensor {
        return x.mul(2);
      }
    }
    const model = new Sequential({ seed: 6, layers: [new TimeDistributed(new Dense(2), { inputShape: [3, 4] }), new TimeDistributed(new Twice())] });
    const dir = mkdtempSync(join(tmpdir(), 'semiflow-td-'));
    try {
      await model.save(dir);
      const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      expect(saved.modelTopology.config.layers[1].config.layer.class_name).toBe('Twice');
      await expect(loadModel(dir)).rejects.toThrow(/unknown layer class 'Twice'/);
      const again = await loadModel(dir, { customLayers: { Twice } });
      const x = randomNormal([2, 3, 4], { seed: 7 });
      expect(rowsOf(again.predict(x))).toEqual(rowsOf(model.predict(x)));
      expect((again.layers[2] as TimeDistributed).layer).toBeInstanceOf(Twice);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the weights of a layer built before it was wrapped, through a symbolic call', () => {
    const inner = new Dense(2);
    inner.apply(randomNormal([1, 3], { seed: 8 }));
    const kernel = rowsOf(inner.params.kernel);
    const fresh = new Dense(2);
    new TimeDistributed(inner).apply(input({ shape: [4, 3] }));
    new TimeDistributed(fresh).apply(input({ shape: [4, 3] }));
    expect(rowsOf(inner.params.kernel)).toEqual(kernel);
    // A layer the wrapper built for the dry run is unbuilt again, so the model that takes it initialises it.
    expect(fresh.built).toBe(false);
  });

  it('refuses input without a time axis and a wrapped layer that is not a layer', () => {
    const error = thrown(() => new TimeDistributed(new Dense(2), { name: 'td1' }).apply(tensor([[1, 2]])));
    expect(error).toBeInstanceOf(ShapeError);
    expect(error.message).toMatch(/^td1: expected input \[batch,time,\.\.\.\] of rank 3 or more, got \[1,2\]/);
    const notLayer = thrown(() => new TimeDistributed({} as Dense, { name: 'td2' }));
    expect(notLayer).toBeInstanceOf(ConfigError);
    expect(notLayer.message).toMatch(/^td2: expected a Layer/);
  });
});
