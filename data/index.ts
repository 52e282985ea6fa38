// The data folder: batching (IDX files and MNIST, which read files, are in the Node entry, node.ts).
export { batchIndices, shuffledIndices, sliceRows, takeRows } from './batches.ts';
export type { BatchOptions } from './batches.ts';
