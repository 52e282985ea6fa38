import { ConfigError, ShapeError, describeValue, fmtShape } from '../core/errors.ts';
import type { Tensor } from '../core/tensor.ts';

/** A metric counts per batch; the epoch value is Σ total / Σ count, so a short last batch weighs what it should. */
export interface Metric {
  readonly name: string;
  /** `logits` says yPred holds the pre-activation values of a fused softmax or sigmoid. */
  measure(yTrue: Tensor, yPred: Tensor, logits: boolean): { total: number; count: number };
}

/** Index of the largest value in each row of the last axis. */
function rowArgmax(values: ArrayLike<number>, row: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (values[row * width + j] > values[row * width + best]) best = j;
  return best;
}

/** Rows whose predicted class (the argmax) equals trueClass(row). */
function classAccuracy(name: string, trueClass: (yTrue: Tensor, row: number, width: number) => number): Metric {
  return {
    name,
    measure(yTrue, yPred) {
      const width = yPred.shape[yPred.rank - 1];
      const rows = yPred.size / width;
      let correct = 0;
      for (let r = 0; r < rows; r++) correct += trueClass(yTrue, r, width) === rowArgmax(yPred.storage, r, width) ? 1 : 0;
      return { total: correct, count: rows };
    },
  };
}

const categoricalAccuracy = (name: string): Metric => classAccuracy(name, (y, r, width) => rowArgmax(y.storage, r, width));
/** Integer labels, one per row: [batch] or [batch,1]. One-hot rows read as labels would give a wrong accuracy silently. */
function sparseCategoricalAccuracy(name: string): Metric {
  const counted = classAccuracy(name, (y, r) => y.storage[r]);
  return {
    name,
    measure(yTrue, yPred, logits) {
      const rows = yPred.size / yPred.shape[yPred.rank - 1];
      if (yTrue.size !== rows) {
        throw new ShapeError(`${name}: expected one integer label per row (shape ${fmtShape(yPred.shape.slice(0, -1))} or ${fmtShape([...yPred.shape.slice(0, -1), 1])}), got labels of shape ${fmtShape(yTrue.shape)}; for one-hot labels use 'categoricalAccuracy'`);
      }
      return counted.measure(yTrue, yPred, logits);
    },
  };
}

/** Threshold 0.5 on probabilities, which is 0 on logits. */
function binaryAccuracy(name: string): Metric {
  return {
    name,
    measure(yTrue, yPred, logits) {
      const threshold = logits ? 0 : 0.5;
      let correct = 0;
      for (let i = 0; i < yPred.size; i++) correct += (yPred.storage[i] > threshold) === (yTrue.storage[i] > 0.5) ? 1 : 0;
      return { total: correct, count: yPred.size };
    },
  };
}

const METRICS: Record<string, (name: string) => Metric> = { categoricalAccuracy, sparseCategoricalAccuracy, binaryAccuracy };
const ACCURACY_ALIASES = ['accuracy', 'acc'];
export const metricNames = [...ACCURACY_ALIASES, ...Object.keys(METRICS)];

/**
 * 'accuracy' means what Keras makes of it: binary for a binary loss or a one-wide output, sparse for a sparse
 * loss, categorical otherwise. The output width is read from each batch, so the model need not be built yet.
 */
function accuracy(name: string, lossName: string): Metric {
  const binary = binaryAccuracy(name);
  const classes = lossName.startsWith('sparse') ? sparseCategoricalAccuracy(name) : categoricalAccuracy(name);
  return {
    name,
    measure: (yTrue, yPred, logits) =>
      (lossName.startsWith('binary') || yPred.shape[yPred.rank - 1] === 1 ? binary : classes).measure(yTrue, yPred, logits),
  };
}

export function getMetric(spec: unknown, lossName: string, where: string): Metric {
  if (typeof spec === 'string' && ACCURACY_ALIASES.includes(spec)) return accuracy(spec, lossName);
  const make = typeof spec === 'string' ? METRICS[spec] : undefined;
  if (make === undefined) throw new ConfigError(`${where}: unknown metric ${describeValue(spec)}; valid metrics are ${metricNames.join(', ')}`);
  return make(spec as string);
}
