import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  BatchNormalization, ConfigError, Conv2D, Dense, DistributedError, Dropout, EarlyStopping, Flatten, MaxPooling2D, ModelCheckpoint, Sequential,
  adam, fromTensors, input, loadModel, localGroup, model, oneHot, randomNormal, tensor,
} from 'semiflow';
import type { Callback, Communicator, FitOptions, History, Logs, Tensor } from 'semiflow';
import { loadMnist } from 'semiflow/node';

const tmp = mkdtempSync(join(tmpdir(), 'semiflow-distributed-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => { vi.restoreAllMocks(); });

/** n noisy samples of 3 classes in `features` dimensions. */
function blobs(n: number, features: number, seed: number): { x: Tensor; y: Tensor } {
  const noise = randomNormal([n, features], { seed });
  const labels = Array.from({ length: n }, (_, i) => (i * 7) % 3);
  const x = tensor(Array.from(noise.storage, (v, i) => v + (labels[Math.floor(i / features)] === i % 3 ? 1.5 : 0)), [n, features]);
  return { x, y: oneHot(labels, 3) };
}

function mlp(seed: number, ...extras: ('batchNorm' | 'dropout')[]): Sequential {
  const model = new Sequential({ seed });
  model.add(new Dense(16, { activation: 'relu', inputShape: [6] }));
  if (extras.includes('batchNorm')) model.add(new BatchNormalization());
  if (extras.includes('dropout')) model.add(new Dropout(0.3));
  model.add(new Dense(3, { activation: 'softmax' }));
  model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function cnn(seed: number): Sequential {
  const model = new Sequential({ seed });
  model.add(new Conv2D(4, 3, { activation: 'relu', inputShape: [8, 8, 1] }));
  model.add(new MaxPooling2D(2));
  model.add(new Flatten());
  model.add(new Dense(3, { activation: 'softmax' }));
  model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function maxDiff(a: Tensor[], b: Tensor[]): number {
  let most = 0;
  a.forEach((t, i) => t.storage.forEach((v, j) => { most = Math.max(most, Math.abs(v - b[i].storage[j])); }));
  return most;
}

const hex = (ws: Tensor[]): string[] => ws.map((w) => Buffer.from(w.storage.buffer, w.storage.byteOffset, w.storage.byteLength).toString('hex'));

/** One fit per rank of a local group, each rank's model made with its own seed (rank 0's is the reference's). */
async function fitGroup(size: number, make: (seed: number) => Sequential, x: Tensor, y: Tensor, options: FitOptions, group: Communicator[] = localGroup(size)):
  Promise<{ models: Sequential[]; histories: History[] }> {
  const models = group.map((_, r) => make(10 + r));
  const histories = await Promise.all(models.map((m, r) => m.fit(x, y, { verbose: 0, ...options, distributed: group[r] })));
  return { models, histories };
}

/**
 * Trains one model alone and `size` ranks at the same global batch; checks that every rank ends with rank 0's weights
 * bit for bit, and that those are the lone model's to 1e-6. Returns both histories.
 */
async function matchesSolo(size: number, make: (seed: number) => Sequential, x: Tensor, y: Tensor, options: FitOptions): Promise<{ solo: History; histories: History[] }> {
  const reference = make(10);
  const solo = await reference.fit(x, y, { verbose: 0, ...options });
  const { models, histories } = await fitGroup(size, make, x, y, options);
  for (const m of models) expect(hex(m.getWeights())).toEqual(hex(models[0].getWeights()));
  expect(maxDiff(models[0].getWeights(), reference.getWeights())).toBeLessThan(1e-6);
  return { solo, histories };
}

describe('data-parallel fit over a local group', () => {
  it('2 ranks at global batch 32 train an MLP as 1 rank at 32 (Adam, shuffled, 4 epochs), and hold identical weights', async () => {
    const { x, y } = blobs(200, 6, 1);
    const { solo, histories } = await matchesSolo(2, mlp, x, y, { batchSize: 32, epochs: 4, seed: 5 });
    // The epoch logs are the global figures, the same on every rank.
    expect(histories[1].history).toEqual(histories[0].history);
    for (const key of ['loss', 'accuracy']) {
      histories[0].history[key].forEach((v, e) => expect(Math.abs(v - solo.history[key][e])).toBeLessThan(1e-6));
    }
  });

  it('on 300 real MNIST images, an MLP of 1.1M weights (two gradient buckets) on 2 ranks matches 1 rank', async () => {
    const { train } = loadMnist({ trainSize: 300, testSize: 1 });
    const wide = (seed: number): Sequential => {
      const model = new Sequential({ seed });
      model.add(new Flatten({ inputShape: [28, 28, 1] }));
      model.add(new Dense(1400, { activation: 'relu' }));
      model.add(new Dense(10, { activation: 'softmax' }));
      model.compile({ optimizer: adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      return model;
    };
    const { solo, histories } = await matchesSolo(2, wide, train.images, train.oneHot, { batchSize: 60, epochs: 2, seed: 4 });
    expect(histories[0].history.loss[1]).toBeCloseTo(solo.history.loss[1], 6);
    expect(histories[0].history.accuracy).toEqual(solo.history.accuracy);
  });

  it('3 ranks at a batch of 25 over 190 rows (shares of 8 and 9, a last batch of 15) match 1 rank too', async () => {
    const { x, y } = blobs(190, 6, 2);
    await matchesSolo(3, mlp, x, y, { batchSize: 25, epochs: 3, seed: 6 });
  });

  it('a rank without rows in a short last batch (41 rows, batch 8, 2 ranks) adds nothing, and 2 ranks still match 1', async () => {
    const { x, y } = blobs(41, 6, 3);
    const { solo, histories } = await matchesSolo(2, mlp, x, y, { batchSize: 8, epochs: 2, seed: 1 });
    histories[0].history.loss.forEach((v, e) => expect(v).toBeCloseTo(solo.history.loss[e], 6));
  });

  it('sample weights, stepsPerEpoch and validationFreq work as alone', async () => {
    const { x, y } = blobs(100, 6, 4);
    const sampleWeight = tensor(Array.from({ length: 100 }, (_, i) => 0.5 + (i % 4)), [100]);
    const validationData = [x.slice([0, 0], [30, 6]), y.slice([0, 0], [30, 3])] as const;
    const { solo, histories } = await matchesSolo(2, mlp, x, y, { batchSize: 16, epochs: 3, seed: 2, sampleWeight, stepsPerEpoch: 4, validationData, validationFreq: 2 });
    expect(Object.keys(histories[0].history).sort()).toEqual(Object.keys(solo.history).sort());
    expect(histories[0].history.val_loss.length).toBe(1);
    expect(histories[0].history.val_loss[0]).toBeCloseTo(solo.history.val_loss[0], 6);
  });

  it('a functional model with two inputs and two outputs, in float64, trains on 2 ranks as on 1 (per-output losses too)', async () => {
    const make = (seed: number) => {
      const left = input({ shape: [3] });
      const right = input({ shape: [2] });
      const joined = new Dense(4, { activation: 'tanh' }).apply(left);
      const m = model({ inputs: [left, right], outputs: [new Dense(2, { name: 'p' }).apply(joined), new Dense(1, { name: 'q' }).apply(right)], seed, dtype: 'float64' });
      m.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'mse' });
      return m;
    };
    const [a, b, c, d] = [[30, 3], [30, 2], [30, 2], [30, 1]].map((shape, i) => randomNormal(shape, { seed: i + 1, dtype: 'float64' }));
    const reference = make(10);
    const solo = await reference.fit([a, b], [c, d], { epochs: 2, batchSize: 8, seed: 3, verbose: 0 });
    const group = localGroup(2);
    const models = [make(10), make(11)];
    const histories = await Promise.all(models.map((m, r) => m.fit([a, b], [c, d], { epochs: 2, batchSize: 8, seed: 3, verbose: 0, distributed: group[r] })));
    expect(models[0].getWeights()[0].dtype).toBe('float64');
    expect(hex(models[1].getWeights())).toEqual(hex(models[0].getWeights()));
    // The gradients are summed in float32: float64 weights agree to float32's precision.
    expect(maxDiff(models[0].getWeights(), reference.getWeights())).toBeLessThan(1e-6);
    expect(Object.keys(histories[0].history).sort()).toEqual(Object.keys(solo.history).sort());
    for (const key of ['loss', 'p_loss', 'q_loss']) histories[0].history[key].forEach((v, e) => expect(v).toBeCloseTo(solo.history[key][e], 6));
  });

  it('a small CNN on 2 ranks matches 1 rank, with rank 1 given another fit seed (rank 0\'s wins)', async () => {
    const n = 96;
    const x = randomNormal([n, 8, 8, 1], { seed: 3 });
    const y = oneHot(Array.from({ length: n }, (_, i) => (x.storage[i * 64 + 9] > 0 ? 1 : 0) + (x.storage[i * 64 + 50] > 0 ? 1 : 0)), 3);
    const reference = cnn(10);
    await reference.fit(x, y, { batchSize: 16, epochs: 3, seed: 7, verbose: 0 });
    const group = localGroup(2);
    const models = [cnn(10), cnn(11)];
    await Promise.all(models.map((m, r) => m.fit(x, y, { batchSize: 16, epochs: 3, seed: 7 + r, verbose: 0, distributed: group[r] })));
    expect(hex(models[1].getWeights())).toEqual(hex(models[0].getWeights()));
    expect(maxDiff(models[0].getWeights(), reference.getWeights())).toBeLessThan(1e-6);
  });
});

describe('data-parallel fit: state, logs and seeds', () => {
  it('with BatchNormalization and Dropout the ranks stay bit-identical; epoch logs are the mean of the ranks\' and validation is the global figure', async () => {
    const { x, y } = blobs(250, 6, 4);
    const group = localGroup(2);
    const models = [mlp(10, 'batchNorm', 'dropout'), mlp(11, 'batchNorm', 'dropout')];
    const lastBatchLogs: Logs[] = [{}, {}];
    const histories = await Promise.all(models.map((m, r) => m.fit(x, y, {
      batchSize: 40, epochs: 3, seed: 8, validationSplit: 0.2, verbose: 0, distributed: group[r],
      callbacks: { onBatchEnd: (_b, logs) => { lastBatchLogs[r] = logs; } },
    })));
    expect(hex(models[1].getWeights())).toEqual(hex(models[0].getWeights()));
    expect(histories[1].history).toEqual(histories[0].history);
    // 200 training rows in batches of 40: each rank trains on 100, so the epoch's accuracy is the mean of the ranks' own
    // (batch logs hold this rank's metrics), and the batch logs' loss is already over both ranks (in float32 sums).
    expect(histories[0].history.accuracy[2]).toBeCloseTo((lastBatchLogs[0].accuracy + lastBatchLogs[1].accuracy) / 2, 12);
    expect(lastBatchLogs[0].accuracy).not.toBe(lastBatchLogs[1].accuracy);
    expect(lastBatchLogs[1].loss).toBe(lastBatchLogs[0].loss);
    expect(lastBatchLogs[0].loss).toBeCloseTo(histories[0].history.loss[2], 6);
    // Validation is sharded over the ranks, then reduced: it is the loss of the trained model on all 50 held-out rows.
    const held = models[0].evaluate(x.slice([200, 0], [50, 6]), y.slice([200, 0], [50, 3]), { batchSize: 40, verbose: 0 });
    expect(histories[0].history.val_loss[2]).toBeCloseTo(held.loss, 6);
    expect(histories[0].history.val_accuracy[2]).toBeCloseTo(held.accuracy, 12);
  });

  it('one seed reproduces a distributed run exactly, another does not', async () => {
    const { x, y } = blobs(120, 6, 5);
    const run = async (seed: number) => {
      const group = localGroup(2);
      const models = [mlp(10, 'dropout'), mlp(11, 'dropout')];
      const histories = await Promise.all(models.map((m, r) => m.fit(x, y, { batchSize: 24, epochs: 2, seed, verbose: 0, distributed: group[r] })));
      return { weights: hex(models[0].getWeights()), history: histories[0].history };
    };
    const [a, b, c] = [await run(3), await run(3), await run(4)];
    expect(b).toEqual(a);
    expect(c.weights).not.toEqual(a.weights);
  });

  it('only rank 0 shows progress', async () => {
    const { x, y } = blobs(40, 6, 6);
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0);
    const group = localGroup(2);
    await Promise.all([mlp(10), mlp(11)].map((m, r) => m.fit(x, y, { batchSize: 8, epochs: 2, verbose: 2, distributed: group[r] })));
    vi.restoreAllMocks();
    expect(lines.join('').match(/Epoch \d\/2/g)).toEqual(['Epoch 1/2', 'Epoch 2/2']);
  });

  it('EarlyStopping on the global logs stops every rank at the same epoch', async () => {
    const { x, y } = blobs(80, 6, 6);
    const group = localGroup(2);
    const models = [mlp(10), mlp(11)];
    // A baseline no epoch reaches: patience 1 stops after epoch 2 on every rank.
    const histories = await Promise.all(models.map((m, r) => m.fit(x, y, {
      batchSize: 16, epochs: 10, seed: 1, verbose: 0, distributed: group[r], callbacks: new EarlyStopping({ monitor: 'loss', baseline: 0, patience: 2 }),
    })));
    expect(histories.map((h) => h.epoch.length)).toEqual([2, 2]);
  });

  it('a stop from a callback on one rank stops every rank after that batch', async () => {
    const { x, y } = blobs(80, 6, 6);
    const group = localGroup(2);
    const models = [mlp(10), mlp(11)];
    const batches = [0, 0];
    await Promise.all(models.map((m, r) => m.fit(x, y, {
      batchSize: 16, epochs: 3, verbose: 0, distributed: group[r],
      callbacks: { onBatchEnd: (b) => { batches[r]++; if (r === 1 && b === 2) m.stopTraining = true; } },
    })));
    expect(batches).toEqual([3, 3]);
    expect(hex(models[1].getWeights())).toEqual(hex(models[0].getWeights()));
    // A stop before the first epoch, on one rank, also holds for all.
    const again = localGroup(2);
    const histories = await Promise.all(models.map((m, r) => m.fit(x, y, {
      batchSize: 16, epochs: 3, verbose: 0, distributed: again[r], callbacks: { onTrainBegin: () => { if (r === 0) m.stopTraining = true; } },
    })));
    expect(histories.map((h) => h.epoch.length)).toEqual([0, 0]);
  });
});

describe('data-parallel fit: failures and checkpoints', () => {
  it('a rank that never calls fit makes the others reject with a DistributedError at the group\'s timeout', async () => {
    const { x, y } = blobs(40, 6, 7);
    const group = localGroup(2, { timeoutMs: 200 });
    const error = await mlp(10).fit(x, y, { batchSize: 8, verbose: 0, distributed: group[0] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DistributedError);
    expect((error as Error).message).toMatch(/^sequential_\d+\.fit: before the first step: rank 0: rank 1 did not arrive at broadcast #0 within 200 ms/);
  });

  it('a rank whose fit throws mid-epoch fails the others; only rank 0 checkpoints; the last checkpoint resumes the run exactly', async () => {
    const { x, y } = blobs(96, 6, 8);
    const options = { batchSize: 16, epochs: 4, seed: 2, verbose: 0 } as const;
    const whole = await fitGroup(2, (s) => mlp(s, 'dropout'), x, y, options);

    const group = localGroup(2, { timeoutMs: 10_000 });
    const paths = [join(tmp, 'rank0'), join(tmp, 'rank1')];
    const models = [mlp(10, 'dropout'), mlp(11, 'dropout')];
    let epochOfRank1 = 0;
    const failing: Callback = {
      onEpochBegin: (e) => { epochOfRank1 = e; },
      onBatchBegin: () => { if (epochOfRank1 === 2) throw new RangeError('disk on fire'); },
    };
    const results = await Promise.allSettled(models.map((m, r) => m.fit(x, y, {
      ...options, distributed: group[r], callbacks: [new ModelCheckpoint({ path: paths[r], includeOptimizer: true }), ...(r === 1 ? [failing] : [])],
    })));
    expect(results[1].status).toBe('rejected');
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(RangeError);
    const error = (results[0] as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(DistributedError);
    expect(error.message).toMatch(/fit: epoch 3, batch 1: rank 0: .*rank 1 left the group/);
    expect(existsSync(paths[0])).toBe(true);
    expect(existsSync(paths[1])).toBe(false);

    // Resume from rank 0's checkpoint of epoch 2: rank 1 starts from a fresh model, and gets rank 0's state.
    const again = localGroup(2);
    const resumed = [await loadModel(paths[0]), mlp(11, 'dropout')];
    await Promise.all(resumed.map((m, r) => m.fit(x, y, { ...options, initialEpoch: 2, distributed: again[r] })));
    expect(hex(resumed[0].getWeights())).toEqual(hex(whole.models[0].getWeights()));
    expect(hex(resumed[1].getWeights())).toEqual(hex(whole.models[0].getWeights()));
  });

  it('ranks whose fit differs (epochs, rows) are refused alike on every rank, before the first step', async () => {
    const { x, y } = blobs(40, 6, 9);
    const group = localGroup(2);
    const results = await Promise.allSettled([mlp(10), mlp(11)].map((m, r) => m.fit(x, y, { batchSize: 8, epochs: 2 + r, verbose: 0, distributed: group[r] })));
    for (const result of results) {
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(ConfigError);
      expect((result as PromiseRejectedResult).reason.message).toMatch(/fit: the ranks of distributed must call fit alike, but rank 1 has epochs 3 where rank 0 has 2/);
    }
    const again = localGroup(2);
    const rows = await Promise.allSettled([mlp(10), mlp(11)].map((m, r) => m.fit(x.slice([0, 0], [40 - r, 6]), y.slice([0, 0], [40 - r, 3]), { batchSize: 8, verbose: 0, distributed: again[r] })));
    expect((rows[0] as PromiseRejectedResult).reason.message).toMatch(/rank 1 has training rows 39 where rank 0 has 40/);
  });

  it('wrong use is a ConfigError', async () => {
    const { x, y } = blobs(20, 6, 9);
    const [a] = localGroup(4);
    const model = mlp(1);
    await expect(model.fit(x, y, { batchSize: 2, distributed: a })).rejects.toThrow(/batchSize is the global batch, shared by the 4 ranks of distributed; it must be at least 4, got 2/);
    await expect(model.fit(x, y, { distributed: { rank: 0, size: 2, allReduceSum: () => undefined } as never })).rejects.toThrow(/it has no method broadcast, barrier, close/);
    await expect(model.fit(x, y, { distributed: { ...a, rank: 4, size: 4, broadcast: a.broadcast, allReduceSum: a.allReduceSum, barrier: a.barrier, close: a.close } }))
      .rejects.toThrow(/distributed.rank must be an integer in 0 … 3/);
    const unbuilt = new Sequential();
    unbuilt.add(new Dense(3));
    unbuilt.compile({ optimizer: adam(), loss: 'meanSquaredError' });
    await expect(unbuilt.fit(x, y, { batchSize: 4, distributed: localGroup(1)[0] })).rejects.toThrow(/the model must be built, and dense_\d+ is not/);
    await expect(model.fit(fromTensors({ xs: x, ys: y }).batch(4), { distributed: a })).rejects.toThrow(ConfigError);
    await expect(model.fit(x, y, { distributed: a, validationData: fromTensors({ xs: x, ys: y }).batch(4) })).rejects.toThrow(/validates on tensors/);
  });
});
