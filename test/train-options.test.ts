import { describe, expect, it } from 'vitest';
import { ConfigError, Dense, Dropout, EarlyStopping, Sequential, ShapeError, ValueError, input, mean, model as functionalModel, oneHot, randomNormal, sgd, sliceRows, square, sub, tensor } from 'semiflow';
import type { Loss, Tensor } from 'semiflow';

const silent = { verbose: 0 } as const;

/** A float64 linear model y = x·k + b with known weights, trained by plain SGD on the mean squared error. */
function linear(name: string): Sequential {
  const model = new Sequential({ name, dtype: 'float64', seed: 3 });
  model.add(new Dense(1, { inputShape: [2] }));
  model.setWeights([tensor([[0.5], [-1]], [2, 1], 'float64'), tensor([0.25], [1], 'float64')]);
  model.compile({ optimizer: sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
  return model;
}

const xs = [[1, 2], [0, -1], [3, 0.5], [-2, 1]];
const ys = [1, 0, 2, -1];
const ws = [1, 0, 3, 0.5];
const x = tensor(xs, [4, 2], 'float64');
const y = tensor(ys.map((v) => [v]), [4, 1], 'float64');

function classifier(name: string): Sequential {
  const model = new Sequential({ name, seed: 7 });
  model.add(new Dense(5, { activation: 'tanh', inputShape: [3] }));
  model.add(new Dense(3, { activation: 'softmax' }));
  return model;
}

describe('fit: sampleWeight', () => {
  it('weights each sample\'s loss as Keras does, Σ w·loss / N, in the loss and in the step', async () => {
    const model = linear('lin');
    const history = await model.fit(x, y, { sampleWeight: tensor(ws, [4], 'float64'), batchSize: 4, shuffle: false, ...silent });
    // By hand: p = x·k + b; loss = Σ w (p − y)² / 4; dk = 2/4 Σ w (p − y) x; db = 2/4 Σ w (p − y).
    const errors = xs.map(([a, b], i) => 0.5 * a - b + 0.25 - ys[i]);
    const loss = errors.reduce((s, e, i) => s + ws[i] * e * e, 0) / 4;
    const dk = [0, 1].map((j) => errors.reduce((s, e, i) => s + ws[i] * e * xs[i][j], 0) / 2);
    const db = errors.reduce((s, e, i) => s + ws[i] * e, 0) / 2;
    expect(history.history.loss[0]).toBeCloseTo(loss, 12);
    const [kernel, bias] = model.getWeights();
    expect(Array.from(kernel.storage)).toEqual([0.5 - 0.1 * dk[0], -1 - 0.1 * dk[1]].map((v) => expect.closeTo(v, 12)));
    expect(bias.storage[0]).toBeCloseTo(0.25 - 0.1 * db, 12);
  });

  it('of all ones trains exactly as no weights', async () => {
    const a = linear('a');
    const b = linear('b');
    await a.fit(x, y, { epochs: 3, batchSize: 3, seed: 5, ...silent });
    await b.fit(x, y, { epochs: 3, batchSize: 3, seed: 5, sampleWeight: tensor([1, 1, 1, 1], [4], 'float64'), ...silent });
    expect(Array.from(b.getWeights()[0].storage)).toEqual(Array.from(a.getWeights()[0].storage, (v) => expect.closeTo(v, 12)));
  });

  it('refuses bad weights with a typed error naming the model', async () => {
    const model = linear('weighted');
    await expect(model.fit(x, y, { sampleWeight: tensor([1, 2], [2]), ...silent })).rejects.toThrow(ShapeError);
    await expect(model.fit(x, y, { sampleWeight: tensor([1, 2], [2]), ...silent })).rejects.toThrow(/^weighted\.fit: sampleWeight must have shape \[4\]/);
    await expect(model.fit(x, y, { sampleWeight: tensor([1, -1, 1, 1], [4]), ...silent })).rejects.toThrow(ValueError);
    await expect(model.fit(x, y, { sampleWeight: tensor([1, NaN, 1, 1], [4]), ...silent })).rejects.toThrow(/^weighted\.fit: sampleWeight\[1\] must be a finite number >= 0/);
    await expect(model.fit(x, y, { sampleWeight: tensor(ws, [4]), classWeight: [1, 2], ...silent })).rejects.toThrow(ConfigError);
  });

  it('refuses a user loss that has only the mean', async () => {
    const model = linear('custom');
    const loss: Loss = { name: 'myLoss', config: {}, compute: (t: Tensor, p: Tensor) => mean(square(sub(p, t))) };
    model.compile({ optimizer: 'sgd', loss });
    await expect(model.fit(x, y, { sampleWeight: tensor(ws, [4]), ...silent })).rejects.toThrow(/^custom\.fit: .*myLoss gives only the mean/);
  });
});

describe('fit: classWeight', () => {
  const features = randomNormal([40, 3], { seed: 11 });
  const labels = Array.from({ length: 40 }, (_, i) => (i * 7) % 3);
  const weightOf = [2, 0.5, 1];
  const perSample = tensor(labels.map((c) => weightOf[c]), [40]);

  it('for sparse and one-hot targets, as a record or a list, trains exactly as the sample weights of each class', async () => {
    const runs: [string, Tensor, object][] = [
      ['sparseCategoricalCrossentropy', tensor(labels, [40]), { sampleWeight: perSample }],
      ['sparseCategoricalCrossentropy', tensor(labels, [40]), { classWeight: weightOf }],
      ['categoricalCrossentropy', oneHot(labels, 3), { classWeight: { 0: 2, 1: 0.5, 2: 1 } }],
    ];
    const results: number[][] = [];
    for (const [loss, targets, weighting] of runs) {
      const model = classifier('c');
      model.compile({ optimizer: 'adam', loss });
      await model.fit(features, targets, { epochs: 2, batchSize: 8, seed: 9, ...weighting, ...silent });
      results.push(Array.from(model.getWeights()[0].storage));
    }
    const plain = classifier('c');
    plain.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await plain.fit(features, tensor(labels, [40]), { epochs: 2, batchSize: 8, seed: 9, ...silent });
    expect(results[1]).toEqual(results[0]);
    expect(results[2].map((v, i) => Math.abs(v - results[0][i]))).toEqual(results[0].map(() => expect.closeTo(0, 5)));
    expect(Array.from(plain.getWeights()[0].storage)).not.toEqual(results[0]);
  });

  it('refuses a class without a weight and a negative weight, naming the model', async () => {
    const model = classifier('cw');
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await expect(model.fit(features, tensor(labels, [40]), { classWeight: { 0: 1, 1: 1 }, ...silent })).rejects.toThrow(/^cw\.fit: classWeight has no weight for class 2/);
    await expect(model.fit(features, tensor(labels, [40]), { classWeight: [1, -2, 1], ...silent })).rejects.toThrow(ValueError);
    await expect(model.fit(features, tensor(labels, [40]), { classWeight: 3 as never, ...silent })).rejects.toThrow(ConfigError);
  });
});

describe('fit: validationFreq and validationBatchSize', () => {
  const features = randomNormal([22, 3], { seed: 4 });
  const labels = tensor(Array.from({ length: 22 }, (_, i) => i % 3), [22]);

  /** A model whose metric records the size of every batch it sees. */
  function recording(sizes: number[]): Sequential {
    const model = classifier('v');
    const seen = (t: Tensor): Tensor => { sizes.push(t.shape[0]); return mean(square(t)); };
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: [seen] });
    return model;
  }

  it('validates every n-th epoch, or after the listed 1-based epochs, in batches of validationBatchSize', async () => {
    const cases: [number | number[], number[]][] = [[2, [2, 4]], [[1, 3, 5], [1, 3, 5]], [1, [1, 2, 3, 4, 5]]];
    for (const [validationFreq, epochs] of cases) {
      const sizes: number[] = [];
      const history = await recording(sizes).fit(features, labels, {
        epochs: 5, batchSize: 4, validationSplit: 10 / 22, validationFreq, validationBatchSize: 5, seed: 1, ...silent,
      });
      // 12 training rows in batches of 4; the 10 held out in batches of 5, only after the validated epochs.
      expect(sizes.filter((s) => s !== 4)).toEqual(epochs.flatMap(() => [5, 5]));
      expect(history.history.val_loss).toHaveLength(epochs.length);
      expect(history.history.loss).toHaveLength(5);
    }
  });

  it('lets callbacks watching a val_ key skip the epochs it does not validate; without validation they still refuse', async () => {
    const seenBy: number[] = [];
    const stopping = new EarlyStopping({ monitor: 'val_loss', patience: 1 });
    const watcher = { onEpochEnd: (epoch: number, logs: Record<string, number>) => { if (logs.val_loss !== undefined) seenBy.push(epoch); } };
    const model = classifier('es');
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const history = await model.fit(features, labels, { epochs: 4, validationSplit: 0.25, validationFreq: 2, callbacks: [stopping, watcher], seed: 3, ...silent });
    expect(seenBy).toEqual([1, 3].filter((e) => e <= history.epoch[history.epoch.length - 1]));
    expect(history.history.val_loss.length).toBe(seenBy.length);
    await expect(model.fit(features, labels, { epochs: 2, callbacks: [new EarlyStopping({ monitor: 'val_loss' })], ...silent }))
      .rejects.toThrow(/monitor 'val_loss' is not in the epoch logs/);
  });

  it('refuses a bad frequency or batch size, naming the model', async () => {
    const model = classifier('vf');
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await expect(model.fit(features, labels, { validationFreq: 0, ...silent })).rejects.toThrow(/^vf\.fit: validationFreq must be a positive integer/);
    await expect(model.fit(features, labels, { validationFreq: [0, 2], ...silent })).rejects.toThrow(ValueError);
    await expect(model.fit(features, labels, { validationFreq: [], ...silent })).rejects.toThrow(/^vf\.fit: validationFreq as a list/);
    await expect(model.fit(features, labels, { validationBatchSize: 2.5, ...silent })).rejects.toThrow(/^vf\.fit: validationBatchSize must be a positive integer/);
  });
});

describe('fit: stepsPerEpoch', () => {
  const features = randomNormal([10, 2], { seed: 6 });
  const rowIds = tensor(Array.from({ length: 10 }, (_, i) => [i]), [10, 1]);

  /** The rows of every training batch, in order, read from targets that hold each row's index. */
  async function batchesSeen(options: object): Promise<number[][]> {
    const seen: number[][] = [];
    const model = new Sequential({ name: 'steps', seed: 2 });
    model.add(new Dense(1, { inputShape: [2] }));
    const record = (t: Tensor): Tensor => { seen.push(Array.from(t.storage)); return mean(t); };
    model.compile({ optimizer: 'sgd', loss: 'mse', metrics: [record] });
    await model.fit(features, rowIds, { batchSize: 4, seed: 8, ...options, ...silent });
    return seen;
  }

  it('makes epochs of that many batches, going on through reshuffled passes over the data', async () => {
    const stepped = await batchesSeen({ epochs: 3, stepsPerEpoch: 2 });
    expect(stepped.map((b) => b.length)).toEqual([4, 4, 2, 4, 4, 2]);
    // Six batches are two passes of 4 + 4 + 2 rows, each a permutation of every row, the second reshuffled.
    const sorted = (rows: number[]) => [...rows].sort((a, b) => a - b);
    const all = Array.from({ length: 10 }, (_, i) => i);
    expect(sorted(stepped.slice(0, 3).flat())).toEqual(all);
    expect(sorted(stepped.slice(3).flat())).toEqual(all);
    expect(stepped.slice(3).flat()).not.toEqual(stepped.slice(0, 3).flat());
    // The same stream as two plain epochs, and a run resumed at epoch 1 sees its tail.
    expect(await batchesSeen({ epochs: 2 })).toEqual(stepped);
    expect(await batchesSeen({ epochs: 3, stepsPerEpoch: 2, initialEpoch: 1 })).toEqual(stepped.slice(2));
  });

  it('refuses a bad value, naming the model', async () => {
    await expect(batchesSeen({ stepsPerEpoch: 0 })).rejects.toThrow(/^steps\.fit: stepsPerEpoch must be a positive integer/);
  });
});

describe('trainOnBatch, testOnBatch, predictOnBatch', () => {
  const features = randomNormal([24, 3], { seed: 12, dtype: 'float64' });
  const labels = tensor(Array.from(oneHot(Array.from({ length: 24 }, (_, i) => (i * 5) % 3), 3).storage), [24, 3], 'float64');

  function dropoutNet(name: string): Sequential {
    const net = new Sequential({ name, seed: 21, dtype: 'float64' });
    net.add(new Dense(6, { activation: 'relu', inputShape: [3] }));
    net.add(new Dropout(0.3));
    net.add(new Dense(3, { activation: 'softmax' }));
    net.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return net;
  }

  it('steps exactly as fit does over the same batches, dropout and optimizer state included, and fit goes on from there', async () => {
    const fitted = dropoutNet('f');
    const history = await fitted.fit(features, labels, { epochs: 2, batchSize: 8, shuffle: false, ...silent });
    const stepped = dropoutNet('s');
    const logs: Record<string, number>[] = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      for (let b = 0; b < 3; b++) logs.push(stepped.trainOnBatch(sliceRows(features, 8 * b, 8 * b + 8), sliceRows(labels, 8 * b, 8 * b + 8)));
    }
    expect(stepped.getWeights().map((w) => Array.from(w.storage))).toEqual(fitted.getWeights().map((w) => Array.from(w.storage)));
    // fit's epoch loss is the mean of its batches' losses (equal batches), each from before its step.
    expect((logs[3].loss + logs[4].loss + logs[5].loss) / 3).toBeCloseTo(history.history.loss[1], 12);
    expect(Object.keys(logs[0]).sort()).toEqual(['accuracy', 'loss']);
    expect(stepped.optimizerProgress?.step).toBe(6);
    await fitted.fit(features, labels, { epochs: 3, initialEpoch: 2, batchSize: 8, shuffle: false, ...silent });
    stepped.trainOnBatch(sliceRows(features, 0, 8), sliceRows(labels, 0, 8));
    await stepped.fit(sliceRows(features, 8, 24), sliceRows(labels, 8, 24), { batchSize: 8, shuffle: false, ...silent });
    expect(stepped.optimizerProgress?.step).toBe(9);
  });

  it('weights samples as fit does', async () => {
    const a = linear('a');
    const b = linear('b');
    const sampleWeight = tensor(ws, [4], 'float64');
    await a.fit(x, y, { batchSize: 4, sampleWeight, ...silent });
    b.trainOnBatch(x, y, { sampleWeight });
    expect(Array.from(b.getWeights()[0].storage)).toEqual(Array.from(a.getWeights()[0].storage));
  });

  it('testOnBatch gives evaluate\'s numbers without training; predictOnBatch gives predict\'s', async () => {
    const net = dropoutNet('t');
    const before = net.getWeights().map((w) => Array.from(w.storage));
    const logs = net.testOnBatch(features, labels);
    const evaluated = net.evaluate(features, labels, { verbose: 0 });
    expect(logs.loss).toBeCloseTo(evaluated.loss, 12);
    expect(logs.accuracy).toBe(evaluated.accuracy);
    expect(net.getWeights().map((w) => Array.from(w.storage))).toEqual(before);
    expect(Array.from(net.predictOnBatch(features).storage)).toEqual(Array.from(net.predict(features, { verbose: 0 }).storage));
    const a = input({ shape: [3] });
    const two = functionalModel({ inputs: a, outputs: [new Dense(2).apply(a), new Dense(1).apply(a)] });
    const outs = two.predictOnBatch(features) as Tensor[];
    expect(outs.map((o) => o.shape)).toEqual([[24, 2], [24, 1]]);
  });

  it('refuse bad input with typed errors naming the model', async () => {
    const net = dropoutNet('ob');
    expect(() => net.trainOnBatch(features, sliceRows(labels, 0, 5))).toThrow(ShapeError);
    expect(() => net.trainOnBatch(features, sliceRows(labels, 0, 5))).toThrow(/^ob\.trainOnBatch: x has 24 samples but y has 5/);
    expect(() => net.trainOnBatch(features, labels, { sampleWeights: 1 } as never)).toThrow(/^ob\.trainOnBatch: unknown option 'sampleWeights'/);
    expect(() => net.trainOnBatch(sliceRows(features, 0, 0), sliceRows(labels, 0, 0))).toThrow(ValueError);
    expect(() => net.testOnBatch(features, tensor([1, 2], [2]))).toThrow(/^ob\.testOnBatch: /);
    expect(() => net.predictOnBatch(tensor([[1, 2]], [1, 2]))).toThrow(/^ob\.predictOnBatch: /);
    const bare = new Sequential({ name: 'bare' });
    bare.add(new Dense(1, { inputShape: [3] }));
    expect(() => bare.trainOnBatch(features, labels)).toThrow(/^bare\.trainOnBatch: the model is not compiled/);
    // During a fit, a step from a callback would step the same weights in between: refused.
    let refused: unknown;
    await net.fit(features, labels, { callbacks: { onBatchEnd: () => { try { net.trainOnBatch(features, labels); } catch (e) { refused = e; } } }, ...silent });
    expect(refused).toBeInstanceOf(ConfigError);
  });
});
