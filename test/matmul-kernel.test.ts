// The blocked matmul kernel against a naive triple loop, over sizes around its 4×4 register tile and its
// 256-deep blocks of the inner dimension, every transpose combination, and both dtypes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DType, TypedArray } from '../core/dtype.ts';
import { matmulKernel } from '../core/kernels/matmul.ts';

interface Case {
  lead: number[];
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
  seed: number;
}

/** A small seeded generator (mulberry32): inputs of thousands of values are cheaper to make than to shrink. */
function uniform(seed: number, size: number, dtype: DType): TypedArray {
  const out = dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

function run(c: Case, a: TypedArray, b: TypedArray, dtype: DType): TypedArray {
  const aShape = [...c.lead, ...(c.transposeA ? [c.k, c.m] : [c.m, c.k])];
  const bShape = [...c.lead, ...(c.transposeB ? [c.n, c.k] : [c.k, c.n])];
  const params = { transposeA: c.transposeA, transposeB: c.transposeB };
  return matmulKernel([a, b], [aShape, bShape], params, { shape: [...c.lead, c.m, c.n], dtype });
}

/** C[t,i,j] = Σ_p op(A)[t,i,p]·op(B)[t,p,j], summed in float64 in the order of p. */
function naive({ lead, m, k, n, transposeA, transposeB }: Case, a: TypedArray, b: TypedArray): Float64Array {
  const batch = lead.reduce((x, y) => x * y, 1);
  const c = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          s += a[t * m * k + (transposeA ? p * m + i : i * k + p)] * b[t * k * n + (transposeB ? j * k + p : p * n + j)];
        }
        c[t * m * n + i * n + j] = s;
      }
    }
  }
  return c;
}

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

const label = (c: Case) => `${JSON.stringify(c.lead)} ${c.m}×${c.k}×${c.n} tA=${c.transposeA} tB=${c.transposeB}`;

describe('the matmul kernel', () => {
  // Inputs lie in [-1, 1], so k bounds every |partial sum| and scales the tolerance.
  it('matches a naive triple loop in float64 to 1e-12 and in float32 to 1e-5, scaled by k', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const batch = c.lead.reduce((x, y) => x * y, 1);
        for (const [dtype, rtol] of [['float64', 1e-12], ['float32', 1e-5]] as const) {
          const a = uniform(c.seed, batch * c.m * c.k, dtype);
          const b = uniform(c.seed ^ 0x5bd1e995, batch * c.k * c.n, dtype);
          const out = run(c, a, b, dtype);
          expect(out).toBeInstanceOf(dtype === 'float64' ? Float64Array : Float32Array);
          expectClose(out, naive(c, a, b), rtol * c.k, `${dtype} ${label(c)}`);
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
      const out = run(cs, a, b, 'float64');
      const expected = naive(cs, a, b);
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
        const out = run(c, uniform(0, 0, dtype), uniform(0, 0, dtype), dtype);
        expect(Array.from(out)).toEqual(new Array(2 * 3 * 5).fill(0));
      }
    }
  });

  it('gives an empty result when rows, columns or the batch are empty', () => {
    for (const [lead, m, n] of [[[2], 0, 4], [[2], 3, 0], [[0], 3, 4]] as const) {
      const c: Case = { lead: [...lead], m, k: 5, n, transposeA: false, transposeB: false, seed: 0 };
      const batch = lead[0];
      const out = run(c, uniform(1, batch * m * 5, 'float32'), uniform(2, batch * 5 * n, 'float32'), 'float32');
      expect(out).toBeInstanceOf(Float32Array);
      expect(out.length).toBe(0);
    }
  });
});
