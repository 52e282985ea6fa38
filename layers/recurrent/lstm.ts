import { concat } from '../../core/ops/index.ts';
import { trueOrFalse } from '../../core/options.ts';
import type { DType } from '../../core/dtype.ts';
import type { Rng } from '../../core/random.ts';
import { markBuiltIn } from '../built-in.ts';
import type { Initializer } from '../initializers.ts';
import { getInitializer, ones } from '../initializers.ts';
import type { WeightSpec } from '../layer.ts';
import type { Cell } from './cell.ts';
import { lstmCell } from './lstm-cell.ts';
import type { GatedOptions } from './gated.ts';
import { GatedRecurrent } from './gated.ts';

export interface LSTMOptions<R extends boolean = boolean> extends GatedOptions<R> {
  /** Start the forget gate's bias at 1 instead of the bias initializer (Keras's default true). */
  unitForgetBias?: boolean;
}

/** The bias of units·4 values: the initializer's for i, ones for f, the initializer's for c and o (Keras's unit_forget_bias). */
function unitForgetBias(inner: Initializer, units: number): Initializer {
  return Object.freeze({
    name: inner.name,
    config: inner.config,
    create: (_shape: readonly number[], dtype: DType, rng: Rng) => concat([
      inner.create([units], dtype, rng), ones().create([units], dtype, rng), inner.create([2 * units], dtype, rng),
    ]),
  });
}

/** Long short-term memory (Hochreiter & Schmidhuber 1997) over [batch, time, features], Keras's weight layout (gates i, f, c, o). */
export class LSTM<R extends boolean = false> extends GatedRecurrent<R> {
  readonly unitForgetBias: boolean;

  constructor(units: number, options: LSTMOptions<R> = {}) {
    super(units, options, ['unitForgetBias']);
    this.unitForgetBias = trueOrFalse(options.unitForgetBias ?? true, 'unitForgetBias', this.name);
  }

  protected get cell(): Cell {
    return lstmCell({ activation: this.activation.fn, recurrentActivation: this.recurrentActivation.fn });
  }

  protected override biasInit(): WeightSpec {
    const inner = getInitializer(this.biasInitializer, this.name);
    return this.unitForgetBias ? unitForgetBias(inner, this.units) : inner;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), unitForgetBias: this.unitForgetBias };
  }
}

markBuiltIn(LSTM);
