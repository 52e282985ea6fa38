// What the matmul kernel tests share: a batched product case, seeded operands, the kernel call and naive sums.
import type { TypedArray } from '../core/dtype.ts';
import type { Kernel } from '../core/kernels/kernel.ts';

export interface Case {
  lead: number[];
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
  seed: number;
}

/** A small seeded generator (mulberry32) of values in [-1, 1): inputs of thousands of values are cheaper to make than to shrink. */
export function uniform(seed: number, size: number, dtype: 'float32' | 'float64' = 'float32'): TypedArray {
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

export const batchOf = (c: Case): number => c.lead.reduce((x, y) => x * y, 1);
export const label = (c: Case): string => `${JSON.stringify(c.lead)} ${c.m}×${c.k}×${c.n} tA=${c.transposeA} tB=${c.transposeB}`;

/** The operands of a case, A before B, each stored as its transpose flag says. */
export function operands(c: Case, dtype: 'float32' | 'float64' = 'float32'): [TypedArray, TypedArray] {
  const batch = batchOf(c);
  return [uniform(c.seed, batch * c.m * c.k, dtype), uniform(c.seed ^ 0x5bd1e995, batch * c.k * c.n, dtype)];
}

export function runMatmul(kernel: Kernel<'matmul'>, c: Case, a: TypedArray, b: TypedArray): TypedArray {
  const aShape = [...c.lead, ...(c.transposeA ? [c.k, c.m] : [c.m, c.k])];
  const bShape = [...c.lead, ...(c.transposeB ? [c.n, c.k] : [c.k, c.n])];
  const dtype = a instanceof Float64Array ? 'float64' : 'float32';
  return kernel([a, b], [aShape, bShape], { transposeA: c.transposeA, transposeB: c.transposeB }, { shape: [...c.lead, c.m, c.n], dtype });
}

/** Σ_p term(op(A)[t,i,p]·op(B)[t,p,j]) for every output element, summed in float64 in the order of p. */
export function productSums(
  { lead, m, k, n, transposeA, transposeB }: Case, a: TypedArray, b: TypedArray, term: (x: number) => number = (x) => x,
): Float64Array {
  const batch = lead.reduce((x, y) => x * y, 1);
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          s += term(a[t * m * k + (transposeA ? p * m + i : i * k + p)] * b[t * k * n + (transposeB ? j * k + p : p * n + j)]);
        }
        out[t * m * n + i * n + j] = s;
      }
    }
  }
  return out;
}
