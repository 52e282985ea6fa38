// The pieces data-parallel fit builds on the Communicator: gradient buckets, the exact all-gather of log values,
// and the bit-exact broadcast of tensors of either dtype.
import { describe, expect, it } from 'vitest';
import { localGroup, tensor } from 'semiflow';
import { Buckets } from '../distributed/buckets.ts';
import { allGatherFloat64, allReduceMean } from '../distributed/all-gather.ts';
import { broadcastTensors } from '../distributed/broadcast-tensors.ts';

describe('Buckets', () => {
  it('cut a flat vector into buckets with the count last, write and read across their borders, and sum over the ranks', async () => {
    const group = localGroup(2);
    const [a, b] = [new Buckets(10, 4), new Buckets(10, 4)];
    expect(a.buckets.map((x) => x.length)).toEqual([4, 4, 4, 2]);
    a.write(0, [1, 2, 3, 4, 5], 2);
    a.write(5, [6, 7, 8, 9, 10], 2);
    b.zero(0, 10);
    b.write(2, [100, 200, 300], 1);
    a.count = 3;
    b.count = 5;
    await Promise.all([a.allReduce(group[0]), b.allReduce(group[1])]);
    for (const k of [a, b]) {
      expect(k.buckets.map((x) => x[x.length - 1])).toEqual([8, 8, 8, 8]);
      const out = new Float64Array(10);
      k.read(0, out, k.count);
      expect(Array.from(out)).toEqual([2, 4, 106, 208, 310, 12, 14, 16, 18, 20].map((v) => Math.fround(v) / 8));
    }
  });
});

describe('allGatherFloat64 and allReduceMean', () => {
  it('give every rank every rank\'s float64 values bit for bit through one float32 sum', async () => {
    const group = localGroup(3);
    const values = [[Math.PI, -1e-300], [1 / 3, 1e300], [-0.1, Number.MIN_VALUE]].map((v) => Float64Array.from(v));
    const gathered = await Promise.all(group.map((c, r) => allGatherFloat64(c, values[r])));
    for (const all of gathered) expect(all.map((v) => Array.from(v))).toEqual(values.map((v) => Array.from(v)));
  });

  it('weigh each rank\'s logs by its samples; a rank without samples adds nothing', async () => {
    const group = localGroup(3);
    const logs = [{ loss: 0.5, acc: 1 }, { loss: 2, acc: 0 }, { loss: Number.NaN, acc: Number.NaN }];
    const samples = [1, 3, 0];
    const means = await Promise.all(group.map((c, r) => allReduceMean(c, logs[r], samples[r], ['loss', 'acc'])));
    for (const m of means) expect(m).toEqual({ loss: (0.5 + 6) / 4, acc: 0.25 });
  });
});

describe('broadcastTensors', () => {
  it('gives every rank the root\'s tensors bit for bit, float64 included', async () => {
    const group = localGroup(2);
    const mine = [[tensor([1 / 3, 2], [2]), tensor([[Math.PI]], [1, 1], 'float64')], [tensor([0, 0], [2]), tensor([[0]], [1, 1], 'float64')]];
    const got = await Promise.all(group.map((c, r) => broadcastTensors(c, mine[r], 0)));
    expect(got[0][0]).toBe(mine[0][0]);
    for (const ts of got) {
      expect(ts[1].dtype).toBe('float64');
      expect(ts.map((t) => Array.from(t.storage))).toEqual([[Math.fround(1 / 3), 2], [Math.PI]]);
      expect(ts.map((t) => t.shape)).toEqual([[2], [1, 1]]);
    }
  });
});
