import { allocateOutput } from '../../buffer-pool.ts';
import type { TypedArray } from '../../dtype.ts';
import type { BinaryPrim, UnaryPrim } from '../../primitives.ts';
import { UNARY_PRIMS } from '../../primitives.ts';
import { unaryKernel } from '../elementwise.ts';
import type { UnaryLoop } from '../elementwise.ts';
import type { Kernel } from '../kernel.ts';
import { wordsOf } from './layout.ts';

/**
 * One loop per binary primitive, so each call site in V8 sees one operation instead of the reference kernels'
 * shared `fn(a[i], b[i])` closure call. The cheap ones are unrolled by 4, which measured ~1.6x faster
 * on float32 (fewer loop-bound checks per element). The arithmetic is the reference's, element for element.
 * The unary loops are the reference's own (core/kernels/elementwise.ts).
 */
type Loop2 = (a: TypedArray, b: TypedArray, y: TypedArray) => void;

const addLoop: Loop2 = (a, b, y) => {
  const n = y.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    y[i] = a[i] + b[i];
    y[i + 1] = a[i + 1] + b[i + 1];
    y[i + 2] = a[i + 2] + b[i + 2];
    y[i + 3] = a[i + 3] + b[i + 3];
  }
  for (; i < n; i++) y[i] = a[i] + b[i];
};

const mulLoop: Loop2 = (a, b, y) => {
  const n = y.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    y[i] = a[i] * b[i];
    y[i + 1] = a[i + 1] * b[i + 1];
    y[i + 2] = a[i + 2] * b[i + 2];
    y[i + 3] = a[i + 3] * b[i + 3];
  }
  for (; i < n; i++) y[i] = a[i] * b[i];
};

// +(p) turns a comparison into 1 or 0 without a branch, which mispredicts on random signs.
const lessLoop: Loop2 = (a, b, y) => {
  const n = y.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    y[i] = +(a[i] < b[i]);
    y[i + 1] = +(a[i + 1] < b[i + 1]);
    y[i + 2] = +(a[i + 2] < b[i + 2]);
    y[i + 3] = +(a[i + 3] < b[i + 3]);
  }
  for (; i < n; i++) y[i] = +(a[i] < b[i]);
};

const equalLoop: Loop2 = (a, b, y) => {
  const n = y.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    y[i] = +(a[i] === b[i]);
    y[i + 1] = +(a[i + 1] === b[i + 1]);
    y[i + 2] = +(a[i + 2] === b[i + 2]);
    y[i + 3] = +(a[i + 3] === b[i + 3]);
  }
  for (; i < n; i++) y[i] = +(a[i] === b[i]);
};

/** Unrolled like add: neg is as cheap, so the loop-bound checks are most of its cost. */
const negLoop: UnaryLoop = (x, y) => {
  const n = y.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    y[i] = -x[i];
    y[i + 1] = -x[i + 1];
    y[i + 2] = -x[i + 2];
    y[i + 3] = -x[i + 3];
  }
  for (; i < n; i++) y[i] = -x[i];
};

/** The reference's unary loops (see unaryLoops), writing into arrays that are not cleared first; neg unrolled. */
const fastUnary = {
  ...(Object.fromEntries(UNARY_PRIMS.map((p) => [p, unaryKernel(p, allocateOutput)])) as { [P in UnaryPrim]: Kernel<P> }),
  neg: unaryKernel('neg', allocateOutput, negLoop),
};

function binary<P extends BinaryPrim>(loop: Loop2): Kernel<P> {
  return ([a, b], _shapes, _params, out) => {
    const y = allocateOutput(out.dtype, a.length);
    loop(a, b, y);
    return y;
  };
}

/**
 * where as a bit select: y = (a & m) | (b & ~m) on the 32-bit words, with m all ones where cond is non-zero.
 * No branch, so no misprediction on the random signs of a relu (a branchy select measured ~4x slower),
 * and every bit of the chosen value is copied, as the reference's assignment copies it.
 */
export const fastWhere: Kernel<'where'> = ([cond, a, b], _shapes, _params, out) => {
  const y = allocateOutput(out.dtype, a.length);
  const words = y instanceof Float64Array ? 2 : 1;
  selectWords(cond, words, wordsOf(a), wordsOf(b), wordsOf(y));
  return y;
};

/** -1 where the float32 with these bits is non-zero (NaN included, -0 not), else 0: x | -x is negative iff x != 0. */
function nonZero32(bits: number): number {
  const x = bits << 1;
  return (x | -x) >> 31;
}

function selectWords(cond: TypedArray, words: number, a: Int32Array, b: Int32Array, y: Int32Array): void {
  const n = cond.length;
  if (words === 2) {
    for (let i = 0; i < n; i++) {
      const m = -(cond[i] !== 0);
      for (let w = words * i; w < words * (i + 1); w++) y[w] = (a[w] & m) | (b[w] & ~m);
    }
    return;
  }
  const c = wordsOf(cond);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const m0 = nonZero32(c[i]);
    const m1 = nonZero32(c[i + 1]);
    const m2 = nonZero32(c[i + 2]);
    const m3 = nonZero32(c[i + 3]);
    y[i] = (a[i] & m0) | (b[i] & ~m0);
    y[i + 1] = (a[i + 1] & m1) | (b[i + 1] & ~m1);
    y[i + 2] = (a[i + 2] & m2) | (b[i + 2] & ~m2);
    y[i + 3] = (a[i + 3] & m3) | (b[i + 3] & ~m3);
  }
  for (; i < n; i++) {
    const m = nonZero32(c[i]);
    y[i] = (a[i] & m) | (b[i] & ~m);
  }
}

export const fastElementwise = {
  ...fastUnary,
  add: binary<'add'>(addLoop),
  mul: binary<'mul'>(mulLoop),
  less: binary<'less'>(lessLoop),
  equal: binary<'equal'>(equalLoop),
  where: fastWhere,
};
