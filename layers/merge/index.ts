// The merge layers: they combine a list of tensors, in a functional model.
export { MergeLayer } from './merge-layer.ts';
export { Add, Average, Maximum, Minimum, Multiply, Subtract } from './elementwise.ts';
export { Concatenate } from './concatenate.ts';
export type { ConcatenateOptions } from './concatenate.ts';
