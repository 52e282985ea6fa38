import { trueOrFalse } from '../../core/options.ts';
import type { Activation, ActivationFn } from '../activations.ts';
import { getActivation } from '../activations.ts';
import { markBuiltIn } from '../built-in.ts';
import type { Cell } from './cell.ts';
import { gruCell } from './gru-cell.ts';
import type { RecurrentOptions } from './recurrent.ts';
import { RECURRENT_OPTIONS, Recurrent } from './recurrent.ts';

export interface GRUOptions<R extends boolean = boolean> extends RecurrentOptions<R> {
  /** On the gates; default sigmoid (tf.keras 2; tfjs's default is hardSigmoid). */
  recurrentActivation?: string | Activation | ActivationFn | null;
  /** Apply the reset gate after the recurrent product, with separate input and recurrent biases (tf.keras 2's default true). */
  resetAfter?: boolean;
}

/** Gated recurrent unit (Cho et al. 2014) over [batch, time, features], Keras's weight layout (gates z, r, h). */
export class GRU<R extends boolean = false> extends Recurrent<R> {
  readonly recurrentActivation: Activation;
  readonly resetAfter: boolean;

  constructor(units: number, options: GRUOptions<R> = {}) {
    super(units, options, [...RECURRENT_OPTIONS, 'recurrentActivation', 'resetAfter']);
    this.recurrentActivation = getActivation(options.recurrentActivation === undefined ? 'sigmoid' : options.recurrentActivation, this.name);
    this.resetAfter = trueOrFalse(options.resetAfter ?? true, 'resetAfter', this.name);
  }

  protected get cell(): Cell {
    return gruCell({ activation: this.activation.fn, recurrentActivation: this.recurrentActivation.fn }, this.resetAfter);
  }

  protected override biasShape(): number[] {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation.name, resetAfter: this.resetAfter };
  }
}

markBuiltIn(GRU);
