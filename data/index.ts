// The data folder: IDX bytes, MNIST splits from them, batching (reading files is in the Node entry, node.ts).
export { parseIdx, writeIdx } from './idx.ts';
export type { IdxArray, IdxData, IdxType } from './idx.ts';
export { mnistSplit } from './mnist-split.ts';
export type { MnistSplit, MnistSplitOptions } from './mnist-split.ts';
export { batchIndices, shuffledIndices, sliceRows, takeRows } from './batches.ts';
export type { BatchOptions } from './batches.ts';
