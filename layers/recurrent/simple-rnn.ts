import { markBuiltIn } from '../built-in.ts';
import type { Cell } from './cell.ts';
import type { RecurrentOptions } from './recurrent.ts';
import { RECURRENT_OPTIONS, Recurrent } from './recurrent.ts';
import { simpleRnnCell } from './simple-rnn-cell.ts';

export type SimpleRNNOptions = RecurrentOptions;

/** The fully connected recurrent layer h_t = activation(x_t·W + b + h_{t-1}·U) over [batch, time, features]. */
export class SimpleRNN extends Recurrent {
  constructor(units: number, options: SimpleRNNOptions = {}) {
    super(units, options, RECURRENT_OPTIONS);
  }

  protected get cell(): Cell {
    return simpleRnnCell(this.activation.fn);
  }
}

markBuiltIn(SimpleRNN);
