import type { Dataset } from './dataset.ts';
import { fileSource } from './file-source.ts';
import type { IdxDatasetOptions, IdxElement } from './idx-dataset.ts';
import { idxDatasetOf } from './idx-dataset.ts';

/**
 * A dataset of { xs, ys } from two IDX files (plain, not gzipped), read `chunk` records at a time (Node):
 * `idxDataset(images, labels, { divideBy: 255, oneHot: 10 })` gives MNIST as loadMnist does, without loading it.
 */
export function idxDataset(inputsPath: string, targetsPath: string, options: IdxDatasetOptions = {}): Dataset<IdxElement> {
  return idxDatasetOf(fileSource(inputsPath), fileSource(targetsPath), options);
}
