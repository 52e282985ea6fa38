import { apply } from '../dispatch.ts';
import { onesLike } from '../creation.ts';
import { ValueError } from '../errors.ts';
import { show } from '../options.ts';
import type { UnaryPrim } from '../primitives.ts';
import type { Tensor } from '../tensor.ts';
import { maximum, minimum, mul } from './arithmetic.ts';
import { expectTensor } from './broadcast.ts';
import { less, where } from './compare.ts';

const unary = (prim: UnaryPrim) => (x: Tensor): Tensor => apply(prim, [x], {});

export const neg = unary('neg');
export const exp = unary('exp');
/** Domain: x > 0 (log 0 is -Infinity, and negative x gives NaN). */
export const log = unary('log');
/** Domain: x >= 0; the gradient needs x > 0. */
export const sqrt = unary('sqrt');
export const reciprocal = unary('reciprocal');
/** exp(x) - 1, accurate near 0. */
export const expm1 = unary('expm1');
/** log(1 + x), accurate near 0. Domain: x > -1. */
export const log1p = unary('log1p');

export function square(x: Tensor): Tensor {
  return mul(expectTensor(x, 'square'), x);
}

/** |x|; the gradient at 0 is taken as 1. */
export function abs(x: Tensor): Tensor {
  return where(less(expectTensor(x, 'abs'), 0), neg(x), x);
}

/**
 * x^p for a constant p. Integer p works for every x (by repeated squaring); other p need x > 0.
 */
export function pow(x: Tensor, p: number): Tensor {
  expectTensor(x, 'pow');
  if (!Number.isFinite(p)) throw new ValueError(`pow: the exponent must be a finite number, got ${show(p)}`);
  if (p === 0) return onesLike(x);
  if (p < 0 && Number.isInteger(p)) return reciprocal(pow(x, -p));
  if (p === 0.5) return sqrt(x);
  if (!Number.isInteger(p)) return exp(mul(log(x), p));
  let result: Tensor | null = null;
  let base = x;
  for (let e = p; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = result === null ? base : mul(result, base);
    if (e > 1) base = mul(base, base);
  }
  return result as Tensor;
}

/** Limits x to [min, max]; the gradient is 1 inside and 0 outside. */
export function clip(x: Tensor, min: number, max: number): Tensor {
  expectTensor(x, 'clip');
  if (typeof min !== 'number' || typeof max !== 'number' || Number.isNaN(min) || Number.isNaN(max) || min > max) {
    throw new ValueError(`clip: expected numbers min <= max, got min ${show(min)}, max ${show(max)}`);
  }
  return minimum(maximum(x, min), max);
}
