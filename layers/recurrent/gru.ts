import { trueOrFalse } from '../../core/options.ts';
import { markBuiltIn } from '../built-in.ts';
import type { Cell } from './cell.ts';
import { gruCell } from './gru-cell.ts';
import type { GatedOptions } from './gated.ts';
import { GatedRecurrent } from './gated.ts';

export interface GRUOptions<R extends boolean = boolean> extends GatedOptions<R> {
  /** Apply the reset gate after the recurrent product, with separate input and recurrent biases (tf.keras 2's default true). */
  resetAfter?: boolean;
}

/** Gated recurrent unit (Cho et al. 2014) over [batch, time, features], Keras's weight layout (gates z, r, h). */
export class GRU<R extends boolean = false> extends GatedRecurrent<R> {
  readonly resetAfter: boolean;

  constructor(units: number, options: GRUOptions<R> = {}) {
    super(units, options, ['resetAfter']);
    this.resetAfter = trueOrFalse(options.resetAfter ?? true, 'resetAfter', this.name);
  }

  protected get cell(): Cell {
    return gruCell({ activation: this.activation.fn, recurrentActivation: this.recurrentActivation.fn }, this.resetAfter);
  }

  protected override biasShape(): number[] {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), resetAfter: this.resetAfter };
  }
}

markBuiltIn(GRU);
