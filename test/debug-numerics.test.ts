import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Dense, Layer, adam, fill, NumericsError, SemiflowError, Sequential, add, debugNumerics, exp, grad, isDebuggingNumerics, log, maxPool2d, randomNormal, randomUniform, relu, reshape, sgd, sqrt, sum, tensor
} from 'semiflow';
import type { NumericsDetails, Tensor } from 'semiflow';
import { thrown } from './thrown.ts';

afterEach(() => {
  debugNumerics(false);
});

function numericsError(fn: () => unknown): NumericsError & { details: NumericsDetails } {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(NumericsError);
  expect(error).toBeInstanceOf(SemiflowError);
  return error as NumericsError & { details: NumericsDetails };
}

/** log(relu(x)): -Infinity wherever the input is not positive. */
class LogLayer extends Layer {
  protected call(x: Tensor): Tensor {
    return log(relu(x));
  }
}

/** sqrt(relu(x)): finite forward, but its gradient at 0 is 1/(2·0) = Infinity. */
class RootLayer extends Layer {
  protected call(x: Tensor): Tensor {
    return sqrt(relu(x));
  }
}

describe('debugNumerics', () => {
  it('is off by default: log(0) is -Infinity, as IEEE says', () => {
    expect(isDebuggingNumerics()).toBe(false);
    expect(log(tensor([0, 1])).toArray()).toEqual([-Infinity, 0]);
  });

  it('returns the previous setting', () => {
    expect(debugNumerics(true)).toBe(false);
    expect(debugNumerics(false)).toBe(true);
    expect(isDebuggingNumerics()).toBe(false);
  });

  it('names the op, where the first bad value is, and the range of every input', () => {
    debugNumerics();
    const error = numericsError(() => log(tensor([[1, 2], [0, 4]])));
    expect(error.message).toBe([
      'log: produced -Infinity in the forward pass: 1 of 4 values are not finite, the first at [1,0] of [2,2]',
      '  input 0: float32 [2,2] range [0, 4]',
    ].join('\n'));
    expect(error.details).toEqual({ prim: 'log', site: undefined, phase: 'forward' });
  });

  it('says when a non-finite value came in from outside, counting NaN and Infinity', () => {
    debugNumerics();
    const error = numericsError(() => add(tensor([1, NaN, Infinity], undefined, 'float64'), 1));
    expect(error.message).toContain('add: produced NaN in the forward pass: 2 of 3 values are not finite, the first at [1] of [3]');
    expect(error.message).toContain('input 0: float64 [3] range [1, 1], 1 NaN, 1 ±Infinity');
    expect(error.message).toContain('came from data, weights or a tensor built by hand');
  });

  it('lets ops that only move values pass infinities through: max-pooling pads with -Infinity', () => {
    debugNumerics();
    const x = randomNormal([1, 3, 3, 1], { seed: 1 });
    const pooled = maxPool2d(x, { poolSize: 2, strides: 1, padding: 'same' });
    expect(pooled.shape).toEqual([1, 3, 3, 1]);
    expect(reshape(tensor([Infinity, 1]), [2, 1]).shape).toEqual([2, 1]);
  });

  it('in the backward pass names the primitive being differentiated and where its forward call was made', () => {
    debugNumerics();
    const error = numericsError(() => grad((t: Tensor) => sum(sqrt(t)))(tensor([0, 1, 4])));
    expect(error.details.phase).toBe('backward');
    expect(error.message).toMatch(/^reciprocal: produced Infinity in the backward pass, computing the gradient of sqrt: 1 of 3 values/);
    expect(error.message).toContain('The forward sqrt was called');
    expect(error.message).toContain('debug-numerics.test.ts');
  });

  it('changes no result: gradients with and without the checks are the same bits', () => {
    const f = (t: Tensor) => sum(exp(t).mul(sqrt(t.add(1))));
    const x = randomUniform([5, 3], { seed: 2, dtype: 'float64' });
    const secondOrder = grad((t: Tensor) => sum(grad(f)(t).mul(t)));
    const plain = secondOrder(x);
    debugNumerics();
    const checked = secondOrder(x);
    expect(Array.from(checked.storage)).toEqual(Array.from(plain.storage));
  });
});

describe('debugNumerics in a model', () => {
  function model(middle: Layer): Sequential {
    const m = new Sequential({ seed: 3 });
    m.add(new Dense(4, { inputShape: [3] }));
    m.add(middle);
    m.add(new Dense(2, { activation: 'softmax' }));
    m.compile({ loss: 'categoricalCrossentropy', optimizer: 'sgd' });
    return m;
  }
  const x = randomNormal([8, 3], { seed: 4 });
  const y = tensor([[1, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 1]]);
  const weightsOf = (m: Sequential) => m.getWeights().map((w) => Array.from(w.storage));
  const fitError = (m: Sequential) => m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 }).then(() => new Error('fit did not throw'), (e: Error) => e);

  it('without it, log(0) in a layer silently turns every weight it reaches into NaN', async () => {
    const m = model(new LogLayer({ name: 'logs' }));
    await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    expect(weightsOf(m)[0].some(Number.isNaN)).toBe(true);
  });

  it('with it, fit stops at the op that made the first -Infinity, names the layer, and leaves the weights as they were', async () => {
    const m = model(new LogLayer({ name: 'logs' }));
    const before = weightsOf(m);
    debugNumerics();
    const error = await fitError(m);
    expect(error).toBeInstanceOf(NumericsError);
    expect((error as NumericsError).details).toEqual({ prim: 'log', site: 'layer logs', phase: 'forward' });
    expect(error.message).toMatch(/^logs: log: produced -Infinity in the forward pass \(called from layer logs\): \d+ of 32 values/);
    expect(error.message).toMatch(/input 0: float32 \[8,4\] range \[0, /);
    expect(weightsOf(m)).toEqual(before);
  });

  it('catches an infinity in the backward pass even where a later op masks it: sqrt has an infinite slope at 0', async () => {
    const m = model(new RootLayer({ name: 'root' }));
    const before = weightsOf(m);
    debugNumerics();
    const error = await fitError(m);
    expect((error as NumericsError).details).toEqual({ prim: 'reciprocal', site: 'layer root', phase: 'backward' });
    expect(error.message).toContain('computing the gradient of sqrt (called from layer root)');
    expect(error.message).toMatch(/The forward sqrt was called\n.*\n\s+at RootLayer.call/);
    expect(weightsOf(m)).toEqual(before);
  });

  it('names the loss when the blow-up happens there, and keeps the weights of the last good step', async () => {
    const m = new Sequential({ seed: 5 });
    m.add(new Dense(1, { inputShape: [3] }));
    m.compile({ loss: 'mse', optimizer: sgd({ learningRate: 1e18 }) });
    const afterEachStep: number[][][] = [];
    const recorder = { onBatchEnd: () => { afterEachStep.push(weightsOf(m)); } };
    debugNumerics();
    const error = await m.fit(randomNormal([64, 3], { seed: 6 }), randomNormal([64, 1], { seed: 7 }), { epochs: 5, batchSize: 8, shuffle: false, verbose: 0, callbacks: recorder })
      .then(() => new Error('fit did not throw'), (e: Error) => e);
    expect(error).toBeInstanceOf(NumericsError);
    expect((error as NumericsError).details).toEqual({ prim: 'mul', site: 'loss meanSquaredError', phase: 'forward' });
    expect(error.message).toMatch(/^mul: produced Infinity in the forward pass \(called from loss meanSquaredError\)/);
    expect(afterEachStep.length).toBeGreaterThan(0);
    expect(weightsOf(m)).toEqual(afterEachStep[afterEachStep.length - 1]);
    expect(weightsOf(m).every((w) => w.every(Number.isFinite))).toBe(true);
  });
});

describe('debugNumerics in the optimizer update', () => {
  it('checks every new parameter and slot of the fused update loops, naming the optimizer and the leaf', () => {
    const optimizer = adam({ learningRate: 1e38 });
    const params = { w: tensor([1, 2]), b: tensor([0.5]) };
    debugNumerics();
    const error = numericsError(() => optimizer.update({ w: tensor([1, -1]), b: tensor([Infinity]) }, optimizer.init(params), params));
    expect(error.details).toEqual({ prim: 'adam update of parameter 1', site: undefined, phase: 'update' });
    expect(error.message).toMatch(/^adam update of parameter 1: produced NaN in the optimizer update: 1 of 1 values/);
    expect(error.message).toContain('grad: float32 [1] no finite values, 1 ±Infinity');
    const sgdError = numericsError(() => sgd({ learningRate: 1e38 }).update([tensor([10])], sgd().init([tensor([0])]), [tensor([0])]));
    expect(sgdError.message).toMatch(/^sgd update of parameter 0: produced -Infinity in the optimizer update: 1 of 1 values .*\n  param: float32 \[1\] range \[0, 0\]\n  grad: float32 \[1\] range \[10, 10\]$/);
  });

  it('in fit names the optimizer as the site, and the weights stay those of the last good step', async () => {
    const m = new Sequential({ seed: 8 });
    m.add(new Dense(1, { inputShape: [3], kernelInitializer: 'ones' }));
    m.compile({ loss: 'mse', optimizer: sgd({ learningRate: 1e38 }) });
    const before = m.getWeights().map((w) => Array.from(w.storage));
    debugNumerics();
    const error = await m.fit(fill([4, 3], 10), fill([4, 1], -10), { epochs: 1, verbose: 0 }).then(() => new Error('fit did not throw'), (e: Error) => e);
    expect((error as NumericsError).details).toEqual({ prim: 'sgd update of parameter 0', site: 'optimizer sgd', phase: 'update' });
    expect(m.getWeights().map((w) => Array.from(w.storage))).toEqual(before);
  });
});

describe('SEMIFLOW_DEBUG_NUMERICS=1', () => {
  it('turns the checks on for a whole script', () => {
    const code = "import { log, tensor } from 'semiflow'; try { log(tensor([0])); } catch (e) { console.log(e.name); }";
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', code], {
      env: { ...process.env, SEMIFLOW_DEBUG_NUMERICS: '1' }, encoding: 'utf8',
    });
    expect(run.stdout.trim()).toBe('NumericsError');
  });
});
