import { ValueError } from '../errors.ts';
import { show } from '../options.ts';
import type { Tensor } from '../tensor.ts';
import { add, div, minimum, mul } from './arithmetic.ts';
import { expectTensor } from './broadcast.ts';
import { less, where } from './compare.ts';
import { expm1 } from './elementwise.ts';
import { stopGradient } from './gradient.ts';
import { relu } from './activations.ts';

// Activations made of pieces. At a kink the gradient is that of the flat or lower piece, as relu's is 0 at 0
// (and as in PyTorch and TF): relu6 and hardSigmoid give 0 there, leakyRelu gives alpha at 0, elu alpha.

function finiteNumber(value: number, name: string, op: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValueError(`${op}: ${name} must be a finite number, got ${show(value)}`);
  return value;
}

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/** x for x > 0, alpha·(eˣ − 1) otherwise (alpha = 1 as in Keras); expm1 sees min(x, 0), so the unused branch never overflows. */
export function elu(x: Tensor, alpha = 1): Tensor {
  expectTensor(x, 'elu');
  finiteNumber(alpha, 'alpha', 'elu');
  return where(less(0, x), x, mul(expm1(minimum(x, 0)), alpha));
}

/** scale · elu(x, α) with Klambauer et al.'s constants, which keep activations at mean 0 and variance 1. */
export function selu(x: Tensor): Tensor {
  return mul(elu(expectTensor(x, 'selu'), SELU_ALPHA), SELU_SCALE);
}

/**
 * x for x > 0, alpha·x otherwise. alpha defaults to 0.2, as tf.nn.leaky_relu, tfjs's leakyRelu and Keras's
 * leaky_relu function (Keras's LeakyReLU layer defaults to 0.3).
 */
export function leakyRelu(x: Tensor, alpha = 0.2): Tensor {
  expectTensor(x, 'leakyRelu');
  finiteNumber(alpha, 'alpha', 'leakyRelu');
  return where(less(0, x), x, mul(x, alpha));
}

/** min(max(x, 0), 6), with gradient 0 at 0 and at 6; NaN stays NaN. */
export function relu6(x: Tensor): Tensor {
  expectTensor(x, 'relu6');
  return where(less(x, 6), relu(x), stopGradient(minimum(x, 6)));
}

/** relu6(x + 3) / 6, Keras 3's definition: 0 below −3, 1 above 3, gradient 0 at ±3. */
export function hardSigmoid(x: Tensor): Tensor {
  return div(relu6(add(expectTensor(x, 'hardSigmoid'), 3)), 6);
}
