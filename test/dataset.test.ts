import { describe, expect, it } from 'vitest';
import { ConfigError, Dataset, ShapeError, ValueError, arange, fromArrays, fromGenerator, fromTensors, randomUniform, reshape, setSeed, sliceRows, tensor } from 'semiflow';
import type { Tensor } from 'semiflow';

const values = (t: Tensor): number[] => Array.from(t.storage);

describe('Dataset sources and transforms', () => {
  it('fromArrays keeps order; map, filter, take, skip and repeat compose, and size follows where it is known', async () => {
    const ds = fromArrays([1, 2, 3, 4, 5, 6]);
    expect(ds.size).toBe(6);
    expect(await ds.toArray()).toEqual([1, 2, 3, 4, 5, 6]);
    const mapped = ds.map((v) => v * 10).skip(1).take(3);
    expect(mapped.size).toBe(3);
    expect(await mapped.toArray()).toEqual([20, 30, 40]);
    expect(await ds.map(async (v) => v + 1).toArray()).toEqual([2, 3, 4, 5, 6, 7]);
    const odd = ds.filter((v) => v % 2 === 1);
    expect(odd.size).toBeUndefined();
    expect(await odd.toArray()).toEqual([1, 3, 5]);
    expect(await ds.take(2).repeat(3).toArray()).toEqual([1, 2, 1, 2, 1, 2]);
    expect(ds.repeat().size).toBe(Number.POSITIVE_INFINITY);
    expect(await ds.repeat().take(8).toArray()).toEqual([1, 2, 3, 4, 5, 6, 1, 2]);
    expect(await fromArrays([]).repeat().toArray()).toEqual([]);
  });

  it('fromTensors slices every tensor of a tree along axis 0', async () => {
    const x = reshape(arange(0, 12), [4, 3]);
    const y = arange(0, 4);
    const ds = fromTensors({ xs: x, ys: y });
    expect(ds.size).toBe(4);
    const elements = await ds.toArray();
    elements.forEach((e, i) => {
      expect(e.xs.shape).toEqual([3]);
      expect(values(e.xs)).toEqual(values(sliceRows(x, i, i + 1)));
      expect(e.ys.shape).toEqual([]);
      expect(values(e.ys)).toEqual([i]);
    });
    const [first] = await fromTensors([x, [y, x]] as const).toArray();
    expect(values(first[1][1])).toEqual([0, 1, 2]);
    expect(() => fromTensors({ xs: x, ys: arange(0, 3) })).toThrow(ShapeError);
    expect(() => fromTensors({ xs: tensor(1) })).toThrow(/axis 0/);
  });

  it('batch stacks elements, keeps a short last batch unless dropRemainder, and names a misfit element', async () => {
    const ds = fromTensors({ xs: reshape(arange(0, 20), [10, 2]), ys: arange(0, 10) });
    const batches = await ds.batch(4).toArray();
    expect(batches.map((b) => b.xs.shape)).toEqual([[4, 2], [4, 2], [2, 2]]);
    expect(values(batches[2].ys)).toEqual([8, 9]);
    expect(values(batches[1].xs)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect(ds.batch(4).size).toBe(3);
    expect(ds.batch(4, { dropRemainder: true }).size).toBe(2);
    expect((await ds.batch(4, { dropRemainder: true }).toArray()).map((b) => b.ys.shape[0])).toEqual([4, 4]);
    const numbers = await fromArrays([[1, 2], [3, 4], [5, 6]]).batch(3).toArray();
    expect(numbers[0].map((t) => values(t))).toEqual([[1, 3, 5], [2, 4, 6]]);

    const ragged = fromArrays([tensor([1, 2]), tensor([1, 2]), tensor([1, 2, 3])]);
    await expect(ragged.batch(3).toArray()).rejects.toThrow(ShapeError);
    await expect(ragged.batch(3).toArray()).rejects.toThrow(/Dataset.batch: batch 0: element 2 is float32 \[3\] but element 0 is float32 \[2\]/);
    await expect(fromArrays([{ a: 1 }, { b: 2 }]).batch(2).toArray()).rejects.toThrow(ValueError);
    await expect(fromArrays(['text']).batch(1 as number).toArray()).rejects.toThrow(/stacks tensors and numbers/);
  });

  it('shuffle is a permutation, reproduced by its seed, different each pass, and keyed by the epoch fit passes', async () => {
    const ds = fromArrays(Array.from({ length: 50 }, (_, i) => i)).shuffle(20, { seed: 7 });
    const first = await ds.toArray();
    const second = await ds.toArray();
    expect([...first].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(first).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(second).not.toEqual(first);
    // A new dataset with the same seed makes the same passes; pass e is what iterate({ epoch: e }) gives.
    const again = fromArrays(Array.from({ length: 50 }, (_, i) => i)).shuffle(20, { seed: 7 });
    expect(await again.toArray()).toEqual(first);
    const epoch1: number[] = [];
    const iterator = again.iterate({ epoch: 1 });
    for (let r = await iterator.next(); r.done !== true; r = await iterator.next()) epoch1.push(r.value);
    expect(epoch1).toEqual(second);
    // Without a seed of its own, the pass's seed (fit's) decides.
    const unseeded = fromArrays(Array.from({ length: 50 }, (_, i) => i)).shuffle(50);
    const read = async (seed: number) => {
      const it = unseeded.iterate({ epoch: 0, seed });
      const out: number[] = [];
      for (let r = await it.next(); r.done !== true; r = await it.next()) out.push(r.value);
      return out;
    };
    expect(await read(3)).toEqual(await read(3));
    expect(await read(3)).not.toEqual(await read(4));
    // Without fit's seed either, a draw from the global generator at shuffle(): setSeed reproduces it.
    setSeed(5);
    const drawnOrder = await fromArrays(Array.from({ length: 30 }, (_, i) => i)).shuffle(30).toArray();
    setSeed(5);
    expect(await fromArrays(Array.from({ length: 30 }, (_, i) => i)).shuffle(30).toArray()).toEqual(drawnOrder);
    // A seeded shuffle draws nothing from the global generator.
    setSeed(6);
    const expected = randomUniform([3]).storage;
    setSeed(6);
    fromArrays([1]).shuffle(4, { seed: 1 });
    expect(randomUniform([3]).storage).toEqual(expected);
    // A buffer of one keeps the order; with repeat each repetition reshuffles.
    expect(await fromArrays([1, 2, 3, 4]).shuffle(1, { seed: 1 }).toArray()).toEqual([1, 2, 3, 4]);
    const twice = await fromArrays(Array.from({ length: 20 }, (_, i) => i)).shuffle(20, { seed: 2 }).repeat(2).toArray();
    expect(twice.slice(0, 20)).not.toEqual(twice.slice(20));
  });

  it('prefetch keeps the order, reads ahead of the consumer, and closes the source when stopped early', async () => {
    let pulled = 0;
    let closed = 0;
    const source = fromGenerator(async function* () {
      try {
        for (let i = 0; i < 10; i++) {
          pulled++;
          yield i;
        }
      } finally {
        closed++;
      }
    });
    expect(await source.prefetch(3).toArray()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    pulled = 0;
    const iterator = source.prefetch(3)[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(pulled).toBe(4); // the element given, and three more ahead
    await iterator.return?.();
    expect(closed).toBe(2);
    expect(await source.prefetch(2).take(3).toArray()).toEqual([0, 1, 2]);
    expect(closed).toBe(3);
  });

  it('fromGenerator calls a sync or async generator function anew for every pass', async () => {
    let calls = 0;
    const sync = fromGenerator(function* () {
      calls++;
      yield* [1, 2];
    });
    expect(await sync.toArray()).toEqual([1, 2]);
    expect(await sync.toArray()).toEqual([1, 2]);
    expect(calls).toBe(2);
    const byEpoch = fromGenerator(async function* ({ epoch }) {
      yield epoch;
    });
    expect(await byEpoch.toArray()).toEqual([0]);
    expect(await byEpoch.toArray()).toEqual([1]);
    expect(() => fromGenerator([1, 2] as never)).toThrow(ConfigError);
    await expect(fromGenerator((() => 5) as never).toArray()).rejects.toThrow(/must return an iterable/);
  });

  it('refuses bad arguments with typed errors', () => {
    const ds = fromArrays([1]);
    expect(ds).toBeInstanceOf(Dataset);
    expect(() => ds.shuffle(0)).toThrow(/Dataset.shuffle: bufferSize must be a positive integer/);
    expect(() => ds.shuffle(4, { seed: 1.5 })).toThrow(ValueError);
    expect(() => ds.shuffle(4, { sed: 1 } as never)).toThrow(/did you mean 'seed'/);
    expect(() => ds.batch(0)).toThrow(ValueError);
    expect(() => ds.batch(2, { dropRemainder: 1 } as never)).toThrow(ConfigError);
    expect(() => ds.take(-1)).toThrow(/Dataset.take: n must be an integer >= 0/);
    expect(() => ds.map(3 as never)).toThrow(ConfigError);
    expect(() => fromArrays('abc' as never)).toThrow(ValueError);
  });
});
