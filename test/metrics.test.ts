import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, Dense, EarlyStopping, Sequential, ShapeError, ValueError, loadModel, mean, metrics, randomNormal, sgd, sliceRows, tensor } from 'semiflow';
import type { Metric, Tensor } from 'semiflow';

/** The metric's value after the given batches, each a (yTrue, yPred) pair. */
function over(metric: Metric, batches: readonly (readonly [Tensor, Tensor])[], logits = false): number {
  const state = metric.state();
  for (const [y, p] of batches) state.update(y, p, logits);
  return state.result();
}

const t = (values: number[] | number[][]) => tensor(values, undefined, 'float64');

describe("Keras's documented values", () => {
  it('precision and recall at 0.5: 2/3 each for [0,1,1,1] against [1,0,1,1]', () => {
    expect(over(metrics.precision(), [[t([0, 1, 1, 1]), t([1, 0, 1, 1])]])).toBeCloseTo(2 / 3, 15);
    expect(over(metrics.recall(), [[t([0, 1, 1, 1]), t([1, 0, 1, 1])]])).toBeCloseTo(2 / 3, 15);
  });

  it('auc with 3 thresholds: 0.75 for [0,0,1,1] against [0,0.5,0.3,0.9], and 0.75 with the default 200', () => {
    // thresholds −1e-7, 0.5, 1+1e-7: tpr [1, 0.5, 0], fpr [1, 0, 0]; (1 − 0)·(1 + 0.5)/2 + 0 = 0.75.
    const data = [[t([0, 0, 1, 1]), t([0, 0.5, 0.3, 0.9])]] as const;
    expect(over(metrics.auc({ numThresholds: 3 }), data)).toBe(0.75);
    // With 200 thresholds no positive shares a bin with a negative, so the sum is the exact P(positive > negative) = 3/4.
    expect(over(metrics.auc(), data)).toBeCloseTo(0.75, 15);
  });

  it('top-k with k = 1: 0.5, one-hot and sparse', () => {
    const p = t([[0.1, 0.9, 0.8], [0.05, 0.95, 0]]);
    expect(over(metrics.topKCategoricalAccuracy({ k: 1 }), [[t([[0, 0, 1], [0, 1, 0]]), p]])).toBe(0.5);
    expect(over(metrics.sparseTopKCategoricalAccuracy({ k: 1 }), [[t([2, 1]), p]])).toBe(0.5);
  });

  it('mean absolute and squared error: 0.25 each for [[0,1],[0,0]] against [[1,1],[0,0]]', () => {
    const data = [[t([[0, 1], [0, 0]]), t([[1, 1], [0, 0]])]] as const;
    expect(over(metrics.meanAbsoluteError(), data)).toBe(0.25);
    expect(over(metrics.meanSquaredError(), data)).toBe(0.25);
  });
});

describe('hand computations', () => {
  it('auc of a positive and a negative in one bin is 0.5 (the interpolation), and 1 when they are bins apart', () => {
    expect(over(metrics.auc({ numThresholds: 3 }), [[t([1, 0]), t([0.6, 0.7])]])).toBe(0.5);
    expect(over(metrics.auc({ numThresholds: 3 }), [[t([1, 0]), t([0.7, 0.2])]])).toBe(1);
  });

  it('top-k counts classes tied with the true one as inside the top k, as in_top_k does', () => {
    // True class 0 scores 0.3; one class scores higher, class 2 ties: in the top 2, not in the top 1.
    const data = [[t([[1, 0, 0]]), t([[0.3, 0.4, 0.3]])]] as const;
    expect(over(metrics.topKCategoricalAccuracy({ k: 2 }), data)).toBe(1);
    expect(over(metrics.topKCategoricalAccuracy({ k: 1 }), data)).toBe(0);
  });

  it('precision and recall are 0 with nothing predicted or nothing positive, as divide_no_nan', () => {
    expect(over(metrics.precision(), [[t([1, 1]), t([0.1, 0.2])]])).toBe(0);
    expect(over(metrics.recall(), [[t([0, 0]), t([0.9, 0.2])]])).toBe(0);
  });
});

/** Direct definitions, one threshold at a time, to check the binned counts against. */
function reference(y: number[], p: number[], thresholds: number[]) {
  return thresholds.map((th) => {
    let tp = 0; let fp = 0; let pos = 0; let neg = 0;
    y.forEach((v, i) => { if (v !== 0) { pos++; if (p[i] > th) tp++; } else { neg++; if (p[i] > th) fp++; } });
    return { tpr: pos === 0 ? 0 : tp / pos, fpr: neg === 0 ? 0 : fp / neg, precision: tp + fp === 0 ? 0 : tp / (tp + fp) };
  });
}

describe('the epoch value is the metric over all the epoch data, not a mean of batch values', () => {
  const split = (rows: number) => fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 6 })
    .map((sizes) => { const cuts = [0]; for (const s of sizes) cuts.push(Math.min(rows, cuts[cuts.length - 1] + s)); cuts.push(rows); return [...new Set(cuts)]; });
  const binaryData = fc.integer({ min: 2, max: 24 }).chain((n) => fc.tuple(
    fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }),
    fc.array(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.5, 1, 1 / 199)), { minLength: n, maxLength: n }),
    split(n),
  ));
  const batchesOf = (y: Tensor, p: Tensor, cuts: number[]) => cuts.slice(1).map((end, i) => [sliceRows(y, cuts[i], end), sliceRows(p, cuts[i], end)] as const);

  it('precision, recall and auc: batches give the value of the whole, which matches the definitions', () => {
    fc.assert(fc.property(binaryData, ([ys, ps, cuts]) => {
      const y = t(ys);
      const p = t(ps);
      const batches = batchesOf(y, p, cuts);
      const [half] = reference(ys, ps, [0.5]);
      expect(over(metrics.precision(), batches)).toBe(over(metrics.precision(), [[y, p]]));
      expect(over(metrics.precision(), batches)).toBeCloseTo(half.precision, 14);
      expect(over(metrics.recall(), batches)).toBeCloseTo(half.tpr, 14);
      const n = 200;
      const thresholds = [-1e-7, ...Array.from({ length: n - 2 }, (_, i) => (i + 1) / (n - 1)), 1 + 1e-7];
      const r = reference(ys, ps, thresholds);
      let area = 0;
      for (let i = 0; i + 1 < n; i++) area += (r[i].fpr - r[i + 1].fpr) * (r[i].tpr + r[i + 1].tpr) / 2;
      expect(over(metrics.auc(), batches)).toBe(over(metrics.auc(), [[y, p]]));
      expect(over(metrics.auc(), batches)).toBeCloseTo(area, 12);
    }), { numRuns: 100 });
  });

  it('top-k, mae, mse and a user function: batches give the value of the whole', () => {
    const data = fc.record({ n: fc.integer({ min: 1, max: 20 }), k: fc.integer({ min: 1, max: 4 }), seed: fc.integer({ min: 0, max: 1000 }) })
      .chain(({ n, k, seed }) => split(n).map((cuts) => ({ n, k, seed, cuts })));
    fc.assert(fc.property(data, ({ n, k, seed, cuts }) => {
      const p = randomNormal([n, 4], { seed, dtype: 'float64' });
      const labels = Array.from({ length: n }, (_, i) => (i * 7 + seed) % 4);
      const oneHot = t(labels.map((c) => [0, 1, 2, 3].map((j) => (j === c ? 1 : 0))));
      const batches = batchesOf(oneHot, p, cuts);
      const sparseBatches = batchesOf(t(labels), p, cuts);
      const rowMean = (yTrue: Tensor, yPred: Tensor) => mean(yPred.sub(yTrue), -1);
      const batchMean = (yTrue: Tensor, yPred: Tensor) => mean(yPred.sub(yTrue));
      const cases: [Metric, readonly (readonly [Tensor, Tensor])[], readonly [Tensor, Tensor]][] = [
        [metrics.topKCategoricalAccuracy({ k }), batches, [oneHot, p]],
        [metrics.sparseTopKCategoricalAccuracy({ k }), sparseBatches, [t(labels), p]],
        [metrics.meanAbsoluteError(), batches, [oneHot, p]],
        [metrics.meanSquaredError(), batches, [oneHot, p]],
        [metrics.fromFunction(rowMean), batches, [oneHot, p]],
        [metrics.fromFunction(batchMean), batches, [oneHot, p]],
      ];
      for (const [metric, parts, whole] of cases) expect(over(metric, parts), metric.name).toBeCloseTo(over(metric, [whole]), 12);
    }), { numRuns: 100 });
  });
});

/** A 3-class softmax model on 4 features, compiled with the fused loss. */
function classifier(metricList: Parameters<Sequential['compile']>[0]['metrics']): Sequential {
  const model = new Sequential({ seed: 3 });
  model.add(new Dense(6, { activation: 'tanh', inputShape: [4] }));
  model.add(new Dense(3, { activation: 'softmax' }));
  model.compile({ optimizer: sgd({ learningRate: 1e-30 }), loss: 'categoricalCrossentropy', metrics: metricList });
  return model;
}

describe('metrics in compile, evaluate and fit', () => {
  const n = 50;
  const x = randomNormal([n, 4], { seed: 11 });
  const labels = Array.from({ length: n }, (_, i) => (i * 5) % 3);
  const y = tensor(labels.map((c) => [0, 1, 2].map((j) => (j === c ? 1 : 0))));

  it("take names as written, in Keras's snake_case and class names, each logged under the name given", () => {
    const model = classifier(['top_k_categorical_accuracy', 'AUC', 'mae', 'mean_squared_error', 'Precision', 'recall']);
    expect(Object.keys(model.evaluate(x, y, { verbose: 0 })).sort()).toEqual(['AUC', 'Precision', 'loss', 'mae', 'mean_squared_error', 'recall', 'top_k_categorical_accuracy']);
  });

  it("evaluate's values over batches of 7 are each metric over predict's probabilities (the fused loss's logits turned back)", () => {
    const scaled = (yTrue: Tensor, yPred: Tensor) => mean(yPred.mul(yTrue), -1);
    const list = [metrics.auc(), metrics.precision({ threshold: 0.4 }), 'recall', 'mse', metrics.topKCategoricalAccuracy({ k: 2 }), scaled];
    const model = classifier(list);
    const logs = model.evaluate(x, y, { batchSize: 7, verbose: 0 });
    const p = model.predict(x, { verbose: 0 });
    const expected: Record<string, number> = {
      auc: over(metrics.auc(), [[y, p]]),
      precision: over(metrics.precision({ threshold: 0.4 }), [[y, p]]),
      recall: over(metrics.recall(), [[y, p]]),
      mse: over(metrics.meanSquaredError(), [[y, p]]),
      topKCategoricalAccuracy: over(metrics.topKCategoricalAccuracy({ k: 2 }), [[y, p]]),
      scaled: over(metrics.fromFunction(scaled), [[y, p]]),
    };
    for (const [key, value] of Object.entries(expected)) expect(logs[key], key).toBeCloseTo(value, 6);
    // The mean of per-batch AUCs is another number: the test would catch a metric averaged over batches.
    const perBatch = [0, 7, 14, 21, 28, 35, 42].map((s) => over(metrics.auc(), [[sliceRows(y, s, Math.min(n, s + 7)), sliceRows(p, s, Math.min(n, s + 7))]]));
    expect(Math.abs(perBatch.reduce((a, b) => a + b, 0) / perBatch.length - logs.auc)).toBeGreaterThan(1e-3);
  });

  it("fit's epoch value is the metric over the whole epoch (the weights held still by a rate of 1e-30)", async () => {
    const model = classifier(['auc', 'precision', 'mae']);
    const before = model.getWeights().map((w) => Array.from(w.storage));
    const history = await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, seed: 5 });
    // Zero biases move by about 1e-30, which no output can show.
    const moved = model.getWeights().flatMap((w, i) => Array.from(w.storage, (v, j) => Math.abs(v - before[i][j])));
    expect(Math.max(...moved)).toBeLessThan(1e-20);
    const p = model.predict(x, { verbose: 0 });
    for (const epoch of [0, 1]) {
      expect(history.history.auc[epoch]).toBeCloseTo(over(metrics.auc(), [[y, p]]), 6);
      expect(history.history.precision[epoch]).toBeCloseTo(over(metrics.precision(), [[y, p]]), 6);
      expect(history.history.mae[epoch]).toBeCloseTo(over(metrics.meanAbsoluteError(), [[y, p]]), 6);
    }
  });

  it('a user function returning a scalar per batch is weighted by the batch size', () => {
    const model = classifier([function meanFirst(_y: Tensor, p: Tensor) { return mean(sliceRows(p, 0, p.shape[0]).mul(tensor([1, 0, 0]))); }]);
    const logs = model.evaluate(x, y, { batchSize: 16, verbose: 0 });
    const p = model.predict(x, { verbose: 0 });
    let first = 0;
    for (let r = 0; r < n; r++) first += p.storage[r * 3];
    // mean over 3 columns of the masked row: p[r,0]/3, averaged over all 50 rows (batches of 16, 16, 16, 2).
    expect(logs.meanFirst).toBeCloseTo(first / n / 3, 6);
  });
});

describe('saved with the model', () => {
  it('built-in metrics come back with their options; a user function is left out with a warning', async () => {
    const n = 30;
    const x = randomNormal([n, 4], { seed: 2 });
    const y = tensor(Array.from({ length: n }, (_, i) => [0, 1, 2].map((j) => (j === i % 3 ? 1 : 0))));
    const mine = (yTrue: Tensor, yPred: Tensor) => mean(yPred.mul(yTrue), -1);
    const model = classifier(['auc', 'top_k_categorical_accuracy', metrics.topKCategoricalAccuracy({ k: 1, name: 'top1' }), metrics.precision({ threshold: 0.3 }), mine]);
    const dir = mkdtempSync(join(tmpdir(), 'semiflow-metrics-'));
    try {
      await model.save(dir, { includeOptimizer: true });
      expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).semiflow.training.metrics).toEqual([
        'auc', 'top_k_categorical_accuracy', { name: 'topKCategoricalAccuracy', config: { k: 1, name: 'top1' } },
        { name: 'precision', config: { threshold: 0.3 } }, { user: 'mine' },
      ]);
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const loaded = await loadModel(dir);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/metrics: the metric 'mine' was a user's function or Metric, which a save cannot store; it is left out$/)]);
      warn.mockRestore();
      const before = model.evaluate(x, y, { verbose: 0 });
      const after = loaded.evaluate(x, y, { verbose: 0 });
      expect(Object.keys(after).sort()).toEqual(['auc', 'loss', 'precision', 'top1', 'top_k_categorical_accuracy']);
      for (const key of Object.keys(after)) expect(after[key], key).toBe(before[key]);
      // The options matter: at 0.3 and k = 1 these differ from the defaults' values.
      expect(after.precision).not.toBe(over(metrics.precision(), [[y, model.predict(x, { verbose: 0 })]]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bad metric input', () => {
  it('names the metric and says what was expected', () => {
    expect(() => metrics.precision({ threshold: 2 })).toThrow(new ValueError('precision: threshold must be a number in [0, 1], got number 2'));
    expect(() => metrics.auc({ numThresholds: 1 })).toThrow(/^auc: numThresholds must be at least 2, got 1/);
    expect(() => metrics.topKCategoricalAccuracy({ k: 0 })).toThrow(/^topKCategoricalAccuracy: k must be a positive integer, got number 0/);
    expect(() => metrics.auc({ thresholds: 3 } as never)).toThrow(ConfigError);
    expect(() => over(metrics.meanAbsoluteError({ name: 'mae' }), [[t([1, 2]), t([1, 2, 3])]])).toThrow(ShapeError);
    expect(() => over(metrics.meanAbsoluteError({ name: 'mae' }), [[t([1, 2]), t([1, 2, 3])]])).toThrow(/^mae: expected targets with one value per prediction, got targets \[2\] for predictions \[3\]/);
    expect(() => over(metrics.sparseTopKCategoricalAccuracy(), [[t([[0, 1]]), t([[0.2, 0.8]])]])).toThrow(/sparseTopKCategoricalAccuracy: expected one integer label per row/);
    expect(() => over(metrics.fromFunction(() => 3 as never, { name: 'three' }), [[t([1]), t([1])]])).toThrow(/^three: a metric function must return a Tensor, got number 3/);
    expect(() => over(metrics.fromFunction(() => tensor([1, 2, 3]), { name: 'odd' }), [[t([[1], [2]]), t([[1], [2]])]])).toThrow(/^odd: a metric function must return one value per sample \(2\) or one for the batch/);
    expect(() => classifier(['auc_roc'])).toThrow(/unknown metric string "auc_roc"/);
    expect(() => classifier([42 as never])).toThrow(/unknown metric number 42; valid metrics are accuracy/);
  });
});

describe("callbacks' mode 'auto'", () => {
  it('maximises auc, precision, recall and top-k, and minimises mae and mse', () => {
    const modeOf = (monitor: string) => new EarlyStopping({ monitor }).monitor.mode;
    for (const key of ['val_auc', 'AUC', 'val_precision', 'recall', 'val_top_k_categorical_accuracy', 'val_accuracy']) expect(modeOf(key), key).toBe('max');
    for (const key of ['val_loss', 'val_mae', 'mean_squared_error', 'val_meanAbsoluteError']) expect(modeOf(key), key).toBe('min');
  });
});

describe("a user's Metric object", () => {
  it('is updated per batch with the logits flag, and the tensors it keeps are never recycled', () => {
    const kept: { tensor: Tensor; copy: number[] }[] = [];
    const flags: boolean[] = [];
    const rows: Metric = {
      name: 'rows',
      state() {
        let count = 0;
        return {
          update(_y, p, logits) { kept.push({ tensor: p, copy: Array.from(p.storage) }); flags.push(logits); count += p.shape[0]; },
          result: () => count,
        };
      },
    };
    const model = classifier([rows]);
    // Batches of 512 rows: outputs of 1,536 values, above the pool's 1,024-element floor.
    const x = randomNormal([2048, 4], { seed: 8 });
    const y = tensor(Array.from({ length: 2048 }, (_, i) => [0, 1, 2].map((j) => (j === i % 3 ? 1 : 0))));
    expect(model.evaluate(x, y, { batchSize: 512, verbose: 0 }).rows).toBe(2048);
    model.evaluate(x.mul(-3), y, { batchSize: 512, verbose: 0 });
    expect(flags.every((f) => f)).toBe(true);
    for (const { tensor: t, copy } of kept) expect(Array.from(t.storage)).toEqual(copy);
  });
});
