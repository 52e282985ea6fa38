import { allocate, allocateOutput } from '../../buffer-pool.ts';
import type { TypedArray } from '../../dtype.ts';
import { sizeOf } from '../../shape.ts';
import type { Kernel } from '../kernel.ts';
import type { Run } from './layout.ts';
import { runStrides, runsOf, wordsOf } from './layout.ts';

/**
 * sum and max without the reference's per-element offset table. The input is read in its own row-major
 * order, as the reference reads it, and every output element takes its inputs in that same order from the
 * same start (0 for sum, -Infinity for max), rounding to the output dtype after each step: results are
 * bit-identical to the reference. Axes collapse into runs; the innermost run is the tight loop.
 */
export const fastSum: Kernel<'sum'> = ([x], [shape], _params, out) => {
  const y = allocate(out.dtype, sizeOf(out.shape));
  const runs = runsOf(shape, out.shape);
  const round = out.dtype === 'float32' ? Math.fround : same;
  if (runs.length === 2 && runs[0].spread) columnSums(x, y, runs[0].size, runs[1].size, round);
  else walkRows(runs, (i, o, n, inner) => (inner ? addRow(x, i, y, o, n) : sumRow(x, i, y, o, n, round)));
  return y;
};

export const fastMax: Kernel<'max'> = ([x], [shape], _params, out) => {
  const y = allocateOutput(out.dtype, sizeOf(out.shape)).fill(-Infinity);
  const runs = runsOf(shape, out.shape);
  const words = y instanceof Float64Array ? 2 : 1;
  const xw = wordsOf(x);
  const yw = wordsOf(y);
  walkRows(runs, (i, o, n, inner) => (inner ? maxRow(x, xw, i, y, yw, o, n, words) : maxOfRow(x, i, y, o, n)));
  return y;
};

const same = (v: number): number => v;

/**
 * Visits the input row by row, where a row is the innermost run: visit(inputStart, outputStart, length, kept)
 * with `kept` true when the row maps onto as many outputs, false when it all reduces into one.
 */
export function walkRows(runs: readonly Run[], visit: (i: number, o: number, n: number, kept: boolean) => void): void {
  if (runs.some((r) => r.size === 0)) return;
  if (runs.length === 0) {
    visit(0, 0, 1, true);
    return;
  }
  const last = runs.length - 1;
  const n = runs[last].size;
  const kept = !runs[last].spread;
  const { small } = runStrides(runs);
  const index = new Array<number>(last).fill(0);
  let o = 0;
  for (let i = 0; ; i += n) {
    visit(i, o, n, kept);
    let axis = last - 1;
    for (; axis >= 0; axis--) {
      o += small[axis];
      if (++index[axis] < runs[axis].size) break;
      o -= small[axis] * runs[axis].size;
      index[axis] = 0;
    }
    if (axis < 0) return;
  }
}

/** y[o + j] += x[i + j]: each output gains one more term, in the typed array's own precision. */
function addRow(x: TypedArray, i: number, y: TypedArray, o: number, n: number): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    y[o + j] += x[i + j];
    y[o + j + 1] += x[i + j + 1];
    y[o + j + 2] += x[i + j + 2];
    y[o + j + 3] += x[i + j + 3];
  }
  for (; j < n; j++) y[o + j] += x[i + j];
}

/** y[o] += x[i] + ... + x[i + n - 1] one term at a time, each partial sum rounded as the typed array would. */
function sumRow(x: TypedArray, i: number, y: TypedArray, o: number, n: number, round: (v: number) => number): void {
  let s = y[o];
  for (let j = i; j < i + n; j++) s = round(s + x[j]);
  y[o] = s;
}

/**
 * Sums the rows of a [rows, cols] matrix into y[cols], 8 columns at a time in local variables: one pass per
 * 8 columns instead of a load and store of y per element. Each column still adds its rows in order from 0.
 */
function columnSums(x: TypedArray, y: TypedArray, rows: number, cols: number, round: (v: number) => number): void {
  const end = rows * cols;
  let c = 0;
  for (; c + 8 <= cols; c += 8) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let i = c; i < end; i += cols) {
      s0 = round(s0 + x[i]);
      s1 = round(s1 + x[i + 1]);
      s2 = round(s2 + x[i + 2]);
      s3 = round(s3 + x[i + 3]);
      s4 = round(s4 + x[i + 4]);
      s5 = round(s5 + x[i + 5]);
      s6 = round(s6 + x[i + 6]);
      s7 = round(s7 + x[i + 7]);
    }
    y[c] = s0; y[c + 1] = s1; y[c + 2] = s2; y[c + 3] = s3;
    y[c + 4] = s4; y[c + 5] = s5; y[c + 6] = s6; y[c + 7] = s7;
  }
  for (; c < cols; c++) {
    let s = 0;
    for (let i = c; i < end; i += cols) s = round(s + x[i]);
    y[c] = s;
  }
}

/**
 * y[o + j] takes x[i + j] where `!(v <= m)` unless m is already NaN, the reference's rule (so a NaN anywhere in
 * the group wins, and of equal values such as 0 and -0 the first stays). The choice is a bit select on the 32-bit words (xw, yw view the same memory):
 * a branch here mispredicts on the random signs that pooling after a relu sees, which measured ~3x slower.
 */
export function maxRow(x: TypedArray, xw: Int32Array, i: number, y: TypedArray, yw: Int32Array, o: number, n: number, words: number): void {
  if (words === 2) {
    for (let j = 0; j < n; j++) {
      const m = -!(+(x[i + j] <= y[o + j]) | +(y[o + j] !== y[o + j]));
      const a = 2 * (i + j);
      const b = 2 * (o + j);
      yw[b] = (xw[a] & m) | (yw[b] & ~m);
      yw[b + 1] = (xw[a + 1] & m) | (yw[b + 1] & ~m);
    }
    return;
  }
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const a = i + j;
    const b = o + j;
    const m0 = -!(+(x[a] <= y[b]) | +(y[b] !== y[b]));
    const m1 = -!(+(x[a + 1] <= y[b + 1]) | +(y[b + 1] !== y[b + 1]));
    const m2 = -!(+(x[a + 2] <= y[b + 2]) | +(y[b + 2] !== y[b + 2]));
    const m3 = -!(+(x[a + 3] <= y[b + 3]) | +(y[b + 3] !== y[b + 3]));
    yw[b] = (xw[a] & m0) | (yw[b] & ~m0);
    yw[b + 1] = (xw[a + 1] & m1) | (yw[b + 1] & ~m1);
    yw[b + 2] = (xw[a + 2] & m2) | (yw[b + 2] & ~m2);
    yw[b + 3] = (xw[a + 3] & m3) | (yw[b + 3] & ~m3);
  }
  for (; j < n; j++) {
    const m = -!(+(x[i + j] <= y[o + j]) | +(y[o + j] !== y[o + j]));
    yw[o + j] = (xw[i + j] & m) | (yw[o + j] & ~m);
  }
}

function maxOfRow(x: TypedArray, i: number, y: TypedArray, o: number, n: number): void {
  let m = y[o];
  for (let j = i; j < i + n; j++) {
    const v = x[j];
    if (!(v <= m) && m === m) m = v;
  }
  y[o] = m;
}
