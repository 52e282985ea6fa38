import { fill } from '../creation.ts';
import { ConfigError, describeValue } from '../errors.ts';
import { normalizeAxes, sizeOf } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { mul, sub } from './arithmetic.ts';
import { expectTensor } from './broadcast.ts';
import { greater, where } from './compare.ts';
import { abs, sqrt, square } from './elementwise.ts';
import { pad, permute, reshape, slice } from './movement.ts';
import type { Axes } from './reduce.ts';
import { max, mean, nonEmptyAxes, sum } from './reduce.ts';

/**
 * The product over axes, as a pairwise tree of multiplications (no exp(Σ log)), so zeros and negative values
 * are exact and the gradient with zeros in the input is right: ∂/∂x_i is the product of the others.
 */
export function prod(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  expectTensor(x, 'prod');
  const axes = normalizeAxes(axis, x.rank, 'prod');
  const keptAxes = x.shape.flatMap((_, i) => (axes.includes(i) ? [] : [i]));
  const kept = keptAxes.map((i) => x.shape[i]);
  const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept;
  let n = sizeOf(axes.map((a) => x.shape[a]));
  if (n === 0) return fill(outShape, 1, x.dtype);
  // [...kept, n]: the reduced axes last, flattened; then halve n until one factor is left.
  let t = reshape(permute(x, [...keptAxes, ...axes]), [...kept, n]);
  const last = kept.length;
  while (n > 1) {
    if (n % 2 === 1) t = pad(t, [...kept.map(() => [0, 0] as const), [0, 1] as const], 1);
    n = Math.ceil(n / 2);
    const pairs = reshape(t, [...kept, n, 2]);
    const half = (k: number) => slice(pairs, pairs.shape.map((_, i) => (i === last + 1 ? k : 0)), [...kept, n, 1]);
    t = reshape(mul(half(0), half(1)), [...kept, n]);
  }
  return reshape(t, outShape);
}

/** The population variance over axes: mean((x - mean x)²). */
export function variance(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  nonEmptyAxes(x, axis, 'variance');
  return mean(square(sub(x, mean(x, axis, true))), axis, keepDims);
}

/** √variance. Where the values are all equal (std 0) the gradient is taken as 0, not the infinite slope of √. */
export function std(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  nonEmptyAxes(x, axis, 'std');
  return sqrtOrZero(variance(x, axis, keepDims));
}

/** 1, 2, Infinity, 'euclidean' or 'fro'. */
export type NormOrder = number | 'euclidean' | 'fro';

/**
 * A vector norm of the entries over axes (all by default), taken as one flat vector: 1 (Σ|x|), 2, 'euclidean'
 * and 'fro' (√Σx², the same number), Infinity (max |x|). Gradient at 0: 0 for the euclidean norm; for ord 1
 * and Infinity it follows abs, whose slope at 0 is taken as 1 (Infinity shares it equally among tied maxima).
 */
export function norm(x: Tensor, ord: NormOrder = 'euclidean', axis?: Axes, keepDims = false): Tensor {
  expectTensor(x, 'norm');
  normalizeAxes(axis, x.rank, 'norm');
  if (ord === 1) return sum(abs(x), axis, keepDims);
  if (ord === Infinity) {
    nonEmptyAxes(x, axis, 'norm');
    return max(abs(x), axis, keepDims);
  }
  if (ord === 2 || ord === 'euclidean' || ord === 'fro') return sqrtOrZero(sum(square(x), axis, keepDims));
  throw new ConfigError(`norm: ord must be one of 1, 2, Infinity, 'euclidean', 'fro', got ${describeValue(ord)}`);
}

/** √s for s >= 0 with the gradient at s = 0 taken as 0: the inner where keeps √'s infinite slope out of the tape. */
function sqrtOrZero(s: Tensor): Tensor {
  const positive = greater(s, 0);
  return where(positive, sqrt(where(positive, s, 1)), 0);
}
