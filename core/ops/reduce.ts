import { apply } from '../dispatch.ts';
import { ShapeError, fmtShape } from '../errors.ts';
import { arange } from '../creation.ts';
import { normalizeAxes, normalizeAxis, sizeOf } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { add, div, sub } from './arithmetic.ts';
import { equal, less, where } from './compare.ts';
import { exp, log, neg, abs } from './elementwise.ts';
import { expectTensor } from './broadcast.ts';
import { stopGradient } from './gradient.ts';
import { reshape } from './movement.ts';

/** One axis, several, or undefined for all of them. */
export type Axes = number | readonly number[] | undefined;

function reduce(prim: 'sum' | 'max', x: Tensor, axis: Axes, keepDims: boolean): Tensor {
  expectTensor(x, prim);
  const axes = normalizeAxes(axis, x.rank, prim);
  const kept = axes.length === 0 ? x : apply(prim, [x], { axes });
  return keepDims ? kept : reshape(kept, x.shape.filter((_, i) => !axes.includes(i)));
}

export function sum(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  return reduce('sum', x, axis, keepDims);
}

/** The gradient is shared equally among tied maxima. */
export function max(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  return reduce('max', x, axis, keepDims);
}

/**
 * max's vjp as one primitive: g (shaped like `output` = max(x, axes, true)) shared equally among the elements of
 * x that reach their group's max, hit·g·(1/count). Internal: the tape calls it; x and output get no gradient.
 */
export function maxGrad(x: Tensor, output: Tensor, g: Tensor, axes: readonly number[]): Tensor {
  return apply('maxGrad', [x, output, g], { axes });
}

/** The axes of a reduction that has no value over zero elements (max, mean, softmax…); an empty one is an error. */
export function nonEmptyAxes(x: Tensor, axis: Axes, op: string): number[] {
  const axes = normalizeAxes(axis, expectTensor(x, op).rank, op);
  if (axes.some((a) => x.shape[a] === 0)) throw new ShapeError(`${op}: cannot reduce an empty axis of ${fmtShape(x.shape)}`);
  return axes;
}

export function min(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  nonEmptyAxes(x, axis, 'min');
  return neg(max(neg(x), axis, keepDims));
}

export function mean(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  // Over zero elements the mean would be 0 / 0 = NaN.
  const count = sizeOf(nonEmptyAxes(x, axis, 'mean').map((a) => x.shape[a]));
  return div(sum(x, axis, keepDims), count);
}

/**
 * log Σ exp(x) = m + log Σ exp(x - m) with m = stopGradient(max x), so exp never overflows.
 * An infinite max is replaced by 0 so that all -Infinity inputs give -Infinity, not NaN.
 */
export function logsumexp(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  nonEmptyAxes(x, axis, 'logsumexp');
  const top = stopGradient(max(x, axis, true));
  const shift = where(less(abs(top), Infinity), top, 0);
  const result = add(log(sum(exp(sub(x, shift)), axis, true)), shift);
  return keepDims ? result : reshape(result, max(x, axis, false).shape);
}

/**
 * The index of the first maximum along axis, as a tensor of x's dtype without that axis.
 * As (n - max over the axis of where(x == max, n - i, 0)); it has no gradient.
 */
export function argmax(x: Tensor, axis = -1): Tensor {
  expectTensor(x, 'argmax');
  const a = normalizeAxis(axis, x.rank, 'argmax');
  nonEmptyAxes(x, a, 'argmax');
  const n = x.shape[a];
  const positions = reshape(arange(n, undefined, 1, x.dtype), x.shape.map((d, i) => (i === a ? d : 1)));
  const score = where(equal(x, max(x, a, true)), sub(n, positions), 0);
  return stopGradient(sub(n, max(score, a)));
}
