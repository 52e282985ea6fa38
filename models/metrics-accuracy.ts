import { ShapeError, fmtShape } from '../core/errors.ts';
import { checkOptionKeys, positiveInt } from '../core/options.ts';
import type { Tensor } from '../core/tensor.ts';
import type { Metric } from './metrics-state.ts';
import { counted } from './metrics-state.ts';

/** Index of the largest value in each row of the last axis. */
function rowArgmax(values: ArrayLike<number>, row: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (values[row * width + j] > values[row * width + best]) best = j;
  return best;
}

type Hit = (values: ArrayLike<number>, row: number, width: number, label: number) => boolean;
type Measure = (yTrue: Tensor, yPred: Tensor, logits: boolean) => { total: number; count: number };

/** Rows where hit(yPred, row, width, the row's true class) holds; the last axis holds the classes. */
function classMeasure(name: string, sparse: boolean, hit: Hit, oneHotName: string): Measure {
  return (yTrue, yPred) => {
    const width = yPred.shape[yPred.rank - 1];
    const rows = yPred.size / width;
    if (sparse) checkLabels(name, yTrue, yPred, rows, oneHotName);
    let correct = 0;
    for (let r = 0; r < rows; r++) {
      const label = sparse ? yTrue.storage[r] : rowArgmax(yTrue.storage, r, width);
      correct += hit(yPred.storage, r, width, label) ? 1 : 0;
    }
    return { total: correct, count: rows };
  };
}

/** Integer labels, one per row: [batch] or [batch,1]. One-hot rows read as labels would give a wrong value silently. */
function checkLabels(name: string, yTrue: Tensor, yPred: Tensor, rows: number, oneHotName: string): void {
  if (yTrue.size !== rows) {
    throw new ShapeError(`${name}: expected one integer label per row (shape ${fmtShape(yPred.shape.slice(0, -1))} or ${fmtShape([...yPred.shape.slice(0, -1), 1])}), got labels of shape ${fmtShape(yTrue.shape)}; for one-hot labels use '${oneHotName}'`);
  }
}

const isArgmax: Hit = (values, row, width, label) => rowArgmax(values, row, width) === label;

/**
 * In the top k as TF's in_top_k: fewer than k classes score strictly higher than the true one, so classes tied
 * with it at the boundary all count as in the top k.
 */
function inTopK(k: number): Hit {
  return (values, row, width, label) => {
    const score = values[row * width + label];
    let higher = 0;
    for (let j = 0; j < width; j++) if (values[row * width + j] > score) higher++;
    return higher < k;
  };
}

export const categoricalAccuracy = (name: string): Metric => counted(name, classMeasure(name, false, isArgmax, name));
export const sparseCategoricalAccuracy = (name: string): Metric => counted(name, classMeasure(name, true, isArgmax, 'categoricalAccuracy'));

export interface TopKOptions {
  /** How many of the highest scores may hold the true class (Keras's default 5). */
  k?: number;
  /** The key in the logs. */
  name?: string;
}

function topK(options: TopKOptions, sparse: boolean, defaultName: string): Metric {
  checkOptionKeys(options, ['k', 'name'], defaultName);
  const name = options.name ?? defaultName;
  return counted(name, classMeasure(name, sparse, inTopK(positiveInt(options.k ?? 5, 'k', name)), 'topKCategoricalAccuracy'));
}

/** One-hot targets: the share of rows whose true class is among the k highest predictions. */
export const topKCategoricalAccuracy = (options: TopKOptions = {}): Metric => topK(options, false, 'topKCategoricalAccuracy');
/** Integer labels [batch] or [batch,1]: the share of rows whose label is among the k highest predictions. */
export const sparseTopKCategoricalAccuracy = (options: TopKOptions = {}): Metric => topK(options, true, 'sparseTopKCategoricalAccuracy');

/** Threshold 0.5 on probabilities, which is 0 on logits. */
const binaryMeasure: Measure = (yTrue, yPred, logits) => {
  const threshold = logits ? 0 : 0.5;
  let correct = 0;
  for (let i = 0; i < yPred.size; i++) correct += (yPred.storage[i] > threshold) === (yTrue.storage[i] > 0.5) ? 1 : 0;
  return { total: correct, count: yPred.size };
};

export const binaryAccuracy = (name: string): Metric => counted(name, binaryMeasure);

/**
 * 'accuracy' means what Keras makes of it: binary for a binary loss or a one-wide output, sparse for a sparse
 * loss, categorical otherwise. The output width is read from each batch, so the model need not be built yet.
 */
export function accuracy(name: string, lossName: string): Metric {
  const classes = classMeasure(name, lossName.startsWith('sparse'), isArgmax, 'categoricalAccuracy');
  return counted(name, (yTrue, yPred, logits) =>
    (lossName.startsWith('binary') || yPred.shape[yPred.rank - 1] === 1 ? binaryMeasure : classes)(yTrue, yPred, logits));
}
