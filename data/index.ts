// The data folder: IDX bytes, MNIST splits from them, batching, datasets (reading files is in the Node entry, node.ts).
export { parseIdx, writeIdx } from './idx.ts';
export type { IdxArray, IdxData, IdxType } from './idx.ts';
export { mnistSplit } from './mnist-split.ts';
export type { MnistSplit, MnistSplitOptions } from './mnist-split.ts';
export { batchIndices, shuffledIndices, sliceRows, takeRows } from './batches.ts';
export type { BatchOptions } from './batches.ts';
export { Dataset } from './dataset.ts';
export type { DatasetBatchOptions, Pass, ShuffleOptions } from './dataset.ts';
export type { Batchable, Stacked } from './dataset-batch.ts';
export { fromArrays, fromGenerator, fromTensors } from './dataset-sources.ts';
export { blobSource, bytesSource } from './byte-source.ts';
export type { BlobLike, ByteReader, ByteSource } from './byte-source.ts';
export { idxDatasetOf } from './idx-dataset.ts';
export type { IdxDatasetOptions, IdxElement } from './idx-dataset.ts';
