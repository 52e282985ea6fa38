// Masks through models (issue 16): Embedding(maskZero) and Masking make a mask, the layers after them get it in
// fit, evaluate and predict (Sequential and functional, and the symbolic dry run), merges combine masks, and a layer
// that does not support masking is refused one with an error naming it.
import { describe, expect, it } from 'vitest';
import {
  Add, Concatenate, ConfigError, Dense, Embedding, Flatten, LSTM, Layer, Masking, Sequential, input, model, sum, tensor,
} from 'semiflow';
import type { CallOptions, Tensor } from 'semiflow';
import { thrown } from './thrown.ts';

/** Consumes the mask: the mean of the real steps of [batch, time, features]; records every mask it is given. */
class MaskedMean extends Layer {
  override supportsMasking = true;
  readonly seen: (number[] | undefined)[][] = [];

  protected call(x: Tensor, options: CallOptions): Tensor {
    const { mask } = options;
    const rows = x.shape[0];
    this.seen.push(mask === undefined ? [undefined] : Array.from({ length: rows }, (_, b) => Array.from(mask.storage.slice(b * x.shape[1], (b + 1) * x.shape[1]))));
    if (mask === undefined) return sum(x, 1).div(x.shape[1]);
    const m = mask.reshape([rows, x.shape[1], 1]);
    return sum(x.mul(m), 1).div(sum(m, 1).add(1e-9));
  }

  override computeMask(): undefined {
    return undefined;
  }

  /** Every mask row seen, in call order, from the calls since `from`. */
  rows(from = 0): (number[] | undefined)[] {
    return this.seen.slice(from).flat();
  }
}

// Six sequences of length 4, padded with id 0 at the end.
const ids = tensor([[3, 1, 0, 0], [2, 0, 0, 0], [1, 2, 3, 4], [4, 4, 0, 0], [2, 3, 1, 0], [1, 0, 0, 0]]);
const expectedMask = Array.from({ length: 6 }, (_, b) => Array.from(ids.storage.slice(b * 4, b * 4 + 4), (v) => (v === 0 ? 0 : 1)));
const y = tensor([[1], [0], [1], [0], [1], [0]]);

describe('masks in a Sequential', () => {
  it('reach the consuming layer in fit, evaluate and predict, through a Dense, from Embedding(maskZero)', async () => {
    const probe = new MaskedMean();
    const seq = new Sequential({ seed: 1, layers: [new Embedding(5, 3, { maskZero: true, inputLength: 4 }), new Dense(3), probe, new Dense(1)] });
    seq.compile({ optimizer: 'adam', loss: 'mse' });
    let from = probe.seen.length;
    await seq.fit(ids, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
    expect(probe.rows(from)).toEqual(expectedMask);
    from = probe.seen.length;
    seq.evaluate(ids, y, { batchSize: 5, verbose: 0 });
    expect(probe.rows(from)).toEqual(expectedMask);
    from = probe.seen.length;
    const p = seq.predict(ids, { batchSize: 2, verbose: 0 });
    expect(probe.rows(from)).toEqual(expectedMask);
    // What the padding holds does not matter: the masked mean ignores the padded steps' vectors.
    const table = seq.layers[1].params.embeddings;
    const moved = new Sequential({ seed: 1, layers: [new Embedding(5, 3, { maskZero: true, inputLength: 4 }), new Dense(3), new MaskedMean(), new Dense(1)] });
    moved.setWeights(seq.getWeights().map((w, i) => (i === 0 ? table.add(tensor([[7, 7, 7], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]])) : w)));
    Array.from(moved.predict(ids).storage).forEach((v, i) => expect(v).toBeCloseTo(p.storage[i], 5));
  });

  it('come from Masking, and none flows without a mask-making layer', () => {
    const probe = new MaskedMean();
    const x = tensor([[[1, 2], [0, 0]], [[0, 0], [3, 1]]]);
    const seq = new Sequential({ layers: [new Masking({ inputShape: [2, 2] }), probe] });
    // The dry run that built the model on a zero sample saw that sample's mask.
    expect(probe.rows()).toEqual([[0, 0]]);
    seq.predict(x);
    expect(probe.rows(1)).toEqual([[1, 0], [0, 1]]);
    const plain = new MaskedMean();
    new Sequential({ layers: [new Dense(2, { inputShape: [2, 2] }), plain] }).predict(x);
    expect(plain.rows()).toEqual([undefined, undefined]);
  });

  it('are refused by a layer that does not support masking, when it is added, naming it and the maker', () => {
    const seq = new Sequential({ layers: [new Embedding(5, 3, { maskZero: true, inputLength: 4, name: 'words' })] });
    const error = thrown(() => seq.add(new Flatten({ name: 'flat' })));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^flat: does not support masking, but its input \(from words\) carries a mask/);
    expect(seq.layers.map((l) => l.name)).not.toContain('flat');
    // Without maskZero the same stack is fine.
    expect(new Sequential({ layers: [new Embedding(5, 3, { inputLength: 4 }), new Flatten()] }).outputShape).toEqual([12]);
  });
});

describe('masks into a recurrent layer', () => {
  it('Embedding(maskZero) then LSTM in a Sequential: padded sequences predict what the unpadded ones do', () => {
    const stack = (length: number) => new Sequential({ seed: 4, layers: [new Embedding(6, 3, { maskZero: true, inputLength: length }), new LSTM(4), new Dense(1)] });
    const padded = stack(5);
    const short = stack(2);
    short.setWeights(padded.getWeights());
    const a = padded.predict(tensor([[3, 1, 0, 0, 0], [5, 2, 0, 0, 0]]));
    const b = short.predict(tensor([[3, 1], [5, 2]]));
    Array.from(a.storage).forEach((v, i) => expect(v).toBeCloseTo(b.storage[i], 6));
    // Without the mask the padding steps would change the state.
    const unmasked = new Sequential({ seed: 4, layers: [new Embedding(6, 3, { inputLength: 5 }), new LSTM(4), new Dense(1)] });
    unmasked.setWeights(padded.getWeights());
    expect(Math.abs(unmasked.predict(tensor([[3, 1, 0, 0, 0]])).storage[0] - b.storage[0])).toBeGreaterThan(1e-6);
  });
});

describe('masks in a functional model', () => {
  it('reach the consuming layer in fit, evaluate and predict, and in the symbolic dry run', async () => {
    const probe = new MaskedMean();
    const x = input({ shape: [4] });
    const h = new Dense(2).apply(new Embedding(5, 3, { maskZero: true }).apply(x));
    expect(probe.seen.length).toBe(0);
    const out = new Dense(1).apply(probe.apply(h));
    expect(probe.rows()).toEqual([[0, 0, 0, 0]]);
    const m = model({ inputs: x, outputs: out, seed: 2 });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    let from = probe.seen.length;
    await m.fit(ids, y, { epochs: 1, batchSize: 3, shuffle: false, verbose: 0 });
    expect(probe.rows(from)).toEqual(expectedMask);
    from = probe.seen.length;
    m.evaluate(ids, y, { verbose: 0 });
    expect(probe.rows(from)).toEqual(expectedMask);
    from = probe.seen.length;
    m.predict(ids, { batchSize: 4, verbose: 0 });
    expect(probe.rows(from)).toEqual(expectedMask);
  });

  it('combine in merges: Add takes the AND of its inputs masks, Concatenate on time joins them', () => {
    const probeAdd = new MaskedMean();
    const probeJoin = new MaskedMean();
    const a = input({ shape: [2, 2] });
    const b = input({ shape: [2, 2] });
    const ma = new Masking().apply(a);
    const mb = new Masking().apply(b);
    const sumOut = probeAdd.apply(new Add().apply([ma, mb]));
    const joinOut = probeJoin.apply(new Concatenate({ axis: 1 }).apply([ma, new Dense(2).apply(b)]));
    const m = model({ inputs: [a, b], outputs: [sumOut, joinOut] });
    const xa = tensor([[[1, 1], [0, 0]], [[1, 0], [2, 2]]]);
    const xb = tensor([[[1, 1], [1, 1]], [[0, 0], [2, 2]]]);
    const from = [probeAdd.seen.length, probeJoin.seen.length];
    m.predict([xa, xb]);
    expect(probeAdd.rows(from[0])).toEqual([[1, 0], [0, 1]]);
    // The Dense branch has no mask of its own: its steps count as real.
    expect(probeJoin.rows(from[1])).toEqual([[1, 0, 1, 1], [1, 1, 1, 1]]);
  });

  it('are refused by a model used as a layer, which they cannot enter yet', () => {
    const inner = input({ shape: [4, 3] });
    const sub = model({ inputs: inner, outputs: new Dense(2).apply(inner), name: 'sub' });
    const x = input({ shape: [4] });
    const error = thrown(() => sub.apply(new Embedding(5, 3, { maskZero: true }).apply(x)));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^sub: a mask cannot flow into a model used as a layer yet/);
  });

  it('are refused at apply by a layer that does not support masking', () => {
    const x = input({ shape: [4] });
    const e = new Embedding(5, 3, { maskZero: true, name: 'tokens' }).apply(x);
    const d = new Dense(2, { name: 'proj' }).apply(e);
    const error = thrown(() => new Flatten({ name: 'flat2' }).apply(d));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^flat2: does not support masking, but its input \(from proj\) carries a mask/);
  });
});

describe('a mask on a model output', () => {
  // Ids [3, 4] with padding; the output Dense keeps the time axis, so the output carries the Embedding's mask.
  const seqIds = tensor([[2, 1, 0, 0], [3, 3, 3, 1], [1, 0, 0, 0]]);
  const real = Array.from(seqIds.storage, (v): number => (v === 0 ? 0 : 1));
  const targets = (padding: number) => tensor(Array.from({ length: 24 }, (_, i) => (real[Math.floor(i / 2)] === 1 ? (i % 5) / 5 : padding)), [3, 4, 2]);
  const net = () => new Sequential({ seed: 6, layers: [new Embedding(4, 3, { maskZero: true, inputLength: 4 }), new Dense(2)] });

  it('weights its loss: the mean squared error over the real steps only (Keras 3)', () => {
    const m = net();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const y = targets(100);
    const p = m.predict(seqIds);
    let total = 0;
    for (let i = 0; i < 24; i++) if (real[Math.floor(i / 2)] === 1) total += (p.storage[i] - y.storage[i]) ** 2;
    const expected = total / (2 * real.reduce((a, b) => a + b, 0));
    expect(m.evaluate(seqIds, y, { verbose: 0 }).loss).toBeCloseTo(expected, 5);
  });

  it('trains the same whatever the targets of the padded steps hold, and a batch of padding alone has loss 0', async () => {
    const [a, b] = [net(), net()];
    for (const m of [a, b]) m.compile({ optimizer: 'adam', loss: 'mse' });
    await a.fit(seqIds, targets(0), { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
    await b.fit(seqIds, targets(-50), { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
    expect(a.getWeights().map((w) => Array.from(w.storage))).toEqual(b.getWeights().map((w) => Array.from(w.storage)));
    expect(a.evaluate(tensor([[0, 0, 0, 0]]), tensor([[[5, 5], [5, 5], [5, 5], [5, 5]]]), { verbose: 0 }).loss).toBe(0);
  });
});
