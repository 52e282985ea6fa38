import type { Tensor } from '../../core/tensor.ts';

/** How labels and outputs map to classes: argmax of a vector, an integer label, or a 0.5 threshold. */
export type ClassifierKind = 'categorical' | 'sparse' | 'binary';

/**
 * A model is a classifier when it is trained with a crossentropy on a vector output: binary for one unit or a
 * binary loss, sparse for integer labels, categorical otherwise. Anything else gets no confusion matrix.
 */
export function classifierKind(lossName: string, outputShape: readonly number[] | undefined): ClassifierKind | undefined {
  if (!/crossentropy/i.test(lossName) || outputShape === undefined || outputShape.length !== 1) return undefined;
  if (/^binary/i.test(lossName)) return outputShape[0] === 1 ? 'binary' : undefined;
  return /^sparse/i.test(lossName) ? 'sparse' : outputShape[0] >= 2 ? 'categorical' : undefined;
}

/** The index of the largest value in each row; NaN never wins, so a diverged row reads as class 0. */
function rowArgmax(values: ArrayLike<number>, rows: number, width: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 1; j < width; j++) if (values[r * width + j] > values[r * width + best]) best = j;
    out[r] = best;
  }
  return out;
}

/** The true class of every row of y: argmax of a one-hot row, the integer of a sparse label, y > 0.5 for binary. */
export function trueClasses(y: Tensor, kind: ClassifierKind): Int32Array {
  const rows = y.shape[0];
  if (kind === 'categorical') return rowArgmax(y.storage, rows, y.size / rows);
  return Int32Array.from({ length: rows }, (_, r) => (kind === 'binary' ? (y.storage[r] > 0.5 ? 1 : 0) : Math.round(y.storage[r])));
}

export interface Predictions {
  readonly predicted: Int32Array;
  /** The output for the predicted class: its probability when the model ends in softmax or sigmoid. */
  readonly score: Float64Array;
}

/** The predicted class of each output row and the output value behind it. */
export function predictedClasses(output: Tensor, kind: ClassifierKind): Predictions {
  const rows = output.shape[0];
  const width = output.size / rows;
  const values = output.storage;
  if (kind === 'binary') {
    const predicted = Int32Array.from({ length: rows }, (_, r) => (values[r] > 0.5 ? 1 : 0));
    return { predicted, score: Float64Array.from({ length: rows }, (_, r) => (predicted[r] === 1 ? values[r] : 1 - values[r])) };
  }
  const predicted = rowArgmax(values, rows, width);
  return { predicted, score: Float64Array.from({ length: rows }, (_, r) => values[r * width + predicted[r]]) };
}
