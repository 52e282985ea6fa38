import { checkOptionKeys, trueOrFalse } from '../options.ts';
import type { Tensor } from '../tensor.ts';
import { add, div, mul } from './arithmetic.ts';
import { expectTensor } from './broadcast.ts';
import { abs, erfc } from './elementwise.ts';
import { sigmoid, softplus, tanh } from './activations.ts';

export interface GeluOptions {
  /** The tanh approximation instead of the exact erf form (default false), as Keras's `approximate`. */
  approximate?: boolean;
}

/**
 * x·Φ(x) = x·(1 + erf(x/√2))/2 = x·erfc(−x/√2)/2, as Keras (erfc keeps it accurate for x ≪ 0, where 1 + erf cancels). With `approximate`, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))),
 * written as x·sigmoid(2u) (1 + tanh(u) = 2·sigmoid(2u)), which does not cancel for x ≪ 0.
 */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  expectTensor(x, 'gelu');
  checkOptionKeys(options, ['approximate'], 'gelu');
  if (!trueOrFalse(options.approximate ?? false, 'approximate', 'gelu')) return mul(mul(x, 0.5), erfc(mul(x, -Math.SQRT1_2)));
  const u = mul(add(x, mul(mul(x, mul(x, x)), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(x, sigmoid(mul(u, 2)));
}

/** x · sigmoid(x), also called SiLU. */
export function swish(x: Tensor): Tensor {
  return mul(x, sigmoid(expectTensor(x, 'swish')));
}

/** x · tanh(softplus(x)). */
export function mish(x: Tensor): Tensor {
  return mul(x, tanh(softplus(expectTensor(x, 'mish'))));
}

/** x / (1 + |x|). */
export function softsign(x: Tensor): Tensor {
  return div(x, add(abs(expectTensor(x, 'softsign')), 1));
}
