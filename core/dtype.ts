/** float32 trains; float64 exists so gradient checks can use tight tolerances. */
export type DType = 'float32' | 'float64';

export type TypedArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64'];

/**
 * The first position holding NaN or ±Infinity, or -1. Branch-free first pass: v·0 is 0 for finite v and NaN
 * otherwise, and four running sums go about twice as fast as one; only a hit pays for the search.
 */
export function firstNonFinite(values: TypedArray): number {
  const n = values.length - (values.length % 4);
  let a = 0, b = 0, c = 0, d = 0;
  for (let i = 0; i < n; i += 4) {
    a += values[i] * 0;
    b += values[i + 1] * 0;
    c += values[i + 2] * 0;
    d += values[i + 3] * 0;
  }
  for (let i = n; i < values.length; i++) a += values[i] * 0;
  return a + b + c + d === 0 ? -1 : values.findIndex((v) => !Number.isFinite(v));
}

/** float64 wins when two dtypes meet, as in NumPy. */
export function promote(a: DType, b: DType): DType {
  return a === 'float64' || b === 'float64' ? 'float64' : 'float32';
}
