import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError, Dense, EarlyStopping, LearningRateScheduler, ReduceLROnPlateau, Sequential, TerminateOnNaN, ValueError, exponentialDecay, oneHot, piecewiseConstant, randomNormal, sgd, tensor
} from 'semiflow';
import { CSVLogger } from 'semiflow/node';
import type { Callback, Logs, Tensor } from 'semiflow';

const tmp = mkdtempSync(join(tmpdir(), 'semiflow-callbacks-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
});

/** Three noisy classes in 4-D, one-hot labels. */
function blobs(n: number, seed: number, stddev = 0.8): { x: Tensor; y: Tensor } {
  const noise = randomNormal([n, 4], { seed, stddev });
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const x = tensor(Array.from(noise.storage, (v, i) => v + (labels[Math.floor(i / 4)] === i % 4 ? 1.5 : 0)), [n, 4]);
  return { x, y: oneHot(labels, 3) };
}

function classifier(optimizer: Parameters<Sequential['compile']>[0]['optimizer'] = sgd({ learningRate: 0.1 }), seed = 1): Sequential {
  const model = new Sequential({ seed });
  model.add(new Dense(8, { activation: 'tanh', inputShape: [4] }));
  model.add(new Dense(3, { activation: 'softmax' }));
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** Every weight's bytes, to compare weights bit for bit. */
function bytes(model: Sequential): string[] {
  return model.getWeights().map((w) => Buffer.from(w.storage.buffer, w.storage.byteOffset, w.storage.byteLength).toString('hex'));
}

const silent = { verbose: 0 } as const;

describe('the callback protocol', () => {
  it('fit calls setModel on every callback before onTrainBegin; an object with setModel and one hook is a callback', async () => {
    const { x, y } = blobs(20, 1);
    const model = classifier();
    const seen: string[] = [];
    const callback: Callback = {
      setModel: (m) => { seen.push(m === model ? 'setModel(model)' : 'setModel(other)'); },
      onTrainBegin: () => { seen.push('train'); },
    };
    await model.fit(x, y, { epochs: 1, callbacks: callback, ...silent });
    expect(seen).toEqual(['setModel(model)', 'train']);
    await expect(model.fit(x, y, { callbacks: { setModel: () => undefined }, ...silent })).rejects.toThrow(ConfigError);
    await expect(model.fit(x, y, { callbacks: { setModel: 1, onTrainEnd: () => undefined } as never, ...silent }))
      .rejects.toThrow(/fit: a callback's setModel must be a method, got number 1/);
  });

  it('batch and epoch logs carry learning_rate, the rate of the last step, and History records it per epoch', async () => {
    const { x, y } = blobs(40, 2);
    const schedule = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5 });
    const model = classifier(sgd({ learningRate: schedule }));
    const batchRates: number[] = [];
    const history = await model.fit(x, y, { epochs: 2, batchSize: 10, callbacks: { onBatchEnd: (_, logs) => { batchRates.push(logs.learning_rate); } }, ...silent });
    expect(batchRates).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map(schedule));
    expect(history.history.learning_rate).toEqual([schedule(3), schedule(7)]);
  });

  it('stopTraining set from onBatchEnd ends fit after that batch, still closing the epoch', async () => {
    const { x, y } = blobs(40, 3);
    const model = classifier();
    let batches = 0;
    const ends: number[] = [];
    const history = await model.fit(x, y, {
      epochs: 3, batchSize: 10, ...silent,
      callbacks: {
        onBatchEnd: (b) => { batches++; if (b === 1) model.stopTraining = true; },
        onEpochEnd: (e) => { ends.push(e); },
      },
    });
    expect(batches).toBe(2);
    expect(ends).toEqual([0]);
    expect(history.epoch).toEqual([0]);
    expect(model.optimizerProgress?.step).toBe(2);
  });

  it('weights a callback sets are where fit goes on from', async () => {
    // Plain SGD keeps no state and shuffle is off, so an epoch started again from the initial weights ends where
    // the first one did, bit for bit, only if fit really took up the weights the callback set.
    const { x, y } = blobs(40, 4);
    const model = classifier();
    let initial: Tensor[] = [];
    const after: string[][] = [];
    const reset: Callback = {
      onTrainBegin: () => { initial = model.getWeights(); },
      onEpochEnd: () => { after.push(bytes(model)); model.setWeights(initial); },
    };
    await model.fit(x, y, { epochs: 2, batchSize: 10, shuffle: false, callbacks: reset, ...silent });
    expect(after[1]).toEqual(after[0]);
    expect(bytes(model)).not.toEqual(after[0]);
  });
});

describe('EarlyStopping', () => {
  /** Feeds a sequence of monitored values to the callback as fit would, returning the epoch it stopped after. */
  function run(stopper: EarlyStopping, values: number[], key = 'val_loss'): number | null {
    const model = classifier();
    stopper.setModel(model);
    stopper.onTrainBegin();
    for (let epoch = 0; epoch < values.length && !model.stopTraining; epoch++) stopper.onEpochEnd(epoch, { loss: 1, [key]: values[epoch] });
    return stopper.stoppedEpoch;
  }

  it('stops after `patience` epochs without an improvement larger than minDelta', () => {
    expect(run(new EarlyStopping(), [3, 2, 2.5, 1])).toBe(2);
    expect(run(new EarlyStopping({ patience: 2 }), [3, 2, 2.5, 2.1, 1])).toBe(3);
    expect(run(new EarlyStopping({ patience: 2 }), [3, 2, 2.5, 1.9, 2, 1.95, 1.92])).toBe(5);
    expect(run(new EarlyStopping({ patience: 1, minDelta: 0.5 }), [3, 2.6, 2.2, 2])).toBe(1);
    expect(run(new EarlyStopping({ patience: 1 }), [3, 2, 1, 0])).toBeNull();
  });

  it('maximises names containing acc in auto mode, and mode can be forced', () => {
    expect(new EarlyStopping({ monitor: 'val_accuracy' }).monitor.mode).toBe('max');
    expect(new EarlyStopping({ monitor: 'loss' }).monitor.mode).toBe('min');
    expect(run(new EarlyStopping({ monitor: 'val_accuracy' }), [0.5, 0.6, 0.55], 'val_accuracy')).toBe(2);
    expect(run(new EarlyStopping({ monitor: 'val_loss', mode: 'max' }), [1, 2, 3, 2])).toBe(3);
  });

  it('a baseline must be beaten within patience; startFromEpoch ignores the first epochs', () => {
    // Epochs 0 and 1 improve but stay above the baseline: two epochs of patience gone.
    expect(run(new EarlyStopping({ patience: 2, baseline: 1 }), [3, 2, 1.5, 1.2, 0.5])).toBe(1);
    expect(run(new EarlyStopping({ patience: 2, baseline: 1 }), [3, 0.9, 0.95, 0.8, 0.85])).toBeNull();
    expect(run(new EarlyStopping({ startFromEpoch: 3 }), [1, 2, 3, 4, 5, 6])).toBe(4);
  });

  it('a monitor key missing from the logs is a ConfigError listing the keys there are', async () => {
    const { x, y } = blobs(20, 5);
    const model = classifier();
    const error = await model.fit(x, y, { epochs: 2, callbacks: new EarlyStopping(), ...silent }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      "EarlyStopping: monitor 'val_loss' is not in the epoch logs (val_ keys need validationData or validationSplit in fit); available keys are loss, accuracy, learning_rate",
    );
  });

  it('checks its options', () => {
    expect(() => new EarlyStopping({ patiance: 3 } as never)).toThrow(/EarlyStopping: unknown option 'patiance' \(did you mean 'patience'\?\); valid options are monitor, minDelta, patience/);
    expect(() => new EarlyStopping({ patience: -1 })).toThrow(/EarlyStopping: patience must be an integer >= 0, got -1/);
    expect(() => new EarlyStopping({ mode: 'up' as never })).toThrow(/EarlyStopping: mode must be one of 'auto', 'min', 'max', got string "up"/);
    expect(() => new EarlyStopping({ restoreBestWeights: 'yes' as never })).toThrow(ValueError);
    expect(() => new EarlyStopping({ baseline: Number.NaN })).toThrow(/EarlyStopping: baseline must be a finite number, got NaN/);
  });

  it('restoreBestWeights brings back the best epoch\'s weights bit for bit, even when patience never ran out', async () => {
    const { x, y } = blobs(60, 6, 1.2);
    const val = blobs(60, 7, 1.2);
    // A rate that jumps after epoch 2 makes later epochs worse, so the best epoch is not the last.
    const model = classifier(sgd({ learningRate: piecewiseConstant({ boundaries: [17], values: [0.2, 8] }) }));
    const snapshots: { valLoss: number; weights: string[] }[] = [];
    const recorder: Callback = { onEpochEnd: (_, logs) => { snapshots.push({ valLoss: logs.val_loss, weights: bytes(model) }); } };
    const stopper = new EarlyStopping({ patience: 10, restoreBestWeights: true });
    const history = await model.fit(x, y, { epochs: 6, batchSize: 10, validationData: [val.x, val.y], callbacks: [recorder, stopper], ...silent });
    expect(history.epoch).toHaveLength(6);
    expect(stopper.stoppedEpoch).toBeNull();
    const losses = snapshots.map((s) => s.valLoss);
    const best = losses.indexOf(Math.min(...losses));
    expect(best).toBeLessThan(5);
    expect(stopper.bestEpoch).toBe(best);
    expect(bytes(model)).toEqual(snapshots[best].weights);
    expect(bytes(model)).not.toEqual(snapshots[5].weights);
  });

  it('restoreBestWeights after patience ran out: the weights of the epoch `patience` epochs before the stop', async () => {
    const { x, y } = blobs(60, 8, 1.2);
    const val = blobs(60, 9, 1.2);
    const model = classifier(sgd({ learningRate: piecewiseConstant({ boundaries: [17], values: [0.2, 8] }) }));
    const snapshots: string[][] = [];
    const stopper = new EarlyStopping({ patience: 1, restoreBestWeights: true, verbose: 1 });
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0);
    const history = await model.fit(x, y, {
      epochs: 20, batchSize: 10, validationData: [val.x, val.y], ...silent,
      callbacks: [{ onEpochEnd: () => { snapshots.push(bytes(model)); } }, stopper],
    });
    const stopped = stopper.stoppedEpoch as number;
    expect(stopped).toBeGreaterThan(0);
    expect(history.epoch).toHaveLength(stopped + 1);
    expect(stopper.bestEpoch).toBe(stopped - 1);
    expect(bytes(model)).toEqual(snapshots[stopped - 1]);
    expect(lines).toEqual([`Epoch ${stopped + 1}: early stopping\n`, `Restoring model weights from the end of the best epoch: ${stopped}.\n`]);
  });
});

describe('learning-rate overrides', () => {
  it('model.learningRate reads the next step\'s rate; a number replaces a schedule with a constant, null goes back to it', async () => {
    const { x, y } = blobs(40, 10);
    const schedule = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 });
    const model = classifier(sgd({ learningRate: schedule }));
    expect(model.learningRate).toBe(0.1);
    const rates: number[] = [];
    const history = await model.fit(x, y, {
      epochs: 3, batchSize: 20, ...silent,
      callbacks: {
        onBatchEnd: (_, logs) => { rates.push(logs.learning_rate); },
        onEpochEnd: (e) => { model.learningRate = e === 0 ? 0.03 : null; },
      },
    });
    // Epoch 0 follows the schedule (steps 0, 1); epoch 1 the constant; epoch 2 the schedule again at steps 4, 5.
    expect(rates).toEqual([schedule(0), schedule(1), 0.03, 0.03, schedule(4), schedule(5)]);
    expect(history.history.learning_rate).toEqual([schedule(1), 0.03, schedule(5)]);
    expect(model.optimizerProgress?.learningRate).toBeNull();
    expect(model.learningRate).toBe(schedule(6));
  });

  it('an override is plain data in optimizerProgress, survives into the next fit, and compile clears it', async () => {
    const { x, y } = blobs(20, 11);
    const model = classifier();
    model.learningRate = 0.5;
    expect(model.optimizerProgress).toMatchObject({ step: 0, learningRate: 0.5 });
    const history = await model.fit(x, y, { epochs: 1, batchSize: 10, ...silent });
    expect(history.history.learning_rate).toEqual([0.5]);
    expect(model.optimizerProgress).toMatchObject({ step: 2, learningRate: 0.5 });
    // Plain data for saving: the optimizer state (a tree of tensors), the step and the override.
    expect(Object.keys(model.optimizerProgress ?? {}).sort()).toEqual(['learningRate', 'state', 'step']);
    model.compile({ optimizer: sgd({ learningRate: 0.2 }), loss: 'categoricalCrossentropy' });
    expect(model.learningRate).toBe(0.2);
  });

  it('a zero override leaves the weights as they were: the optimizer really uses it', async () => {
    const { x, y } = blobs(20, 12);
    const model = classifier();
    const before = bytes(model);
    model.learningRate = 0;
    await model.fit(x, y, { epochs: 1, batchSize: 10, ...silent });
    expect(bytes(model)).toEqual(before);
  });

  it('bad overrides are refused, naming the model', () => {
    const model = classifier();
    expect(() => { model.learningRate = -1; }).toThrow(/sequential_\d+\.learningRate: a learning-rate override must be a finite number >= 0, got -1/);
    const unbuilt = new Sequential();
    unbuilt.add(new Dense(2));
    unbuilt.compile({ optimizer: 'sgd', loss: 'mse' });
    expect(() => { unbuilt.learningRate = 0.1; }).toThrow(/the model is not built yet/);
    expect(() => new Sequential().learningRate).toThrow(/not compiled/);
  });
});

describe('LearningRateScheduler', () => {
  it('sets the rate at each epoch begin from (epoch, current rate)', async () => {
    const { x, y } = blobs(40, 13);
    const model = classifier(sgd({ learningRate: 0.08 }));
    const calls: [number, number][] = [];
    const scheduler = new LearningRateScheduler((epoch, lr) => {
      calls.push([epoch, lr]);
      return epoch === 0 ? lr : lr / 2;
    });
    const history = await model.fit(x, y, { epochs: 3, batchSize: 20, callbacks: scheduler, ...silent });
    expect(calls).toEqual([[0, 0.08], [1, 0.08], [2, 0.04]]);
    expect(history.history.learning_rate).toEqual([0.08, 0.04, 0.02]);
  });

  it('a schedule that returns a bad rate fails naming the epoch; a non-function is refused', async () => {
    const { x, y } = blobs(20, 14);
    const model = classifier();
    const scheduler = new LearningRateScheduler((epoch) => (epoch < 1 ? 0.1 : Number.NaN));
    await expect(model.fit(x, y, { epochs: 2, callbacks: scheduler, ...silent }))
      .rejects.toThrow('LearningRateScheduler: the schedule returned NaN at epoch 1 (expected a finite number >= 0)');
    expect(() => new LearningRateScheduler(0.1 as never)).toThrow(/LearningRateScheduler: expected a function/);
  });
});

describe('ReduceLROnPlateau', () => {
  it('multiplies the rate by factor after patience flat epochs, rests for cooldown, and stops at minLr', () => {
    const model = classifier(sgd({ learningRate: 0.1 }));
    const plateau = new ReduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 2, cooldown: 1, minLr: 0.02 });
    plateau.setModel(model);
    plateau.onTrainBegin();
    const rates: number[] = [];
    [1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4].forEach((loss, epoch) => {
      plateau.onEpochEnd(epoch, { loss });
      rates.push(model.learningRate);
    });
    // Flat from epoch 2: wait 1, then 2 at epoch 3 → 0.05 and a cooldown of 1, spent at epoch 4 (which counts
    // wait 1 as Keras does); epoch 5 → 0.025; epoch 6 improves; epochs 7, 8 → max(0.0125, minLr) = 0.02.
    expect(rates).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02]);
  });

  it('in fit, lowers the rate the next epoch uses; the new rate is in the logs', async () => {
    const { x, y } = blobs(40, 15);
    const model = classifier(sgd({ learningRate: 0.1 }));
    const plateau = new ReduceLROnPlateau({ monitor: 'loss', patience: 1, minDelta: 100 });
    const history = await model.fit(x, y, { epochs: 4, batchSize: 20, callbacks: plateau, ...silent });
    const expected = [0.1, 0.1, 0.1 * 0.1, 0.1 * 0.1 * 0.1];
    history.history.learning_rate.forEach((r, i) => expect(r).toBeCloseTo(expected[i], 15));
    expect(model.optimizerProgress?.learningRate).toBeCloseTo(1e-4, 15);
  });

  it('checks its options', () => {
    expect(() => new ReduceLROnPlateau({ factor: 1 })).toThrow(/ReduceLROnPlateau: factor must be a number in \(0, 1\), got 1/);
    expect(() => new ReduceLROnPlateau({ cooldown: 1.5 })).toThrow(/ReduceLROnPlateau: cooldown must be an integer >= 0, got 1.5/);
    expect(() => new ReduceLROnPlateau({ min_lr: 0 } as never)).toThrow(/unknown option 'min_lr' \(did you mean 'minLr'\?\)/);
  });
});

describe('TerminateOnNaN', () => {
  it('stops at the first non-finite batch loss and keeps the last good weights and optimizer progress', async () => {
    const x = randomNormal([64, 4], { seed: 16, stddev: 10 });
    const y = randomNormal([64, 1], { seed: 17 });
    const model = new Sequential({ seed: 2 });
    model.add(new Dense(1, { inputShape: [4] }));
    // A rate this large makes every step overshoot ~100-fold: the loss overflows float32 within a few epochs.
    model.compile({ optimizer: sgd({ learningRate: 1 }), loss: 'mse' });
    const trace: { weights: string[]; step: number; loss?: number }[] = [];
    const recorder: Callback = {
      onBatchBegin: () => { trace.push({ weights: bytes(model), step: model.optimizerProgress?.step as number }); },
      onBatchEnd: (_, logs: Logs) => { trace[trace.length - 1].loss = logs.loss; },
    };
    const guard = new TerminateOnNaN();
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0);
    await model.fit(x, y, { epochs: 100, batchSize: 16, callbacks: [recorder, guard], ...silent });
    const bad = trace.findIndex((t) => !Number.isFinite(t.loss));
    expect(bad).toBeGreaterThan(0);
    expect(trace).toHaveLength(bad + 1);
    expect(guard.stoppedAt).toEqual({ epoch: Math.floor(bad / 4), batch: bad % 4 });
    // The last batch with a finite loss started from these weights: they are what the model keeps.
    expect(bytes(model)).toEqual(trace[bad - 1].weights);
    expect(model.optimizerProgress?.step).toBe(trace[bad - 1].step);
    for (const w of model.getWeights()) expect(Array.from(w.data).every(Number.isFinite)).toBe(true);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^Batch ${bad % 4}: invalid loss (NaN|Infinity), terminating training\\n$`))]);
  });
});

describe('CSVLogger', () => {
  it('writes a header of epoch and the sorted keys, then one row per epoch, which read back as the History', async () => {
    const { x, y } = blobs(40, 18);
    const model = classifier();
    const path = join(tmp, 'nested', 'log.csv');
    const history = await model.fit(x, y, { epochs: 3, batchSize: 10, validationSplit: 0.25, callbacks: new CSVLogger(path), ...silent });
    const [header, ...rows] = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(header).toBe('epoch,accuracy,learning_rate,loss,val_accuracy,val_loss');
    expect(rows).toHaveLength(3);
    const keys = header.split(',').slice(1);
    rows.forEach((row, epoch) => {
      const cells = row.split(',').map(Number);
      expect(cells[0]).toBe(epoch);
      keys.forEach((k, i) => expect(cells[i + 1]).toBe(history.history[k][epoch]));
    });
  });

  it('append adds rows without a second header; without it the file starts over; the separator is an option', async () => {
    const { x, y } = blobs(20, 19);
    const model = classifier();
    const path = join(tmp, 'append.csv');
    await model.fit(x, y, { epochs: 2, callbacks: new CSVLogger(path, { separator: ';' }), ...silent });
    await model.fit(x, y, { epochs: 1, callbacks: new CSVLogger(path, { separator: ';', append: true }), ...silent });
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => l.split(';')[0])).toEqual(['epoch', '0', '1', '0']);
    expect(lines[0]).toBe('epoch;accuracy;learning_rate;loss');
    await model.fit(x, y, { epochs: 1, callbacks: new CSVLogger(path, { separator: ';' }), ...silent });
    expect(readFileSync(path, 'utf8').trimEnd().split('\n')).toHaveLength(2);
    const fresh = join(tmp, 'empty.csv');
    writeFileSync(fresh, '');
    await model.fit(x, y, { epochs: 1, callbacks: new CSVLogger(fresh, { append: true }), ...silent });
    expect(readFileSync(fresh, 'utf8').split('\n')[0]).toBe('epoch,accuracy,learning_rate,loss');
  });

  it('checks its arguments', () => {
    expect(() => new CSVLogger('')).toThrow(/CSVLogger: path must be a file name/);
    expect(() => new CSVLogger('a.csv', { separator: '' })).toThrow(ConfigError);
    expect(() => new CSVLogger('a.csv', { sep: ';' } as never)).toThrow(/CSVLogger: unknown option 'sep' \(did you mean 'separator'\?\); valid options are separator, append/);
  });
});
