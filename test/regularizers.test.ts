// Regularizers and constraints (issue 15, point 3): each penalty equals its formula and joins the training loss
// (weights once per layer, activities once per call over the batch size), training with l2 shrinks the weights,
// every constraint holds after every step, and all of them save and load in the tfjs format.
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigError, Conv2D, Dense, DepthwiseConv2D, Flatten, SeparableConv2D, Sequential, ValueError, constraints, grad, loadModel, norm, randomNormal,
  regularizers, sgd, sum, tensor,
} from 'semiflow';
import type { Tensor } from 'semiflow';
import { arbShape, arbTensor, assertGrad } from 'semiflow/testing';
import { withPenalties } from '../layers/penalties.ts';

const tmp = mkdtempSync(join(tmpdir(), 'semiflow-regularizers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const values = (t: Tensor): number[] => Array.from(t.storage);
const sumAbs = (t: Tensor) => values(t).reduce((s, v) => s + Math.abs(v), 0);
const sumSq = (t: Tensor) => values(t).reduce((s, v) => s + v * v, 0);
const near = (actual: number, expected: number, tol: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * (1 + Math.abs(expected)));

/** Column norms of a [rows, cols] matrix (the norm over axis 0, as Keras's default axis). */
function columnNorms(w: Tensor): number[] {
  const [rows, cols] = [w.shape[0], w.size / w.shape[0]];
  return Array.from({ length: cols }, (_, j) => Math.sqrt(Array.from({ length: rows }, (_, i) => w.storage[i * cols + j] ** 2).reduce((a, b) => a + b, 0)));
}

describe('regularizers', () => {
  it('l1, l2 and l1l2 are l1·Σ|x| + l2·Σx², with gradient l1·sign(x) + 2·l2·x (checked)', () => {
    const coefficient = fc.double({ min: 0, max: 2, noNaN: true });
    fc.assert(fc.property(arbShape({ minRank: 1, maxRank: 3 }).chain((s) => arbTensor(s, { avoid: [0] })), coefficient, coefficient, (x, a, b) => {
      near(regularizers.l1(a).penalty(x).item(), a * sumAbs(x), 1e-12);
      near(regularizers.l2(b).penalty(x).item(), b * sumSq(x), 1e-12);
      near(regularizers.l1l2({ l1: a, l2: b }).penalty(x).item(), a * sumAbs(x) + b * sumSq(x), 1e-12);
      assertGrad((t: Tensor) => regularizers.l1l2({ l1: a, l2: b }).penalty(t), x);
    }), { numRuns: 30 });
  });

  it("has Keras's default factor 0.01, and refuses negative factors and unknown names", () => {
    expect([regularizers.l1().l1, regularizers.l2().l2, regularizers.l1l2().l1, regularizers.l1l2().l2]).toEqual([0.01, 0.01, 0.01, 0.01]);
    expect(() => regularizers.l2(-1)).toThrow(ValueError);
    expect(() => new Dense(2, { name: 'd', kernelRegularizer: 'l3' as 'l1' })).toThrow(/d\.kernelRegularizer: expected a regularizer/);
    expect(() => new Dense(2, { name: 'd2', kernelRegularizer: 'l2' })).not.toThrow();
    expect(() => new Conv2D(2, 2, { name: 'c', kernelRegularizer: 5 as never })).toThrow(ConfigError);
  });

  it('a layer reports its weight penalties once however often it is called, and its activity penalty per call over the batch', () => {
    const layer = new Dense(3, { kernelRegularizer: regularizers.l2(0.1), biasRegularizer: regularizers.l1(0.2), activityRegularizer: regularizers.l1(0.05), biasInitializer: 'randomNormal' });
    const x = randomNormal([4, 3], { seed: 1, dtype: 'float64' });
    const { value, penalty } = withPenalties(() => layer.apply(layer.apply(x)));
    const { kernel, bias } = layer.params;
    const inner = layer.apply(x);
    expect(values(value)).toEqual(values(layer.apply(inner)));
    const expected = 0.1 * sumSq(kernel) + 0.2 * sumAbs(bias) + 0.05 * (sumAbs(inner) + sumAbs(value)) / 4;
    near((penalty as Tensor).item(), expected, 1e-12);
    expect(withPenalties(() => new Dense(2).apply(x)).penalty).toBeUndefined();
  });
});

/** A small regression model; `options` go to both Dense layers. */
function regression(options: ConstructorParameters<typeof Dense>[1] = {}, seed = 3): Sequential {
  const model = new Sequential({ seed, dtype: 'float64' });
  model.add(new Dense(6, { inputShape: [4], activation: 'tanh', ...options }));
  model.add(new Dense(2, options));
  return model;
}
const data = { x: randomNormal([32, 4], { seed: 11, dtype: 'float64' }), y: randomNormal([32, 2], { seed: 12, dtype: 'float64' }) };

describe('regularization in training', () => {
  it("fit's loss is the data loss plus every layer's penalty, by the formula", async () => {
    const model = new Sequential({ seed: 4, dtype: 'float64' });
    model.add(new Dense(5, { inputShape: [4], activation: 'tanh', kernelRegularizer: regularizers.l2(0.1), biasRegularizer: regularizers.l1(0.2), biasInitializer: 'randomNormal' }));
    model.add(new Dense(2, { activityRegularizer: regularizers.l1l2({ l1: 0.03, l2: 0.04 }) }));
    model.compile({ optimizer: sgd({ learningRate: 0.01 }), loss: 'mse' });
    const [k1, b1] = [model.layers[1].params.kernel, model.layers[1].params.bias];
    const out = model.predict(data.x);
    const dataLoss = model.evaluate(data.x, data.y, { verbose: 0 }).loss;
    const expected = dataLoss + 0.1 * sumSq(k1) + 0.2 * sumAbs(b1) + (0.03 * sumAbs(out) + 0.04 * sumSq(out)) / 32;
    // One batch of all the samples: the loss logged is the one of the weights before the step.
    const history = await model.fit(data.x, data.y, { epochs: 1, batchSize: 32, shuffle: false, verbose: 0 });
    near(history.history.loss[0], expected, 1e-12);
    expect(expected - dataLoss).toBeGreaterThan(0.01);
  });

  it('training with l2 shrinks the weights against the same training without it', async () => {
    const train = async (options: ConstructorParameters<typeof Dense>[1]) => {
      const model = regression(options);
      model.compile({ optimizer: sgd({ learningRate: 0.05 }), loss: 'mse' });
      await model.fit(data.x, data.y, { epochs: 30, batchSize: 8, verbose: 0 });
      return model.getWeights().filter((w) => w.rank === 2).map((w) => norm(w).item());
    };
    const plain = await train({});
    const shrunk = await train({ kernelRegularizer: regularizers.l2(0.05) });
    shrunk.forEach((n, i) => expect(n).toBeLessThan(0.9 * plain[i]));
  });

  it('summary() lists the regularizers and constraints', () => {
    const model = regression({ kernelRegularizer: regularizers.l2(0.001), activityRegularizer: 'l1', biasConstraint: constraints.nonNeg() });
    const text = model.summary(null);
    expect(text).toMatch(/Regularizers \(added to the training loss\): dense_\d+ kernel l2\(0\.001\), activity l1\(0\.01\); dense_\d+ kernel l2\(0\.001\), activity l1\(0\.01\)/);
    expect(text).toMatch(/Constraints \(after each step\): dense_\d+ bias nonNeg; dense_\d+ bias nonNeg/);
    expect(regression().summary(null)).not.toMatch(/Regularizers|Constraints/);
  });
});

describe('constraints', () => {
  const w = randomNormal([5, 4], { seed: 2, dtype: 'float64' }).mul(2);

  it("maxNorm, unitNorm and minMaxNorm rescale each slice's norm over the axis; nonNeg zeroes the negatives", () => {
    const before = columnNorms(w);
    const capped = columnNorms(constraints.maxNorm({ maxValue: 2.5 }).apply(w));
    before.forEach((n, j) => near(capped[j], Math.min(n, 2.5), 1e-6));
    columnNorms(constraints.unitNorm().apply(w)).forEach((n) => near(n, 1, 1e-6));
    const moved = columnNorms(constraints.minMaxNorm({ minValue: 2.6, maxValue: 3, rate: 0.5 }).apply(w));
    before.forEach((n, j) => near(moved[j], 0.5 * Math.min(Math.max(n, 2.6), 3) + 0.5 * n, 1e-6));
    expect(values(constraints.nonNeg().apply(w))).toEqual(values(w).map((v) => (v >= 0 ? v : 0)));
    // axis [0, 1, 2] of a Conv2D kernel: one norm per filter.
    const kernel = randomNormal([3, 3, 2, 4], { seed: 3, dtype: 'float64' });
    columnNorms(constraints.unitNorm({ axis: [0, 1, 2] }).apply(kernel).reshape([18, 4])).forEach((n) => near(n, 1, 1e-6));
  });

  it("has Keras's defaults and refuses bad options", () => {
    expect(constraints.maxNorm().config).toEqual({ maxValue: 2, axis: 0 });
    expect(constraints.unitNorm().config).toEqual({ axis: 0 });
    expect(constraints.minMaxNorm().config).toEqual({ minValue: 0, maxValue: 1, rate: 1, axis: 0 });
    expect(() => constraints.maxNorm({ maxValue: -1 })).toThrow(ValueError);
    expect(() => constraints.minMaxNorm({ minValue: 2, maxValue: 1 })).toThrow(/minValue must not exceed maxValue/);
    expect(() => constraints.unitNorm({ axis: 2 }).apply(w)).toThrow(/axis 2 is out of range for a weight of shape \[5,4\]/);
    expect(() => new Dense(2, { name: 'dc', kernelConstraint: 'maxnorm' as 'maxNorm' })).toThrow(/dc\.kernelConstraint: expected a constraint/);
  });

  it('hold after every optimizer step, where the same training without them breaks them', async () => {
    const options = { kernelConstraint: constraints.maxNorm({ maxValue: 0.4 }), biasConstraint: 'nonNeg' as const };
    const run = async (constrained: boolean) => {
      const model = regression(constrained ? options : {}, 5);
      model.compile({ optimizer: sgd({ learningRate: 0.2 }), loss: 'mse' });
      let worstNorm = 0;
      let worstBias = 0;
      await model.fit(data.x, data.y, {
        epochs: 3, batchSize: 8, verbose: 0,
        callbacks: { onBatchEnd: () => {
          for (const layer of model.layers.slice(1)) {
            worstNorm = Math.max(worstNorm, ...columnNorms(layer.params.kernel));
            worstBias = Math.min(worstBias, ...values(layer.params.bias));
          }
        } },
      });
      return { worstNorm, worstBias };
    };
    const free = await run(false);
    expect(free.worstNorm).toBeGreaterThan(0.4);
    expect(free.worstBias).toBeLessThan(0);
    const held = await run(true);
    expect(held.worstNorm).toBeLessThanOrEqual(0.4);
    expect(held.worstBias).toBe(0);
  });
});

describe('saving regularizers and constraints', () => {
  it('they survive a save and load here, in the tfjs format (L1L2, MaxNorm, NonNeg, UnitNorm, MinMaxNorm)', async () => {
    const model = new Sequential({ seed: 6 });
    model.add(new Conv2D(3, 2, { inputShape: [5, 5, 2], kernelRegularizer: regularizers.l1(0.002), kernelConstraint: constraints.maxNorm({ maxValue: 3, axis: [0, 1, 2] }), biasConstraint: 'nonNeg' }));
    model.add(new DepthwiseConv2D(2, { depthwiseRegularizer: 'l2', depthwiseConstraint: constraints.unitNorm({ axis: [0, 1] }), activityRegularizer: regularizers.l1l2({ l1: 0.1, l2: 0 }) }));
    model.add(new SeparableConv2D(2, 2, { pointwiseConstraint: constraints.minMaxNorm({ minValue: 0.5, rate: 0.3 }), biasRegularizer: 'l1l2' }));
    model.add(new Flatten());
    model.add(new Dense(2, { kernelRegularizer: regularizers.l2(0.3) }));
    const dir = join(tmp, 'rules');
    await model.save(dir);
    const again = await loadModel(dir);
    expect(again.summary(null).split('\n').filter((l) => /Regularizers|Constraints/.test(l)))
      .toEqual(model.summary(null).split('\n').filter((l) => /Regularizers|Constraints/.test(l)));
    const layers = again.layers.slice(1) as [Conv2D, DepthwiseConv2D, SeparableConv2D, Flatten, Dense];
    expect(layers[0].rules.kernel.constraint?.config).toEqual({ maxValue: 3, axis: [0, 1, 2] });
    expect(layers[1].rules.depthwise.regularizer?.l2).toBe(0.01);
    expect(layers[1].activityRegularizer?.l1).toBe(0.1);
    expect(layers[2].rules.pointwise.constraint?.config).toEqual({ minValue: 0.5, maxValue: 1, rate: 0.3, axis: 0 });
    expect(layers[4].rules.kernel.regularizer?.l2).toBe(0.3);
  });

  it('a file with a constraint or regularizer semiflow cannot rebuild is refused, naming the layer and the key', async () => {
    const model = regression({ kernelConstraint: 'nonNeg', kernelRegularizer: 'l2' });
    const dir = join(tmp, 'bad-rules');
    await model.save(dir);
    const file = join(dir, 'model.json');
    const edit = (key: string, value: unknown) => {
      const json = JSON.parse(readFileSync(file, 'utf8'));
      json.modelTopology.config.layers[0].config[key] = value;
      writeFileSync(file, JSON.stringify(json));
    };
    edit('kernel_constraint', { class_name: 'Orthogonal', config: {} });
    await expect(loadModel(dir)).rejects.toThrow(/layer 0 \(dense_\d+\): kernel_constraint: unknown constraint 'Orthogonal' \(semiflow reads MaxNorm, NonNeg, UnitNorm, MinMaxNorm\)/);
    edit('kernel_constraint', null);
    edit('kernel_regularizer', { class_name: 'L1L2', config: { l1: -1, l2: 0 } });
    await expect(loadModel(dir)).rejects.toThrow(/layer 0 \(dense_\d+\): kernel_regularizer: cannot rebuild regularizer L1L2: .*l1 must be a finite number ≥ 0, got number -1/);
  });

  it('the penalty of a weight follows the tape: grad of the regularized loss includes 2·l2·w', () => {
    const layer = new Dense(2, { kernelRegularizer: regularizers.l2(0.5), useBias: false });
    const x = randomNormal([3, 4], { seed: 8, dtype: 'float64' });
    layer.apply(x);
    const loss = (k: Tensor) => {
      const { value, penalty } = withPenalties(() => layer.apply(x, { params: { kernel: k } }));
      return sum(value).add(penalty as Tensor);
    };
    const k = layer.params.kernel;
    const g = grad(loss)(k);
    const ones = sum(x, 0);
    values(g).forEach((v, i) => near(v, ones.storage[Math.floor(i / 2)] + k.storage[i], 1e-12));
  });
});
