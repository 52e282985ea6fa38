import { add } from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import type { Activation } from './activations.ts';
import type { CallOptions, Weight } from './layer.ts';

/**
 * activation(z + bias), the ending Dense, Conv2D and Activation share. With `logits` the activation is skipped:
 * the model asks for that when it fuses a final softmax or sigmoid into the loss.
 */
export function addBiasAndActivate(z: Tensor, bias: Weight | undefined, activation: Activation, options: CallOptions): Tensor {
  const biased = bias === undefined ? z : add(z, bias.value);
  return options.logits ? biased : activation.fn(biased);
}
