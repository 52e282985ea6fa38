import { markBuiltIn } from '../built-in.ts';
import type { Cell } from './cell.ts';
import type { RecurrentOptions } from './recurrent.ts';
import { RECURRENT_OPTIONS, Recurrent } from './recurrent.ts';
import { simpleRnnCell } from './simple-rnn-cell.ts';

export type SimpleRNNOptions<R extends boolean = boolean> = RecurrentOptions<R>;

/** The fully connected recurrent layer h_t = activation(x_t·W + b + h_{t-1}·U) over [batch, time, features]. */
export class SimpleRNN<R extends boolean = false> extends Recurrent<R> {
  constructor(units: number, options: SimpleRNNOptions<R> = {}) {
    super(units, options, RECURRENT_OPTIONS);
  }

  protected get cell(): Cell {
    return simpleRnnCell(this.activation.fn);
  }
}

markBuiltIn(SimpleRNN);
