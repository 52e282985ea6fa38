// The data folder: IDX files, MNIST, and batching.
export { readIdx, writeIdx } from './idx.ts';
export type { IdxArray, IdxData, IdxType } from './idx.ts';
export { loadMnist, mnistDir } from './mnist.ts';
export type { Mnist, MnistOptions, MnistSplit } from './mnist.ts';
export { batchIndices, shuffledIndices, sliceRows, takeRows } from './batches.ts';
export type { BatchOptions } from './batches.ts';
