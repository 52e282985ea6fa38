import type { Activation, ActivationFn } from '../activations.ts';
import { getActivation } from '../activations.ts';
import type { RecurrentOptions } from './recurrent.ts';
import { RECURRENT_OPTIONS, Recurrent } from './recurrent.ts';

export interface GatedOptions<R extends boolean = boolean> extends RecurrentOptions<R> {
  /** On the gates; default sigmoid (tf.keras 2; tfjs's default is hardSigmoid). */
  recurrentActivation?: string | Activation | ActivationFn | null;
}

/** The recurrent layers with gates (LSTM, GRU): a second activation, `recurrentActivation`, on the gates. */
export abstract class GatedRecurrent<R extends boolean = boolean> extends Recurrent<R> {
  readonly recurrentActivation: Activation;

  constructor(units: number, options: GatedOptions<R>, extraKeys: readonly string[]) {
    super(units, options, [...RECURRENT_OPTIONS, 'recurrentActivation', ...extraKeys]);
    this.recurrentActivation = getActivation(options.recurrentActivation === undefined ? 'sigmoid' : options.recurrentActivation, this.name);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation.name };
  }
}
