import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Add, Concatenate, ConfigError, Dense, Functional, Sequential, ShapeError, ValueError, adam, input, loadModel, model, randomNormal, sgd,
} from 'semiflow';
import type { Tensor } from 'semiflow';
import { thrown } from './thrown.ts';

const root = mkdtempSync(join(tmpdir(), 'semiflow-functional-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const maxDiff = (a: Tensor, b: Tensor): number => {
  expect(a.shape).toEqual(b.shape);
  return Math.max(...Array.from(a.storage, (v, i) => Math.abs(v - b.storage[i])));
};

/** Two inputs, two outputs, one Dense applied to both branches, and a residual Add. */
function twoByTwo(seed = 7) {
  const a = input({ shape: [3], name: 'a' });
  const b = input({ shape: [2], name: 'b' });
  const pa = new Dense(4, { name: 'pa', activation: 'tanh' });
  const pb = new Dense(4, { name: 'pb', activation: 'tanh' });
  const shared = new Dense(4, { name: 'shared', activation: 'tanh' });
  const ha = pa.apply(a);
  const hb = pb.apply(b);
  const sa = shared.apply(ha);
  const sb = shared.apply(hb);
  const residual = new Add({ name: 'residual' }).apply([ha, sa]);
  const joined = new Concatenate({ name: 'joined' }).apply([residual, sb]);
  const o1 = new Dense(2, { name: 'o1' }).apply(joined);
  const o2 = new Dense(1, { name: 'o2', activation: 'sigmoid' }).apply(sb);
  const m = model({ inputs: [a, b], outputs: [o1, o2], name: 'two_by_two', seed });
  return { m, pa, pb, shared };
}

describe('functional models', () => {
  it('computes what applying its layers by hand computes, with the shared layer used twice', () => {
    const { m, pa, pb, shared } = twoByTwo();
    expect(m).toBeInstanceOf(Functional);
    expect(m.layers.map((l) => l.name)).toEqual(['pa', 'shared', 'residual', 'pb', 'joined', 'o1', 'o2']);
    expect(m.outputNames).toEqual(['o1', 'o2']);
    expect(m.outputShapes).toEqual([[2], [1]]);
    const xa = randomNormal([5, 3], { seed: 1 });
    const xb = randomNormal([5, 2], { seed: 2 });
    const [y1, y2] = m.predict([xa, xb]) as Tensor[];
    const ha = pa.apply(xa);
    const sb = shared.apply(pb.apply(xb));
    const residual = new Add().apply([ha, shared.apply(ha)]);
    const o1 = m.layers.find((l) => l.name === 'o1') as Dense;
    const o2 = m.layers.find((l) => l.name === 'o2') as Dense;
    expect(maxDiff(y1, o1.apply(new Concatenate().apply([residual, sb])))).toBe(0);
    expect(maxDiff(y2, o2.apply(sb))).toBe(0);
    // The shared layer has one set of weights: 3·4+4 + 2·4+4 + 4·4+4 + 8·2+2 + 4+1.
    expect(m.getWeights().length).toBe(10);
    expect(m.getWeights().reduce((n, w) => n + w.size, 0)).toBe(16 + 12 + 20 + 18 + 5);
  });

  it('initialises its weights from its seed, in graph order, whatever was drawn before', () => {
    const first = twoByTwo(11).m.getWeights();
    randomNormal([10], { seed: 3 });
    const second = twoByTwo(11).m.getWeights();
    const other = twoByTwo(12).m.getWeights();
    first.forEach((w, i) => expect(maxDiff(w, second[i])).toBe(0));
    expect(other.some((w, i) => maxDiff(w, first[i]) > 0)).toBe(true);
  });

  it('uses a model as a layer: a nested Functional and a nested Sequential share their weights with the outer model', () => {
    const x = input({ shape: [3] });
    const inner = model({ inputs: x, outputs: new Dense(2, { activation: 'tanh' }).apply(x), seed: 1 });
    const seq = new Sequential({ seed: 2, layers: [new Dense(3, { inputShape: [2] })] });
    const outerIn = input({ shape: [3] });
    const outer = model({ inputs: outerIn, outputs: seq.apply(inner.apply(outerIn)), seed: 3 });
    const data = randomNormal([4, 3], { seed: 4 });
    expect(maxDiff(outer.predict(data) as Tensor, seq.predict(inner.predict(data) as Tensor))).toBe(0);
    expect(outer.getWeights().length).toBe(4);
    expect(outer.summary(null)).toMatch(/sequential_\d+ \(Sequential\)\s+│ \(None, 3\)\s+│\s+9 │ functional_\d+\[0\]\[0\]/);
  });

  it('shows a Connected to column in its summary, and each output\'s loss and weight once compiled', () => {
    const { m } = twoByTwo();
    m.compile({ optimizer: 'adam', loss: ['meanSquaredError', 'binaryCrossentropy'], lossWeights: [1, 0.5], metrics: { o2: ['accuracy'] } });
    const text = m.summary(null);
    expect(text).toContain('Connected to');
    expect(text).toMatch(/a \(InputLayer\)\s+│ \(None, 3\)\s+│\s+0 │ -/);
    expect(text).toMatch(/shared \(Dense\)\s+│ \(None, 4\)\s+│\s+20 │ pa\[0\]\[0\], pb\[0\]\[0\]/);
    expect(text).toMatch(/joined \(Concatenate\)\s+│ \(None, 8\)\s+│\s+0 │ residual\[0\]\[0\], shared\[1\]\[0\]/);
    expect(text).toContain(' Loss (o2, weight 0.5): binaryCrossentropy fused with the sigmoid of o2');
    expect(text).toContain(' Metrics (o2): accuracy');
    expect(text).toContain('Total params: 71');
  });
});

describe('training a functional model', () => {
  const data = () => {
    const xa = randomNormal([64, 3], { seed: 21 });
    const xb = randomNormal([64, 2], { seed: 22 });
    // Targets a smooth function of both inputs can reach.
    const y1 = randomNormal([64, 2], { seed: 23 }).mul(0.1).add(xa.slice([0, 0], [64, 2]).mul(0.5));
    const y2 = xb.slice([0, 0], [64, 1]).greater(0).cast('float32');
    return { x: [xa, xb], y: [y1, y2] };
  };

  it('lowers every output\'s loss; logs carry the total and each output\'s loss and metrics', async () => {
    const { m } = twoByTwo();
    const { x, y } = data();
    m.compile({ optimizer: adam({ learningRate: 0.02 }), loss: { o1: 'meanSquaredError', o2: 'binaryCrossentropy' }, metrics: { o2: ['accuracy'] } });
    const before = m.evaluate(x, y, { verbose: 0 });
    expect(Object.keys(before).sort()).toEqual(['loss', 'o1_loss', 'o2_accuracy', 'o2_loss']);
    expect(before.loss).toBeCloseTo(before.o1_loss + before.o2_loss, 5);
    const history = await m.fit(x, y, { epochs: 30, batchSize: 16, verbose: 0 });
    const after = m.evaluate(x, y, { verbose: 0 });
    expect(history.history.loss[29]).toBeLessThan(history.history.loss[0]);
    expect(after.o1_loss).toBeLessThan(0.5 * before.o1_loss);
    expect(after.o2_loss).toBeLessThan(0.5 * before.o2_loss);
    expect(after.o2_accuracy).toBeGreaterThan(0.9);
  });

  it('weighs each output\'s loss by lossWeights: weight 0 leaves that output\'s own layer untouched', async () => {
    const { m } = twoByTwo();
    const { x, y } = data();
    m.compile({ optimizer: sgd({ learningRate: 0.1 }), loss: ['meanSquaredError', 'binaryCrossentropy'], lossWeights: { o1: 2, o2: 0 } });
    const logs = m.evaluate(x, y, { verbose: 0 });
    expect(logs.loss).toBeCloseTo(2 * logs.o1_loss, 5);
    const o2 = m.layers.find((l) => l.name === 'o2') as Dense;
    const o1 = m.layers.find((l) => l.name === 'o1') as Dense;
    const [o2Before, o1Before] = [o2.params.kernel, o1.params.kernel];
    await m.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
    expect(maxDiff(o2.params.kernel, o2Before)).toBe(0);
    expect(maxDiff(o1.params.kernel, o1Before)).toBeGreaterThan(0);
  });

  it('trains the same, bit for bit, from one seed', async () => {
    const run = async () => {
      const { m } = twoByTwo(5);
      const { x, y } = data();
      m.compile({ optimizer: 'adam', loss: ['meanSquaredError', 'binaryCrossentropy'] });
      await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, seed: 9 });
      return m.getWeights();
    };
    const [first, second] = [await run(), await run()];
    first.forEach((w, i) => expect(maxDiff(w, second[i])).toBe(0));
  });

  it('saves and loads: the loaded model predicts the same', async () => {
    const { m } = twoByTwo();
    const { x, y } = data();
    m.compile({ optimizer: 'adam', loss: ['meanSquaredError', 'binaryCrossentropy'] });
    await m.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
    await m.save(join(root, 'two'));
    const loaded = await loadModel<Functional>(join(root, 'two'));
    expect(loaded).toBeInstanceOf(Functional);
    expect(loaded.name).toBe('two_by_two');
    const [a1, a2] = m.predict(x) as Tensor[];
    const [b1, b2] = loaded.predict(x) as Tensor[];
    expect(maxDiff(a1, b1)).toBe(0);
    expect(maxDiff(a2, b2)).toBe(0);
    expect(loaded.summary(null).split('\n').slice(1)).toEqual(m.summary(null).split('\n').slice(1).filter((l) => !l.startsWith(' Loss') && !l.startsWith(' Optimizer')));
  });
});

describe('resuming a functional model', () => {
  it('saved with its optimizer, per-output losses, weights and metrics: 2 epochs + save + load + 1 = 3 epochs straight, bit for bit', async () => {
    const compile = (m: Functional): void => m.compile({
      optimizer: 'adam', loss: { o1: 'meanSquaredError', o2: 'binaryCrossentropy' }, lossWeights: [0.5, 2], metrics: { o2: ['accuracy'] },
    });
    const xa = randomNormal([32, 3], { seed: 41 });
    const xb = randomNormal([32, 2], { seed: 42 });
    const x = [xa, xb];
    const y = [randomNormal([32, 2], { seed: 43 }), xb.slice([0, 0], [32, 1]).greater(0).cast('float32')];
    const straight = twoByTwo(8).m;
    compile(straight);
    await straight.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });

    const first = twoByTwo(8).m;
    compile(first);
    await first.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    await first.save(join(root, 'resume'), { includeOptimizer: true });
    const resumed = await loadModel<Functional>(join(root, 'resume'));
    expect(resumed.compiled?.outputs.map((o) => [o.name, o.loss.name, o.weight, o.metrics.map((m) => m.name)])).toEqual([
      ['o1', 'meanSquaredError', 0.5, []], ['o2', 'binaryCrossentropy', 2, ['accuracy']],
    ]);
    const history = await resumed.fit(x, y, { epochs: 3, initialEpoch: 2, batchSize: 8, verbose: 0 });
    expect(Object.keys(history.history).sort()).toEqual(['learning_rate', 'loss', 'o1_loss', 'o2_accuracy', 'o2_loss']);
    const expected = straight.getWeights();
    resumed.getWeights().forEach((w, i) => expect(maxDiff(w, expected[i])).toBe(0));
  });
});

describe('functional errors name the model or layer', () => {
  it('refuses a disconnected graph and an input that reaches no output', () => {
    const a = input({ shape: [2], name: 'left' });
    const b = input({ shape: [2], name: 'right' });
    const out = new Add({ name: 'both' }).apply([a, b]);
    expect(thrown(() => model({ inputs: a, outputs: out, name: 'half' })).message)
      .toBe('half: the graph is disconnected: both needs the input right, which is not among the model\'s inputs (left)');
    const c = input({ shape: [2], name: 'spare' });
    const error = thrown(() => model({ inputs: [a, b, c], outputs: out, name: 'spare_in' }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('spare_in: the input spare does not reach any output');
  });

  it('refuses a merge of mismatched shapes when the graph is built', () => {
    const a = input({ shape: [3] });
    const b = input({ shape: [4] });
    const error = thrown(() => new Add({ name: 'bad_add' }).apply([a, b]));
    expect(error).toBeInstanceOf(ShapeError);
    expect(error.message).toMatch(/^bad_add: expected inputs of one shape/);
  });

  it('refuses the wrong number of x or y arrays, and x of the wrong shape, in fit, evaluate and predict', async () => {
    const { m } = twoByTwo();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const xa = randomNormal([4, 3]);
    const xb = randomNormal([4, 2]);
    const y = [randomNormal([4, 2]), randomNormal([4, 1])];
    const fitError = await m.fit([xa], y, { verbose: 0 }).then(() => undefined, (e: Error) => e);
    expect(fitError).toBeInstanceOf(ValueError);
    expect(fitError?.message).toBe('two_by_two.fit: x must be a list of 2 tensors, one per input (a, b), got a list of 1');
    expect(thrown(() => m.evaluate([xa, xb], y[0], { verbose: 0 })).message)
      .toMatch(/^two_by_two.evaluate: y must be a list of 2 tensors, one per output \(o1, o2\), got one Tensor$/);
    expect(thrown(() => m.predict([xb, xa])).message).toBe('two_by_two.predict: x[0] must have shape [batch,3] (the input a), got [4,2]');
    expect(thrown(() => m.predict([xa, randomNormal([3, 2])])).message)
      .toBe('two_by_two.predict: every input needs the same number of samples, got 4 in x[0] and 3 in x[1]');
  });

  it('takes per-output losses, weights and metrics as lists, and refuses lists of the wrong length', () => {
    const { m } = twoByTwo();
    m.compile({ loss: ['mse', 'binaryCrossentropy'], lossWeights: [3, 1], metrics: [[], ['accuracy']] });
    expect(m.compiled?.outputs.map((o) => [o.loss.name, o.weight, o.metrics.map((x) => x.name)])).toEqual([
      ['meanSquaredError', 3, []], ['binaryCrossentropy', 1, ['accuracy']],
    ]);
    m.compile({ loss: 'mse', metrics: ['accuracy'] });
    expect(m.compiled?.outputs.map((o) => [o.loss.name, o.weight, o.metrics.map((x) => x.name)])).toEqual([
      ['meanSquaredError', 1, ['accuracy']], ['meanSquaredError', 1, ['accuracy']],
    ]);
    expect(thrown(() => m.compile({ loss: 'mse', lossWeights: [1] })).message)
      .toBe('two_by_two.compile: lossWeights must be one value for every output, a list of 2, or a record by output name (o1, o2), got an array');
  });

  it('refuses a shared layer called on two different shapes when the model is made, naming the layer', () => {
    const shared = new Dense(2, { name: 'mixed' });
    const a = input({ shape: [3] });
    const b = input({ shape: [4] });
    const error = thrown(() => model({ inputs: [a, b], outputs: new Add().apply([shared.apply(a), shared.apply(b)]), name: 'mixed_model' }));
    expect(error).toBeInstanceOf(ShapeError);
    expect(error.message).toBe('mixed: expected input of shape [batch,3], got [1,4]');
    expect(shared.built).toBe(false);
  });

  it('refuses a per-output loss naming no output, two layers of one name, and a layer output as a model input', () => {
    const { m } = twoByTwo();
    expect(thrown(() => m.compile({ loss: { o3: 'mse' } })).message).toBe('two_by_two.compile: loss names \'o3\', which is not an output; the outputs are o1, o2');
    const x = input({ shape: [2] });
    const h = new Dense(2, { name: 'twin' }).apply(x);
    expect(thrown(() => model({ inputs: x, outputs: new Dense(2, { name: 'twin' }).apply(h), name: 'twins' })).message)
      .toBe('twins: two different layers are named twin; layer names must be unique in a model');
    expect(thrown(() => model({ inputs: h, outputs: h, name: 'from_h' })).message).toBe('from_h: inputs must come from input(); twin is the output of a layer');
  });
});
