import { ValueError, describeValue, fmtShape } from '../core/errors.ts';
import { userCode } from '../core/buffer-scope.ts';
import { checkOptionKeys } from '../core/options.ts';
import { Tensor } from '../core/tensor.ts';
import type { Metric } from './metrics-state.ts';
import { checkSameSize, counted, readsProbabilities } from './metrics-state.ts';

/** The mean over every element of f(yTrue − yPred): the mean over samples of Keras's per-sample mean. */
function elementMean(name: string, f: (difference: number) => number): Metric {
  return readsProbabilities(counted(name, (yTrue, yPred) => {
    checkSameSize(name, yTrue, yPred);
    let total = 0;
    for (let i = 0; i < yPred.size; i++) total += f(yTrue.storage[i] - yPred.storage[i]);
    return { total, count: yPred.size };
  }));
}

export interface MetricNameOptions {
  /** The key in the logs. */
  name?: string;
}

function named(options: MetricNameOptions, defaultName: string): string {
  checkOptionKeys(options, ['name'], defaultName);
  return options.name ?? defaultName;
}

/** The mean of |yTrue − yPred|. */
export const meanAbsoluteError = (options: MetricNameOptions = {}): Metric => elementMean(named(options, 'meanAbsoluteError'), Math.abs);
/** The mean of (yTrue − yPred)². */
export const meanSquaredError = (options: MetricNameOptions = {}): Metric => elementMean(named(options, 'meanSquaredError'), (d) => d * d);

/** A user's metric: a function of (yTrue, yPred) giving one value per sample, or one for the batch. */
export type MetricFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

/**
 * The epoch value of a user's function, weighted by samples: values per sample are averaged over all samples
 * of the epoch; a scalar per batch counts once per sample of its batch. The function runs as user code, so the
 * buffer pool never recycles a tensor it sees or keeps. Its name is the function's name.
 */
export function metricFromFunction(fn: MetricFn, options: MetricNameOptions = {}): Metric {
  const name = named(options, fn.name || 'metric');
  return readsProbabilities(counted(name, (yTrue, yPred) => {
    const value = userCode([yTrue, yPred], () => fn(yTrue, yPred));
    if (!(value instanceof Tensor)) throw new ValueError(`${name}: a metric function must return a Tensor, got ${describeValue(value)}`);
    const rows = yPred.shape[0];
    if (value.size === 1) return { total: value.storage[0] * rows, count: rows };
    if (value.size !== rows) {
      throw new ValueError(`${name}: a metric function must return one value per sample (${rows}) or one for the batch, got shape ${fmtShape(value.shape)}`);
    }
    let total = 0;
    for (let i = 0; i < rows; i++) total += value.storage[i];
    return { total, count: rows };
  }));
}
