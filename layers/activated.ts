import { add, affine, conv2d, matmul } from '../core/ops/index.ts';
import { conv2dAffine } from '../core/ops/conv-affine.ts';
import type { AffineActivation, Conv2dOptions } from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import type { Activation } from './activations.ts';
import { getActivation } from './activations.ts';
import type { CallOptions, Weight } from './layer.ts';

/**
 * activation(z + bias), the ending Dense, Conv2D and Activation share. With `logits` the activation is skipped:
 * the model asks for that when it fuses a final softmax or sigmoid into the loss.
 */
export function addBiasAndActivate(z: Tensor, bias: Weight | undefined, activation: Activation, options: CallOptions): Tensor {
  const biased = bias === undefined ? z : add(z, bias.value);
  return options.logits ? biased : activation.fn(biased);
}

/** The built-in linear or relu, which the affine primitive applies itself; undefined for any other. */
function fusedActivation(activation: Activation, options: CallOptions): AffineActivation | undefined {
  if (options.logits || activation === getActivation('linear', 'fusedActivation')) return 'linear';
  return activation === getActivation('relu', 'fusedActivation') ? 'relu' : undefined;
}

/** Dense's forward pass: one affine primitive where it can (a bias, linear or relu), else matmul then the ending. */
export function denseForward(x: Tensor, kernel: Tensor, bias: Weight | undefined, activation: Activation, options: CallOptions): Tensor {
  const fused = bias === undefined ? undefined : fusedActivation(activation, options);
  if (bias === undefined || fused === undefined) return addBiasAndActivate(matmul(x, kernel), bias, activation, options);
  return affine(x, kernel, bias.value, { activation: fused });
}

/** Conv2D's forward pass: as denseForward, with the convolution's product as the affine primitive (groups 1). */
export function convForward(x: Tensor, kernel: Tensor, bias: Weight | undefined, activation: Activation, options: CallOptions, conv: Conv2dOptions): Tensor {
  const fused = bias === undefined || conv.groups !== 1 ? undefined : fusedActivation(activation, options);
  if (bias === undefined || fused === undefined) return addBiasAndActivate(conv2d(x, kernel, conv), bias, activation, options);
  return conv2dAffine(x, kernel, bias.value, fused, conv);
}
