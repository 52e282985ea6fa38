import { apply } from '../dispatch.ts';
import { onesLike } from '../creation.ts';
import { ValueError } from '../errors.ts';
import { show } from '../options.ts';
import type { UnaryPrim } from '../primitives.ts';
import { Tensor } from '../tensor.ts';
import { maximum, minimum, mul, sub } from './arithmetic.ts';
import { broadcastAll, expectTensor } from './broadcast.ts';
import { equal, less, where } from './compare.ts';
import { stopGradient } from './gradient.ts';

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
/** The error function (2/√π)∫₀ˣ e^(−t²) dt, within 1e-15 relative in float64. */
export const erf = unary('erf');
export const erfc = unary('erfc');
export const sin = unary('sin');
export const cos = unary('cos');
/** The largest integer <= x; its gradient is 0. */
export const floor = unary('floor');
/** The nearest integer, halves to the even one (round(2.5) = 2, round(-0.5) = -0), as TF and PyTorch; its gradient is 0. */
export const round = unary('round');

/** -1, 0 or 1 by the sign of x (NaN stays NaN); its gradient is 0. */
export function sign(x: Tensor): Tensor {
  expectTensor(x, 'sign');
  return where(equal(x, x), sub(less(0, x), less(x, 0)), stopGradient(x));
}

export function square(x: Tensor): Tensor {
  return mul(expectTensor(x, 'square'), x);
}

/** |x|; the gradient at 0 is 0 (as in PyTorch, TF and JAX), so a mean absolute error is flat where it is 0. */
export function abs(x: Tensor): Tensor {
  return where(less(expectTensor(x, 'abs'), 0), neg(x), where(less(0, x), x, stopGradient(x)));
}

/**
 * x^p. A number p: integer p works for every x (by repeated squaring), other p need x > 0.
 * A tensor p (broadcast against x): exp(p·log x), so x must be > 0 (elsewhere the value and both gradients are NaN);
 * the gradient is p·x^(p−1) for x and x^p·log x for p.
 */
export function pow(x: Tensor, p: number | Tensor): Tensor {
  expectTensor(x, 'pow');
  if (p instanceof Tensor) {
    const [base, exponent] = broadcastAll('pow', x, p);
    return exp(mul(exponent, log(base)));
  }
  if (typeof p !== 'number' || !Number.isFinite(p)) throw new ValueError(`pow: the exponent must be a finite number or a Tensor, got ${show(p)}`);
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
