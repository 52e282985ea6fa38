// SimpleRNN, LSTM and GRU (issue 16): each against its formula written out (test/recurrent-reference.ts), and its
// gradient over fast-check shapes (float64) with returnSequences, goBackwards and a mask; Keras's defaults and layout.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dense, GRU, LSTM, Sequential, SimpleRNN, checkLayerGrad, constraints, randomNormal, randomUniform, regularizers, sum, tensor } from 'semiflow';
import type { Recurrent, RecurrentOptions, Tensor } from 'semiflow';
import { withPenalties } from '../layers/penalties.ts';
import type { Kind } from './recurrent-reference.ts';
import { referenceRnn } from './recurrent-reference.ts';

type Maker = <R extends boolean = false>(units: number, options: RecurrentOptions<R>) => Recurrent<R>;
const MAKERS: Record<Kind, Maker> = {
  simple: (units, options) => new SimpleRNN(units, options),
  lstm: (units, options) => new LSTM(units, options),
  gru: (units, options) => new GRU(units, { ...options, resetAfter: false }),
  gruResetAfter: (units, options) => new GRU(units, options),
};
const KINDS = Object.keys(MAKERS) as Kind[];
const f64 = (shape: number[], seed: number) => randomNormal(shape, { seed, dtype: 'float64' });

describe.each(KINDS)('%s', (kind) => {
  it('matches the formula at every step, with Keras weight shapes', () => {
    const layer = MAKERS[kind](3, { returnSequences: true });
    const x = f64([2, 4, 5], 1);
    layer.ensureBuilt(x.shape, 'float64');
    const { kernel, recurrent_kernel: U, bias } = layer.params;
    const k = { simple: 1, lstm: 4, gru: 3, gruResetAfter: 3 }[kind];
    expect(kernel.shape).toEqual([5, 3 * k]);
    expect(U.shape).toEqual([3, 3 * k]);
    expect(bias.shape).toEqual(kind === 'gruResetAfter' ? [2, 9] : [3 * k]);
    const b = f64([...bias.shape], 2);
    const y = layer.apply(x, { params: { bias: b } });
    expect(y.shape).toEqual([2, 4, 3]);
    const ref = referenceRnn(kind, x, kernel, U, b, 3).flat(2);
    Array.from(y.storage).forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThan(1e-12));
    const last = MAKERS[kind](3, {}).apply(x, { params: { kernel, recurrent_kernel: U, bias: b } });
    expect(Array.from(last.storage)).toEqual(Array.from(y.storage).filter((_, i) => Math.floor(i / 3) % 4 === 3));
  });

  it('goBackwards reads the sequence from its end, and returns the sequence in that order', () => {
    const x = f64([1, 3, 2], 3);
    const forward = MAKERS[kind](2, { returnSequences: true });
    const backward = MAKERS[kind](2, { returnSequences: true, goBackwards: true });
    forward.ensureBuilt(x.shape, 'float64');
    const reversed = tensor([2, 1, 0].flatMap((t) => [x.storage[2 * t], x.storage[2 * t + 1]]), [1, 3, 2], 'float64');
    expect(Array.from(backward.apply(x, { params: forward.params }).storage)).toEqual(Array.from(forward.apply(reversed).storage));
  });

  it('has a correct gradient over shapes, options and masks', () => {
    const arb = fc.record({
      batch: fc.integer({ min: 1, max: 3 }), time: fc.integer({ min: 1, max: 4 }), features: fc.integer({ min: 1, max: 3 }),
      units: fc.integer({ min: 1, max: 3 }), returnSequences: fc.boolean(), goBackwards: fc.boolean(), masked: fc.boolean(), seed: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(fc.property(arb, (c) => {
      const layer = MAKERS[kind](c.units, { returnSequences: c.returnSequences, goBackwards: c.goBackwards, biasInitializer: 'randomNormal' });
      const x = f64([c.batch, c.time, c.features], c.seed);
      const mask = c.masked ? randomUniform([c.batch, c.time], { seed: c.seed + 1, dtype: 'float64' }).greater(0.4).cast('float64') : undefined;
      const result = checkLayerGrad(layer, x, { seed: c.seed, ...(mask === undefined ? {} : { mask }) });
      expect(result.ok, result.message).toBe(true);
    }), { numRuns: 12 });
  });
});

describe('recurrent defaults', () => {
  it('follow tf.keras 2: tanh, sigmoid gates, orthogonal recurrent kernel, LSTM unit forget bias, GRU resetAfter', () => {
    const lstm = new LSTM(2);
    const gru = new GRU(2);
    expect([lstm.activation.name, lstm.recurrentActivation.name, lstm.unitForgetBias, lstm.returnSequences, lstm.returnState, lstm.goBackwards]).toEqual(['tanh', 'sigmoid', true, false, false, false]);
    expect([gru.recurrentActivation.name, gru.resetAfter, new SimpleRNN(2).activation.name]).toEqual(['sigmoid', true, 'tanh']);
    lstm.ensureBuilt([1, 3, 4], 'float64');
    const U = lstm.params.recurrent_kernel;
    // Orthonormal rows: U·Uᵀ = I for U [2, 8].
    const gram = U.matmul(U.transpose());
    Array.from(gram.storage).forEach((v, i) => expect(Math.abs(v - (i % 3 === 0 ? 1 : 0))).toBeLessThan(1e-12));
    expect(Array.from(lstm.params.bias.storage)).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(new LSTM(2, { unitForgetBias: false }).apply(randomNormal([1, 3, 4], { seed: 1 })).shape)).toEqual([1, 2]);
  });

  it('returnState gives [output, h] (LSTM [output, h, c]): the last output is the final h, and the sequence ends with it', () => {
    const x = f64([2, 3, 2], 4);
    for (const kind of KINDS) {
      const layer = MAKERS[kind](3, { returnState: true });
      const [output, h, ...rest] = layer.apply(x);
      expect(Array.from(h.storage)).toEqual(Array.from(output.storage));
      expect(rest.map((c: Tensor) => c.shape)).toEqual(kind === 'lstm' ? [[2, 3]] : []);
      const [sequence, hAgain] = MAKERS[kind](3, { returnState: true, returnSequences: true }).apply(x, { params: layer.params });
      expect(Array.from(sequence.slice([0, 2, 0], [2, 1, 3]).storage)).toEqual(Array.from(hAgain.storage));
      expect(Array.from(hAgain.storage)).toEqual(Array.from(h.storage));
      const result = checkLayerGrad(MAKERS[kind](2, { returnState: true, biasInitializer: 'randomNormal' }), x, { seed: 5 });
      expect(result.ok, result.message).toBe(true);
    }
  });
});

describe('recurrent regularizers and constraints', () => {
  it('add the kernel, recurrent kernel and bias penalties to the training loss, and project the weights after a step', async () => {
    const layer = new LSTM(2, {
      kernelRegularizer: regularizers.l2(0.1), recurrentRegularizer: regularizers.l1(0.2), biasRegularizer: regularizers.l2(0.3),
      recurrentConstraint: constraints.nonNeg(), inputShape: [3, 2],
    });
    const x = randomNormal([4, 3, 2], { seed: 1 });
    layer.ensureBuilt(x.shape);
    const { kernel, recurrent_kernel: U, bias } = layer.params;
    const { penalty } = withPenalties(() => layer.apply(x));
    const expected = 0.1 * sum(kernel.mul(kernel)).item() + 0.2 * sum(U.abs()).item() + 0.3 * sum(bias.mul(bias)).item();
    expect(Math.abs((penalty as { item(): number }).item() - expected)).toBeLessThan(1e-5 * expected);
    const model = new Sequential({ seed: 2, layers: [layer, new Dense(1)] });
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    await model.fit(x, randomNormal([4, 1], { seed: 3 }), { epochs: 1, batchSize: 4, verbose: 0 });
    expect(Array.from(layer.params.recurrent_kernel.storage).every((v) => v >= 0)).toBe(true);
  });
});
