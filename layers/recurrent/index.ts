// The recurrent layers: SimpleRNN, LSTM, GRU over [batch, time, features], and Bidirectional.
export { Recurrent } from './recurrent.ts';
export type { RecurrentOptions, RecurrentOutput } from './recurrent.ts';
export { SimpleRNN } from './simple-rnn.ts';
export type { SimpleRNNOptions } from './simple-rnn.ts';
export { LSTM } from './lstm.ts';
export type { LSTMOptions } from './lstm.ts';
export { GRU } from './gru.ts';
export type { GRUOptions } from './gru.ts';
export { Bidirectional } from './bidirectional.ts';
export type { BidirectionalOptions, BidirectionalOutput, MergeMode } from './bidirectional.ts';
