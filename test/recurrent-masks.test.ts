// Masks, dropout and bad input of the recurrent layers (issue 16).
import { describe, expect, it } from 'vitest';
import { Bidirectional, ConfigError, Dense, Embedding, GRU, LSTM, Rng, Sequential, ShapeError, SimpleRNN, ValueError, checkLayerGrad, concat, randomNormal, tensor } from 'semiflow';
import type { Recurrent, RecurrentOptions, Tensor } from 'semiflow';

type Maker = <R extends boolean = false>(options: RecurrentOptions<R>) => Recurrent<R>;
const MAKERS: Record<string, Maker> = {
  SimpleRNN: (options) => new SimpleRNN(3, options),
  LSTM: (options) => new LSTM(3, options),
  GRU: (options) => new GRU(3, options),
  'GRU (resetAfter false)': (options) => new GRU(3, { ...options, resetAfter: false }),
};
const f64 = (shape: number[], seed: number) => randomNormal(shape, { seed, dtype: 'float64' });
const values = (t: Tensor) => Array.from(t.storage);
/** Row n of x [batch, time, features] with only the given steps, as [1, steps, features]. */
const stepsOf = (x: Tensor, n: number, steps: number[]) => concat(steps.map((t) => x.slice([n, t, 0], [1, 1, x.shape[2]])), 1);

describe.each(Object.keys(MAKERS))('%s with a mask', (name) => {
  const x = f64([3, 4, 2], 1);
  // Padding inside, at the start and at the end.
  const mask = tensor([[1, 0, 1, 1], [0, 0, 1, 1], [1, 1, 0, 0]], [3, 4], 'float64');
  const kept = [[0, 2, 3], [2, 3], [0, 1]];

  it.each([false, true])('a masked step leaves every state unchanged: the states equal those of the sequence without it (goBackwards %s)', (goBackwards) => {
    const layer = MAKERS[name]({ goBackwards, returnState: true });
    layer.ensureBuilt(x.shape, 'float64');
    const masked = layer.apply(x, { mask });
    kept.forEach((steps, n) => {
      // A layer is built for one sequence length, so the shorter sequence goes through a copy with the same weights.
      const alone = MAKERS[name]({ goBackwards, returnState: true }).apply(stepsOf(x, n, steps), { params: layer.params });
      masked.forEach((state, k) => {
        const row = values(state).slice(n * 3, n * 3 + 3);
        values(alone[k]).forEach((v, i) => expect(Math.abs(row[i] - v)).toBeLessThan(1e-14));
      });
    });
  });

  it('with returnSequences a masked step repeats the previous output (zeros before the first real step), and the mask passes on', () => {
    const layer = MAKERS[name]({ returnSequences: true });
    const y = layer.apply(x, { mask });
    const at = (n: number, t: number) => values(y).slice((n * 4 + t) * 3, (n * 4 + t) * 3 + 3);
    expect(at(0, 1)).toEqual(at(0, 0));
    expect(at(1, 0)).toEqual([0, 0, 0]);
    expect(at(1, 1)).toEqual([0, 0, 0]);
    expect(at(2, 3)).toEqual(at(2, 1));
    expect(at(0, 2)).not.toEqual(at(0, 1));
    expect(layer.computeMask(x, mask)).toBe(mask);
    expect(MAKERS[name]({}).computeMask(x, mask)).toBeUndefined();
    expect(layer.supportsMasking).toBe(true);
  });
});

describe('masks from an Embedding in a model', () => {
  it('Embedding(maskZero) then Bidirectional(LSTM), GRU and SimpleRNN in a trained Sequential: padding with zeros does not change the prediction', async () => {
    const make = (time: number) => new Sequential({ seed: 4, layers: [
      new Embedding(6, 3, { maskZero: true, inputShape: [time] }), new Bidirectional(new LSTM(3, { returnSequences: true })),
      new GRU(2, { returnSequences: true }), new SimpleRNN(2), new Dense(1),
    ] });
    const padded = make(5);
    padded.compile({ optimizer: 'adam', loss: 'mse' });
    const ids = tensor([[3, 1, 4, 0, 0], [2, 5, 0, 0, 0], [1, 1, 5, 2, 0]]);
    await padded.fit(ids, tensor([[1], [-1], [0.5]]), { epochs: 3, batchSize: 3, verbose: 0 });
    const unpadded = make(3);
    unpadded.setWeights(padded.getWeights());
    const short = tensor([[3, 1, 4], [2, 5, 0], [1, 1, 5]]);
    const [a, b] = [padded.predict(ids), unpadded.predict(short)].map((t) => Array.from(t.storage));
    // Rows 0 and 1 hold the same real steps; row 2 has a fourth real step in the padded batch only.
    expect(a.slice(0, 2)).toEqual(b.slice(0, 2));
    expect(a[2]).not.toEqual(b[2]);
  });
});

describe('recurrent dropout', () => {
  const x = f64([1, 5, 3], 2);

  it('is off outside training and reproducible from the step generator inside it', () => {
    const layer = new SimpleRNN(2, { dropout: 0.5, recurrentDropout: 0.5 });
    layer.ensureBuilt(x.shape, 'float64');
    const plain = new SimpleRNN(2);
    expect(values(layer.apply(x))).toEqual(values(plain.apply(x, { params: layer.params })));
    const trained = layer.apply(x, { training: true, rng: new Rng(4) });
    expect(values(layer.apply(x, { training: true, rng: new Rng(4) }))).toEqual(values(trained));
    expect(values(trained)).not.toEqual(values(layer.apply(x)));
  });

  it('draws one input mask per sequence: the output is the plain layer on x times a mask constant over time', () => {
    const layer = new SimpleRNN(2, { dropout: 0.5, returnSequences: true });
    layer.ensureBuilt(x.shape, 'float64');
    const plain = new SimpleRNN(2, { returnSequences: true });
    const y = values(layer.apply(x, { training: true, rng: new Rng(9) }));
    const matches = [0, 1, 2, 3, 4, 5, 6, 7].filter((bits) => {
      const keep = [0, 1, 2].map((f) => ((bits >> f) & 1) * 2);
      const scaled = tensor(values(x).map((v, i) => v * keep[i % 3]), x.shape, 'float64');
      const z = values(plain.apply(scaled, { params: layer.params }));
      return z.every((v, i) => Math.abs(v - y[i]) < 1e-14);
    });
    expect(matches.length).toBe(1);
  });

  it('draws one recurrent mask per sequence: h·U sees h times a mask constant over time', () => {
    const layer = new SimpleRNN(2, { recurrentDropout: 0.5, returnSequences: true, biasInitializer: 'randomNormal' });
    layer.ensureBuilt(x.shape, 'float64');
    const { kernel: W, recurrent_kernel: U, bias: b } = layer.params;
    const y = values(layer.apply(x, { training: true, rng: new Rng(5) }));
    const run = (keep: number[]) => {
      let h = [0, 0];
      const out: number[] = [];
      for (let t = 0; t < 5; t++) {
        h = [0, 1].map((u) => Math.tanh(b.storage[u]
          + [0, 1, 2].reduce((s, f) => s + x.storage[t * 3 + f] * W.storage[f * 2 + u], 0)
          + [0, 1].reduce((s, v) => s + h[v] * keep[v] * U.storage[v * 2 + u], 0)));
        out.push(...h);
      }
      return out;
    };
    const matches = [[0, 0], [0, 2], [2, 0], [2, 2]].filter((keep) => run(keep).every((v, i) => Math.abs(v - y[i]) < 1e-14));
    expect(matches.length).toBe(1);
  });

  it('has a correct gradient in training, the masks fixed by the seed', () => {
    for (const make of Object.values(MAKERS)) {
      const layer = make({ dropout: 0.3, recurrentDropout: 0.3, returnSequences: true });
      const result = checkLayerGrad(layer, f64([2, 3, 2], 6), { training: true, rngSeed: 3, seed: 1 });
      expect(result.ok, result.message).toBe(true);
    }
  });
});

describe('recurrent bad input', () => {
  it('bad options are errors naming the layer', () => {
    expect(() => new LSTM(2, { name: 'enc', dropout: 1 })).toThrow(new ConfigError('enc: dropout must be a number in [0, 1), got number 1'));
    expect(() => new GRU(2, { name: 'g', recurrentDropout: -0.1 })).toThrow(ConfigError);
    expect(() => new SimpleRNN(2, { name: 's', returnSequence: true } as never)).toThrow(/^s: unknown option 'returnSequence' \(did you mean 'returnSequences'\?\)/);
    expect(() => new LSTM(2, { name: 'l', resetAfter: true } as never)).toThrow(ConfigError);
    expect(() => new LSTM(2, { name: 'l2', goBackwards: 'yes' } as never)).toThrow(new ConfigError("l2: goBackwards must be true or false, got string \"yes\""));
    expect(() => new GRU(2, { name: 'g2', recurrentActivation: 'sigmoyd' })).toThrow(/^g2: unknown activation 'sigmoyd'/);
    expect(() => new LSTM(2, { name: 'l3', recurrentInitializer: 'orthogonl' })).toThrow(ConfigError);
    expect(() => new LSTM(0, { name: 'l4' })).toThrow(new ValueError('l4: units must be a positive integer, got number 0'));
  });

  it('input of the wrong rank is a ShapeError naming the layer, and so is a mask of the wrong shape', () => {
    expect(() => new LSTM(2, { name: 'r2' }).apply(randomNormal([2, 3]))).toThrow(new ShapeError('r2: expected input [batch,time,features], got [2,3]'));
    expect(() => new GRU(2, { name: 'r4' }).apply(randomNormal([2, 3, 4, 1]))).toThrow(ShapeError);
    expect(() => new SimpleRNN(2, { name: 'm' }).apply(randomNormal([2, 3, 4]), { mask: tensor([[1, 1]]) })).toThrow(/^m: expected a mask of shape \[2,3\] \(batch, time\) for input \[2,3,4\], got \[1,2\]/);
  });
});
