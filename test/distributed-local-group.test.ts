import { describe, expect, it } from 'vitest';
import { DistributedError, ValueError, localGroup } from 'semiflow';

describe('localGroup', () => {
  it('sums in rank order on every rank', async () => {
    const group = localGroup(3);
    // float32: (1e8 + 1) + (-1e8) = 0 in rank order, where 1 + (1e8 - 1e8) would be 1.
    const data = [new Float32Array([1e8, 1]), new Float32Array([1, 2]), new Float32Array([-1e8, 3])];
    await Promise.all(group.map((c, r) => c.allReduceSum(data[r])));
    const expected = Math.fround(Math.fround(1e8 + 1) - 1e8);
    for (const d of data) expect(Array.from(d)).toEqual([expected, 6]);
  });

  it('broadcasts the root rank\'s array and leaves the root\'s as it was', async () => {
    const group = localGroup(3);
    const data = [new Float32Array([1, 2]), new Float32Array([3, 4]), new Float32Array([5, 6])];
    await Promise.all(group.map((c, r) => c.broadcast(data[r], 1)));
    for (const d of data) expect(Array.from(d)).toEqual([3, 4]);
  });

  it('a barrier resolves only once every rank has called it', async () => {
    const [a, b] = localGroup(2);
    let passed = false;
    const waiting = a.barrier().then(() => { passed = true; });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(passed).toBe(false);
    await b.barrier();
    await waiting;
    expect(passed).toBe(true);
  });

  it('arrays of different lengths reject on every rank, naming both lengths', async () => {
    const [a, b] = localGroup(2);
    const results = await Promise.allSettled([a.allReduceSum(new Float32Array(3)), b.allReduceSum(new Float32Array(5))]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const error = (r as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(DistributedError);
      expect(error.message).toMatch(/allReduceSum #0/);
      expect(error.message).toMatch(/5 values and rank 0 3/);
    }
  });

  it('a rank that never arrives makes the others reject after the timeout, naming it and the operation', async () => {
    const [a, b, c] = localGroup(3, { timeoutMs: 50 });
    await Promise.all([a.barrier(), b.barrier(), c.barrier()]);
    const results = await Promise.allSettled([a.allReduceSum(new Float32Array(2)), b.allReduceSum(new Float32Array(2))]);
    for (const r of results) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(DistributedError);
      expect((r as PromiseRejectedResult).reason.message).toMatch(/rank 2 did not arrive at allReduceSum #1 within 50 ms/);
    }
    // The group is broken: later operations reject at once.
    await expect(c.barrier()).rejects.toThrow(/failed earlier/);
  });

  it('a rank that closes makes the waiting and later operations of the others reject', async () => {
    const [a, b] = localGroup(2, { timeoutMs: 10_000 });
    const waiting = a.broadcast(new Float32Array(1), 0);
    await b.close();
    await expect(waiting).rejects.toThrow(/rank 1 left the group \(close\) before broadcast #0/);
    await expect(b.barrier()).rejects.toThrow(DistributedError);
  });

  it('different operations at one sequence number are refused', async () => {
    const [a, b] = localGroup(2);
    const results = await Promise.allSettled([a.barrier(), b.broadcast(new Float32Array(1), 0)]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect((results[1] as PromiseRejectedResult).reason.message).toMatch(/rank 1 called broadcast from root 0 as operation #0, where another rank called barrier/);
  });

  it('checks its arguments', () => {
    expect(() => localGroup(0)).toThrow(ValueError);
    expect(() => localGroup(2, { timeout: 5 } as never)).toThrow(/timeout/);
    const [a] = localGroup(2);
    expect(() => a.broadcast(new Float32Array(1), 2)).toThrow(/root must be a rank 0 … 1/);
    expect(() => a.allReduceSum([1, 2] as never)).toThrow(/Float32Array/);
  });
});
