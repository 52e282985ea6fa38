import { apply } from '../dispatch.ts';
import type { Tensor } from '../tensor.ts';
import { add, div, mul, sub } from './arithmetic.ts';
import { expectTensor } from './broadcast.ts';
import { less, where } from './compare.ts';
import { abs, exp, expm1, log, log1p, neg, reciprocal } from './elementwise.ts';
import { stopGradient } from './gradient.ts';
import { max, nonEmptyAxes, sum } from './reduce.ts';

/** max(x, 0), one primitive: x where 0 < x, else +0 (so -0 and NaN give +0); the gradient at 0 is 0. */
export function relu(x: Tensor): Tensor {
  return apply('relu', [expectTensor(x, 'relu')], {});
}

/**
 * relu's vjp as one primitive: g where 0 < x, else +0 (x and g of one shape and dtype). Internal: the tape calls it;
 * x gets no gradient, and g's is reluGrad(x, ·) again.
 */
export function reluGrad(x: Tensor, g: Tensor): Tensor {
  return apply('reluGrad', [x, g], {});
}

/** −|x| as the branch that the caller's where(less(x, 0), …) picks: its gradient at 0 is −1, which the formulas need. */
function negAbs(x: Tensor): Tensor {
  return where(less(x, 0), x, neg(x));
}

/**
 * 1 / (1 + e^-x), computed from e = exp(-|x|) <= 1 so that no branch overflows:
 * 1/(1+e) for x >= 0 and e/(1+e) for x < 0.
 */
export function sigmoid(x: Tensor): Tensor {
  const e = exp(negAbs(expectTensor(x, 'sigmoid')));
  const r = reciprocal(add(e, 1));
  return where(less(x, 0), mul(e, r), r);
}

/** tanh|x| = -m / (2 + m) with m = expm1(-2|x|), exact near 0 and finite everywhere; the sign comes back by where. */
export function tanh(x: Tensor): Tensor {
  const m = expm1(mul(negAbs(expectTensor(x, 'tanh')), 2));
  const t = div(neg(m), add(m, 2));
  return where(less(x, 0), neg(t), t);
}

/**
 * log(1 + e^x) = max(x, 0) + log1p(exp(-|x|)), which never overflows. One condition picks both branches,
 * so at x = 0 the two kinks cancel and the gradient is exactly 1/2.
 */
export function softplus(x: Tensor): Tensor {
  const negative = less(expectTensor(x, 'softplus'), 0);
  return add(where(negative, 0, x), log1p(exp(where(negative, x, neg(x)))));
}

/** exp(x - max) / Σ exp(x - max) along axis; the max is a constant, so it costs no gradient. */
export function softmax(x: Tensor, axis = -1): Tensor {
  nonEmptyAxes(x, axis, 'softmax');
  const e = exp(sub(x, stopGradient(max(x, axis, true))));
  return div(e, sum(e, axis, true));
}

/**
 * (x - m) - log Σ exp(x - m) with m = stopGradient(max x): finite for logits of any size. Subtracting m before
 * the log term keeps float32 precise near the max (x - logsumexp(x) loses ~1e-3 there when |x| ~ 1e4).
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  nonEmptyAxes(x, axis, 'logSoftmax');
  const shifted = sub(x, stopGradient(max(x, axis, true)));
  return sub(shifted, log(sum(exp(shifted), axis, true)));
}
