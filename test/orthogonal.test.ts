// The orthogonal initializer (issue 16), Keras's default recurrent kernel.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, ValueError, initializers } from 'semiflow';
import type { Tensor } from 'semiflow';
import { getInitializer } from '../layers/initializers.ts';
import { initializerFromJson, initializerToJson } from '../models/serialization/initializers.ts';

/** A·Aᵀ for the [rows, cols] view of t (rows: all axes but the last), or Aᵀ·A with `columns`. */
function gram(t: Tensor, columns: boolean): number[][] {
  const cols = t.shape[t.shape.length - 1];
  const rows = t.size / cols;
  const a = (r: number, c: number) => t.storage[r * cols + c];
  const n = columns ? cols : rows;
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let k = 0; k < (columns ? rows : cols); k++) s += columns ? a(k, i) * a(k, j) : a(i, k) * a(j, k);
    return s;
  }));
}

describe('orthogonal', () => {
  it('gives orthonormal rows (wide) or columns (tall) times gain, for any shape of rank 2 or more', () => {
    const shapeArb = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 3 });
    fc.assert(fc.property(shapeArb, fc.integer({ min: 0, max: 1000 }), fc.constantFrom(1, 0.5, 2), (shape, seed, gain) => {
      const w = initializers.orthogonal({ gain }).create(shape, 'float64', new Rng(seed));
      expect(w.shape).toEqual(shape);
      const cols = shape[shape.length - 1];
      const g = gram(w, w.size / cols >= cols);
      g.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - (i === j ? gain * gain : 0))).toBeLessThan(1e-12)));
    }), { numRuns: 40 });
  });

  it('is seeded like the other initializers, and named orthogonal / Orthogonal', () => {
    const a = initializers.orthogonal({ seed: 3 }).create([4, 4], 'float64', new Rng(1));
    expect(Array.from(initializers.orthogonal({ seed: 3 }).create([4, 4], 'float64', new Rng(2)).storage)).toEqual(Array.from(a.storage));
    expect(Array.from(initializers.orthogonal().create([4, 4], 'float64', new Rng(1)).storage)).not.toEqual(Array.from(a.storage));
    expect(getInitializer('orthogonal', 'test').name).toBe('orthogonal');
    const json = initializerToJson(initializers.orthogonal({ gain: 2 }));
    expect(json).toEqual({ class_name: 'Orthogonal', config: { gain: 2, seed: null } });
    expect(initializerFromJson(json, 'test')?.config).toEqual({ gain: 2, seed: null });
  });

  it('refuses a shape of rank below 2', () => {
    expect(() => initializers.orthogonal().create([3], 'float64', new Rng(1))).toThrow(new ValueError('orthogonal: needs a shape of rank 2 or more, got [3]'));
  });
});
