import { apply } from '../dispatch.ts';
import type { Tensor } from '../tensor.ts';
import { add, div, sub } from './arithmetic.ts';
import { broadcastAll, expectTensor } from './broadcast.ts';
import { less, where } from './compare.ts';
import { exp, log, log1p, neg } from './elementwise.ts';
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

/** sigmoid's vjp as one primitive: g·y·(1 − y) for y = σ(x), in the composition's bits. Internal: the tape calls it. */
export function sigmoidGrad(y: Tensor, g: Tensor): Tensor {
  return apply('sigmoidGrad', [y, g], {});
}

/** tanh's vjp as one primitive: g·(1 − y²) for y = tanh x, in the composition's bits. Internal: the tape calls it. */
export function tanhGrad(y: Tensor, g: Tensor): Tensor {
  return apply('tanhGrad', [y, g], {});
}

/** 1/(1 + e^−x), one primitive in the overflow-free form (kernels/elementwise.ts); its gradient is y·(1 − y). */
export function sigmoid(x: Tensor): Tensor {
  return apply('sigmoid', [expectTensor(x, 'sigmoid')], {});
}

/** tanh x, one primitive through expm1 (exact near 0, finite everywhere); its gradient is 1 − y². */
export function tanh(x: Tensor): Tensor {
  return apply('tanh', [expectTensor(x, 'tanh')], {});
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

/**
 * −Σ y·logSoftmax(logits) along the last axis, one value per row (TensorFlow's softmax_cross_entropy_with_logits):
 * one primitive, each row computed in doubles from its max as logSoftmax does, so it is finite for logits of any
 * size. labels broadcast to the logits' shape; its gradient is (softmax(logits)·Σ labels − labels) per row.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const [z, y] = broadcastAll('softmaxCrossEntropy', expectTensor(logits, 'softmaxCrossEntropy', 'logits'), expectTensor(labels, 'softmaxCrossEntropy', 'labels'));
  return apply('softmaxCrossEntropy', [z, y], {});
}

/** softmaxCrossEntropy's vjp for the logits as one primitive: g·(softmax(z)·Σy − y) per row. Internal: the tape calls it. */
export function softmaxCrossEntropyGrad(z: Tensor, y: Tensor, g: Tensor): Tensor {
  return apply('softmaxCrossEntropyGrad', [z, y, g], {});
}
