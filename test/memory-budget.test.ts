// A request for more bytes than the memory budget is refused before any memory is touched.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_MEMORY_BUDGET, MemoryBudgetError, ValueError, expand, fill, matmul, memoryBudget, ones, randomNormal, setMemoryBudget, zeros,
} from 'semiflow';
import { thrown } from './thrown.ts';

afterEach(() => setMemoryBudget(null));

describe('memory budget', () => {
  it('zeros([65536, 65536], float64) is refused at once with the shape and the bytes, not a RangeError', () => {
    const before = process.memoryUsage().arrayBuffers;
    const error = thrown(() => zeros([65536, 65536], 'float64'));
    expect(error).toBeInstanceOf(MemoryBudgetError);
    expect(error.message).toBe('zeros: a float64 tensor of shape [65536,65536] needs 32.0 GiB (34359738368 bytes), more than the memory budget of 4.0 GiB; raise it with setMemoryBudget(bytes) if this is meant');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  it('every creation op and every op output is checked against the budget, by bytes of its dtype', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 64 }), fc.constantFrom('float32' as const, 'float64' as const), (rows, dtype) => {
      const bytes = rows * 16 * (dtype === 'float64' ? 8 : 4);
      setMemoryBudget(bytes);
      expect(zeros([rows, 16], dtype).size).toBe(rows * 16);  // exactly the budget fits
      setMemoryBudget(bytes - 1);
      for (const make of [() => zeros([rows, 16], dtype), () => ones([rows, 16], dtype), () => fill([rows, 16], 2, dtype), () => randomNormal([rows, 16], { dtype })]) {
        const error = thrown(make);
        expect(error).toBeInstanceOf(MemoryBudgetError);
        expect(error.message).toContain(`shape [${rows},16] needs`);
      }
      setMemoryBudget(null);
    }), { numRuns: 30 });
  });

  it('an op whose output would break the budget is refused, naming the primitive', () => {
    const x = zeros([1, 1]);
    const a = zeros([4096, 1]);
    const b = zeros([1, 4096]);
    setMemoryBudget(1 << 20);
    expect(thrown(() => expand(x, [1024, 1024])).message).toMatch(/^expand: a float32 tensor of shape \[1024,1024\] needs 4\.0 MiB/);
    expect(thrown(() => matmul(a, b))).toBeInstanceOf(MemoryBudgetError);
    expect(matmul(b, a).shape).toEqual([1, 1]);
  });

  it('the default is 4 GiB; bad budgets are refused', () => {
    expect(memoryBudget()).toBe(DEFAULT_MEMORY_BUDGET);
    expect(DEFAULT_MEMORY_BUDGET).toBe(4 * 2 ** 30);
    for (const bad of [0, -1, 1.5, NaN, Infinity, '1000']) {
      const error = thrown(() => setMemoryBudget(bad as number));
      expect(error).toBeInstanceOf(ValueError);
      expect(error.message).toMatch(/^setMemoryBudget: bytes must be a positive integer or null/);
    }
  });
});
