// The blocked matmul kernel against a naive triple loop, over sizes around its 4×4 register tile and its
// 256-deep blocks of the inner dimension, every transpose combination, and both dtypes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TypedArray } from '../core/dtype.ts';
import { matmulKernel } from '../core/kernels/matmul.ts';
import type { Case } from './matmul-cases.ts';
import { label, productSums, runMatmul, uniform } from './matmul-cases.ts';

function expectClose(actual: TypedArray, expected: Float64Array, tol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) expect.fail(`${what}: element ${i} is ${actual[i]}, naive ${expected[i]}`);
  }
}

// Sides around the 4-wide tile (1, odd, 5 just past it); depths also around the 256-deep block.
const side = fc.integer({ min: 1, max: 13 });
const depth = fc.oneof(fc.integer({ min: 1, max: 13 }), fc.constantFrom(255, 256, 257, 300, 513));
const arbCase: fc.Arbitrary<Case> = fc.record({
  lead: fc.constantFrom([], [1], [2], [3]),
  m: side,
  k: depth,
  n: side,
  transposeA: fc.boolean(),
  transposeB: fc.boolean(),
  seed: fc.integer(),
});

describe('the matmul kernel', () => {
  // Inputs lie in [-1, 1], so k bounds every |partial sum| and scales the tolerance.
  it('matches a naive triple loop in float64 to 1e-12 and in float32 to 1e-5, scaled by k', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const batch = c.lead.reduce((x, y) => x * y, 1);
        for (const [dtype, rtol] of [['float64', 1e-12], ['float32', 1e-5]] as const) {
          const a = uniform(c.seed, batch * c.m * c.k, dtype);
          const b = uniform(c.seed ^ 0x5bd1e995, batch * c.k * c.n, dtype);
          const out = runMatmul(matmulKernel, c, a, b);
          expect(out).toBeInstanceOf(dtype === 'float64' ? Float64Array : Float32Array);
          expectClose(out, productSums(c, a, b), rtol * c.k, `${dtype} ${label(c)}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('propagates NaN and ±Infinity as the naive loop does, and none leaks from a partial tile', () => {
    const c: Case = { lead: [2], m: 5, k: 6, n: 7, transposeA: false, transposeB: true, seed: 7 };
    for (const [transposeA, transposeB] of [[false, false], [false, true], [true, false], [true, true]]) {
      const cs = { ...c, transposeA, transposeB };
      const a = uniform(1, 2 * 5 * 6, 'float64');
      const b = uniform(2, 2 * 6 * 7, 'float64');
      a[3] = Infinity;
      a[40] = -Infinity;
      b[5] = NaN;
      b[60] = Infinity;
      b[61] = 0;
      const out = runMatmul(matmulKernel, cs, a, b);
      const expected = productSums(cs, a, b);
      for (let i = 0; i < expected.length; i++) {
        if (Number.isFinite(expected[i])) expect(Math.abs(out[i] - expected[i])).toBeLessThanOrEqual(1e-12 * c.k);
        else expect(out[i], `element ${i}`).toBe(expected[i]);
      }
    }
  });

  it('gives zeros when the inner dimension is empty', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [transposeA, transposeB] of [[false, false], [true, true]]) {
        const c: Case = { lead: [2], m: 3, k: 0, n: 5, transposeA, transposeB, seed: 0 };
        const out = runMatmul(matmulKernel, c, uniform(0, 0, dtype), uniform(0, 0, dtype));
        expect(Array.from(out)).toEqual(new Array(2 * 3 * 5).fill(0));
      }
    }
  });

  it('gives an empty result when rows, columns or the batch are empty', () => {
    for (const [lead, m, n] of [[[2], 0, 4], [[2], 3, 0], [[0], 3, 4]] as const) {
      const c: Case = { lead: [...lead], m, k: 5, n, transposeA: false, transposeB: false, seed: 0 };
      const batch = lead[0];
      const out = runMatmul(matmulKernel, c, uniform(1, batch * m * 5, 'float32'), uniform(2, batch * 5 * n, 'float32'));
      expect(out).toBeInstanceOf(Float32Array);
      expect(out.length).toBe(0);
    }
  });
});
