import { ConfigError } from '../core/errors.ts';
import type { Tensor } from '../core/tensor.ts';
import type { Activation as ActivationSpec, ActivationFn } from './activations.ts';
import { addBiasAndActivate } from './activated.ts';
import { getActivation } from './activations.ts';
import type { CallOptions, LayerOptions } from './layer.ts';
import { Layer } from './layer.ts';
import { checkOptionKeys } from '../core/options.ts';
import { markBuiltIn } from './built-in.ts';

/** Applies an activation by name ('relu') or as a function. */
export class Activation extends Layer {
  /** Per step (elementwise, or over the last axis), so a sequence's mask passes through, as in Keras. */
  override supportsMasking = true;

  readonly activation: ActivationSpec;

  constructor(activation: string | ActivationSpec | ActivationFn, options: LayerOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'inputShape'], this.name);
    if (activation === undefined) throw new ConfigError(`${this.name}: an activation is required, like 'relu'; got undefined`);
    this.activation = getActivation(activation, this.name);
  }

  protected call(x: Tensor, options: CallOptions): Tensor {
    return addBiasAndActivate(x, undefined, this.activation, options);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: this.activation.name };
  }
}

markBuiltIn(Activation);
