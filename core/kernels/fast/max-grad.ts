import { allocate, allocateOutput } from '../../buffer-pool.ts';
import type { TypedArray } from '../../dtype.ts';
import type { Kernel } from '../kernel.ts';
import { maxGradKernel } from '../max-grad.ts';
import { runsOf } from './layout.ts';
import { walkRows } from './reduce.ts';

/** Groups up to this size count their hits exactly in float32 in any order; larger ones go to the reference. */
const EXACT_COUNT = 2 ** 24;

/**
 * maxGrad without the reference's per-element offset table: one pass counts each group's hits, one writes
 * (hit·g)·(1/count), walking the runs as fastMax does, the kept rows unrolled by 4. The arithmetic is the
 * reference's element for element, and counts up to 2^24 are exact whatever the order of adding them, so the
 * bits are the same.
 */
export const fastMaxGrad: Kernel<'maxGrad'> = (inputs, shapes, params, out) => {
  const [x, y, g] = inputs;
  if (x.length > EXACT_COUNT * y.length) return maxGradKernel(inputs, shapes, params, out);
  const runs = runsOf(shapes[0], shapes[1]);
  const scale = allocate(out.dtype, y.length);
  walkRows(runs, (i, o, n, kept) => (kept ? countRow(x, i, y, o, n, scale) : countGroup(x, i, n, y[o], scale, o)));
  for (let o = 0; o < scale.length; o++) scale[o] = 1 / scale[o];
  const dx = allocateOutput(out.dtype, x.length);
  walkRows(runs, (i, o, n, kept) => (kept ? shareRow(x, i, n, y, g, scale, o, dx) : shareGroup(x, i, n, y[o], g[o], scale[o], dx)));
  return dx;
};

/** x[i + j] belongs to group o + j. */
function countRow(x: TypedArray, i: number, y: TypedArray, o: number, n: number, count: TypedArray): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    count[o + j] += +(x[i + j] === y[o + j]);
    count[o + j + 1] += +(x[i + j + 1] === y[o + j + 1]);
    count[o + j + 2] += +(x[i + j + 2] === y[o + j + 2]);
    count[o + j + 3] += +(x[i + j + 3] === y[o + j + 3]);
  }
  for (; j < n; j++) count[o + j] += +(x[i + j] === y[o + j]);
}

/** x[i .. i + n) all belong to group o, of max m. */
function countGroup(x: TypedArray, i: number, n: number, m: number, count: TypedArray, o: number): void {
  let hits = 0;
  for (let j = i; j < i + n; j++) hits += +(x[j] === m);
  count[o] += hits;
}

function shareRow(x: TypedArray, i: number, n: number, y: TypedArray, g: TypedArray, scale: TypedArray, o: number, dx: TypedArray): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    dx[i + j] = +(x[i + j] === y[o + j]) * g[o + j] * scale[o + j];
    dx[i + j + 1] = +(x[i + j + 1] === y[o + j + 1]) * g[o + j + 1] * scale[o + j + 1];
    dx[i + j + 2] = +(x[i + j + 2] === y[o + j + 2]) * g[o + j + 2] * scale[o + j + 2];
    dx[i + j + 3] = +(x[i + j + 3] === y[o + j + 3]) * g[o + j + 3] * scale[o + j + 3];
  }
  for (; j < n; j++) dx[i + j] = +(x[i + j] === y[o + j]) * g[o + j] * scale[o + j];
}

function shareGroup(x: TypedArray, i: number, n: number, m: number, share: number, r: number, dx: TypedArray): void {
  for (let j = i; j < i + n; j++) dx[j] = +(x[j] === m) * share * r;
}
