import { describe, expect, it } from 'vitest';
import { ValueError } from 'semiflow';
import { addingProblem } from '../examples/adding-problem.ts';

describe('addingProblem (examples/sequence-adding.ts)', () => {
  it('marks one step in each half and targets the sum of the two marked values', () => {
    const steps = 7;
    const { x, y } = addingProblem(50, steps, 3);
    expect(x.shape).toEqual([50, steps, 2]);
    expect(y.shape).toEqual([50, 1]);
    const half = Math.floor(steps / 2);
    for (let n = 0; n < 50; n++) {
      const at = (t: number, k: number): number => x.storage[(n * steps + t) * 2 + k];
      const marked = Array.from({ length: steps }, (_, t) => t).filter((t) => at(t, 1) !== 0);
      expect(marked.length).toBe(2);
      expect(marked[0]).toBeLessThan(half);
      expect(marked[1]).toBeGreaterThanOrEqual(half);
      for (let t = 0; t < steps; t++) {
        expect(at(t, 0)).toBeGreaterThanOrEqual(0);
        expect(at(t, 0)).toBeLessThan(1);
      }
      expect(y.storage[n]).toBe(Math.fround(at(marked[0], 0) + at(marked[1], 0)));
    }
  });

  it('gives the same data for the same seed and other data for another', () => {
    const a = addingProblem(20, 10, 1);
    expect(Array.from(addingProblem(20, 10, 1).x.storage)).toEqual(Array.from(a.x.storage));
    expect(Array.from(addingProblem(20, 10, 2).x.storage)).not.toEqual(Array.from(a.x.storage));
  });

  it('has the variance of a sum of two uniforms, so predicting 1 scores about 1/6', () => {
    const { y } = addingProblem(20000, 20, 5);
    const mse = Array.from(y.storage).reduce((s, v) => s + (v - 1) ** 2, 0) / y.storage.length;
    expect(mse).toBeGreaterThan(0.16);
    expect(mse).toBeLessThan(0.174);
  });

  it('refuses too few steps or a count that is not a positive integer', () => {
    expect(() => addingProblem(10, 1, 0)).toThrow(ValueError);
    expect(() => addingProblem(0, 10, 0)).toThrow(ValueError);
  });
});
