import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError, Dense, Dropout, EarlyStopping, ShapeError, ValueError, fromArrays, fromGenerator, fromTensors, input, model, oneHot,
  randomNormal, randomUniform, Sequential, tensor,
} from 'semiflow';
import type { Callback, Logs, Tensor } from 'semiflow';

const bits = (ts: readonly Tensor[]): number[][] => ts.map((t) => Array.from(t.storage));

/** Three classes in 4-D, one-hot labels. */
function data(n: number, seed: number): { x: Tensor; y: Tensor } {
  const noise = randomNormal([n, 4], { seed, stddev: 0.5 });
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const x = tensor(Array.from(noise.storage, (v, i) => v + (labels[Math.floor(i / 4)] === i % 4 ? 2 : 0)), [n, 4]);
  return { x, y: oneHot(labels, 3) };
}

function classifier(seed = 3): Sequential {
  const m = new Sequential({ seed });
  m.add(new Dense(8, { activation: 'relu', inputShape: [4] }));
  m.add(new Dropout(0.2));
  m.add(new Dense(3, { activation: 'softmax' }));
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

/** Records onBatchBegin sizes and epoch logs. */
function recorder(): Callback & { sizes: number[]; epochs: Logs[] } {
  const sizes: number[] = [];
  const epochs: Logs[] = [];
  return { sizes, epochs, onBatchBegin: (_b: number, logs?: Logs) => { sizes.push(logs?.size ?? -1); }, onEpochEnd: (_e: number, logs?: Logs) => { epochs.push({ ...logs }); } };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('fit, evaluate and predict from a dataset', () => {
  it('fit from a dataset equals fit from the same tensors bit for bit (dropout, sample weights, validation)', async () => {
    const { x, y } = data(70, 1);
    const val = data(20, 2);
    const w = randomUniform([70], { seed: 4, min: 0.5, max: 1.5 });
    const a = classifier();
    const ha = await a.fit(x, y, { epochs: 3, batchSize: 16, shuffle: false, sampleWeight: w, validationData: [val.x, val.y], verbose: 0 });
    const b = classifier();
    const rec = recorder();
    const train = fromTensors([x, y, w]).batch(16);
    const hb = await b.fit(train, { epochs: 3, validationData: fromTensors({ xs: val.x, ys: val.y }).batch(16), verbose: 0, callbacks: [rec] });
    expect(bits(b.getWeights())).toEqual(bits(a.getWeights()));
    expect(hb.history).toEqual(ha.history);
    expect(rec.sizes.slice(0, 5)).toEqual([16, 16, 16, 16, 6]);
    expect(Object.keys(rec.epochs[0])).toContain('val_accuracy');

    expect(await b.evaluate(fromTensors({ xs: val.x, ys: val.y }).batch(7))).toEqual(a.evaluate(val.x, val.y, { batchSize: 7 }));
    const predicted = await b.predict(fromTensors({ xs: val.x }).batch(6));
    expect(bits([predicted])).toEqual(bits([a.predict(val.x, { batchSize: 6 })]));
    expect(bits([await b.predict(fromTensors([val.x, val.y]).batch(6))])).toEqual(bits([predicted]));

    // classWeight applies batch by batch, as over tensors.
    const classWeight = [1, 2, 0.5];
    const c = classifier();
    await c.fit(x, y, { epochs: 1, batchSize: 16, shuffle: false, classWeight, verbose: 0 });
    const d = classifier();
    await d.fit(fromTensors({ xs: x, ys: y }).batch(16), { epochs: 1, classWeight, verbose: 0 });
    expect(bits(d.getWeights())).toEqual(bits(c.getWeights()));
    const unweighted = classifier();
    await unweighted.fit(fromTensors({ xs: x, ys: y }).batch(16), { epochs: 1, verbose: 0 });
    expect(bits(d.getWeights())).not.toEqual(bits(unweighted.getWeights()));
  });

  it('a functional model with two inputs and two outputs trains from { xs: [a, b], ys: [c, d] } as from tensors', async () => {
    const make = () => {
      const left = input({ shape: [3] });
      const right = input({ shape: [2] });
      const hidden = new Dense(5, { activation: 'tanh' }).apply(left);
      const joined = new Dense(4).apply(hidden);
      const m = model({ inputs: [left, right], outputs: [new Dense(2, { name: 'p' }).apply(joined), new Dense(1, { name: 'q' }).apply(right)], seed: 5 });
      m.compile({ optimizer: 'sgd', loss: 'mse' });
      return m;
    };
    const [a1, a2, t1, t2] = [randomNormal([30, 3], { seed: 1 }), randomNormal([30, 2], { seed: 2 }), randomNormal([30, 2], { seed: 3 }), randomNormal([30, 1], { seed: 4 })];
    const m1 = make();
    const h1 = await m1.fit([a1, a2], [t1, t2], { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
    const m2 = make();
    const h2 = await m2.fit(fromTensors({ xs: [a1, a2], ys: [t1, t2] }).batch(8), { epochs: 2, verbose: 0 });
    expect(h2.history).toEqual(h1.history);
    expect(bits(m2.getWeights())).toEqual(bits(m1.getWeights()));
    const out = await m2.predict(fromTensors({ xs: [a1, a2] }).batch(8)) as Tensor[];
    expect(bits(out)).toEqual(bits(m1.predict([a1, a2], { batchSize: 8 }) as Tensor[]));
  });

  it('one seed reproduces a run on a shuffled dataset exactly, and a resumed run draws what an uninterrupted one would', async () => {
    const { x, y } = data(60, 3);
    const train = fromTensors({ xs: x, ys: y }).shuffle(60).batch(10);
    const run = async (epochs: number[]) => {
      const m = classifier(9);
      for (const [from, to] of epochs.map((e, i) => [i === 0 ? 0 : epochs[i - 1], e])) await m.fit(train, { epochs: to, initialEpoch: from, verbose: 0 });
      return bits(m.getWeights());
    };
    const straight = await run([3]);
    expect(await run([3])).toEqual(straight);
    expect(await run([1, 3])).toEqual(straight);
    // The order does follow the seed: another model seed shuffles otherwise.
    const other = classifier(9);
    await other.fit(train, { epochs: 3, seed: 10, verbose: 0 });
    expect(bits(other.getWeights())).not.toEqual(straight);
  });

  it('callbacks work as with tensors: EarlyStopping stops on a validation dataset, epoch logs carry val_ keys', async () => {
    const { x, y } = data(40, 5);
    const m = classifier();
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const rec = recorder();
    const stop = new EarlyStopping({ monitor: 'val_loss', patience: 1, baseline: -1 });
    const history = await m.fit(fromTensors({ xs: x, ys: y }).batch(8), { epochs: 10, validationData: fromTensors([x, y]).batch(20), validationSteps: 1, callbacks: [stop, rec], verbose: 0 });
    expect(history.epoch).toEqual([0, 1]); // the baseline is never beaten: patience 1 stops after the 2nd epoch
    expect(rec.epochs[0].val_loss).toBeGreaterThan(0);
    // validationSteps 1 of batches of 20: the first 20 samples.
    expect(rec.epochs[1].val_loss).toBe(m.evaluate(x.slice([0, 0], [20, 4]), y.slice([0, 0], [20, 3]), { batchSize: 20 }).loss);
  });

  it('stepsPerEpoch goes on through the dataset across epochs; a dataset that runs out ends its epoch with one warning', async () => {
    const pulled: number[] = [];
    const { x, y } = data(5, 6);
    const five = fromGenerator(function* () {
      for (let i = 0; i < 5; i++) {
        pulled.push(i);
        yield { xs: x, ys: y };
      }
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const m = classifier();
    const rec = recorder();
    await m.fit(five, { epochs: 4, stepsPerEpoch: 2, callbacks: [rec], verbose: 0 });
    // Epochs take batches 0-1, 2-3, then 4 alone (the pass runs out), then 0-1 of a new pass.
    expect(pulled).toEqual([0, 1, 2, 3, 4, 0, 1]);
    expect(rec.sizes.length).toBe(7);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/ran out after 1 of the 2 batches \(stepsPerEpoch\) of epoch 3/);
    // Endless without stepsPerEpoch is refused.
    await expect(m.fit(fromTensors({ xs: x, ys: y }).batch(5).repeat(), { verbose: 0 })).rejects.toThrow(/endless.*stepsPerEpoch/);
  });

  it('shows the count and rate while the length is unknown, and the total from the second epoch', async () => {
    const { x, y } = data(30, 7);
    const writes: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => writes.push(String(chunk)) > 0);
    const tty = process.stdout.isTTY;
    process.stdout.isTTY = true;
    try {
      await classifier().fit(fromGenerator(function* () { for (let i = 0; i < 3; i++) yield [x, y] as const; }), { epochs: 2, verbose: 1 });
    } finally {
      process.stdout.isTTY = tty;
    }
    const text = writes.join('');
    const [first, second] = text.split('Epoch 2/2');
    expect(first).toMatch(/\r1\/\? \d+s elapsed - \d+(ms|us)\/step/);
    expect(first).toMatch(/\r3\/3 \d+s/);
    expect(second).toMatch(/\r1\/3 ━+─+ /);
  });

  it('prints one plain line per epoch off a TTY, with the count of a dataset of unknown length', async () => {
    const { x, y } = data(30, 7);
    const writes: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => writes.push(String(chunk)) > 0);
    const tty = process.stdout.isTTY;
    process.stdout.isTTY = false;
    try {
      await classifier().fit(fromGenerator(function* () { for (let i = 0; i < 3; i++) yield [x, y] as const; }), { epochs: 2, verbose: 2 });
    } finally {
      process.stdout.isTTY = tty;
    }
    expect(writes.length).toBe(2);
    expect(writes[0]).toMatch(/^Epoch 1\/2 - 3\/3 - \d+s \d+(ms|us)\/step - loss: [\d.]+ - accuracy: [\d.]+\n$/);
    expect(writes[1]).toMatch(/^Epoch 2\/2 - 3\/3 - /);
  });

  it('refuses wrong batches, empty datasets and misplaced datasets with typed errors naming the method', async () => {
    const { x, y } = data(12, 8);
    const m = classifier();
    const ds = fromTensors({ xs: x, ys: y }).batch(4);
    await expect(m.fit(fromArrays([{ inputs: x, ys: y }]) as never, { verbose: 0 })).rejects.toThrow(/sequential_\d+\.fit: dataset batch 0 must be \{ xs, ys \} or \[x, y\] or \[x, y, sampleWeight\], got an object with keys \{inputs, ys\}/);
    await expect(m.fit(fromArrays([[x]]), { verbose: 0 })).rejects.toThrow(ValueError);
    await expect(m.fit(fromArrays([{ xs: x, ys: y }, { xs: randomNormal([4, 5]), ys: y }]), { verbose: 0 })).rejects.toThrow(ShapeError);
    await expect(m.fit(fromArrays([{ xs: x, ys: y }, { xs: x, ys: oneHot(Array.from({ length: 12 }, (_, i) => i % 2), 2) }]), { verbose: 0 })).rejects.toThrow(/dataset batch 1 ys has samples of shape \[2\], but the first batch had \[3\]/);
    await expect(m.fit(ds.take(0), { verbose: 0 })).rejects.toThrow(/the dataset gave no batch in epoch 1; there is nothing to train on/);
    await expect(m.evaluate(fromArrays([]))).rejects.toThrow(/sequential_\d+\.evaluate: the dataset gave no batch/);
    await expect(m.predict(fromArrays([]))).rejects.toThrow(/sequential_\d+\.predict: the dataset gave no batch/);
    // An async generator object iterates once: the second epoch finds it empty, and the error says why.
    const once = (async function* () { yield [x, y] as const; })();
    await expect(m.fit(once, { epochs: 2, verbose: 0 })).rejects.toThrow(/no batch in epoch 2.*fromGenerator/);

    await expect(m.fit(ds, y as never)).rejects.toThrow(/fit: given a dataset, the targets come in its batches/);
    await expect(m.fit(x, ds as never, { verbose: 0 })).rejects.toThrow(/y is a dataset/);
    await expect(m.fit(ds, { batchSize: 4, verbose: 0 })).rejects.toThrow(ConfigError);
    await expect(m.fit(ds, { shuffle: true, verbose: 0 })).rejects.toThrow(/shuffle applies to tensors, not to a dataset/);
    await expect(m.fit(x, y, { validationSteps: 2, verbose: 0 })).rejects.toThrow(/validationSteps takes a validation dataset/);
    await expect(m.evaluate(ds, y as never)).rejects.toThrow(/evaluate: given a dataset/);
    expect(() => m.evaluate(x, ds as never)).toThrow(/evaluate: y is a dataset, but this takes tensors/);
    expect(() => m.predictOnBatch(ds as never)).toThrow(/predictOnBatch: x is a dataset, but this takes tensors; predict\(dataset\) takes one/);
    expect(() => m.trainOnBatch(ds as never, y)).toThrow(/trainOnBatch: x is a dataset/);
  });
});
