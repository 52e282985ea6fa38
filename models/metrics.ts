import { ConfigError, describeValue } from '../core/errors.ts';
import { closeName } from '../core/options.ts';
import type { Loss } from '../layers/losses.ts';
import { accuracy, binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy, sparseTopKCategoricalAccuracy, topKCategoricalAccuracy } from './metrics-accuracy.ts';
import { auc, precision, recall } from './metrics-confusion.ts';
import type { MetricFn } from './metrics-error.ts';
import { meanAbsoluteError, meanSquaredError, metricFromFunction } from './metrics-error.ts';
import type { Metric } from './metrics-state.ts';
import { forLoss } from './metrics-state.ts';

export type { Metric, MetricState } from './metrics-state.ts';
export type { MetricFn } from './metrics-error.ts';

/** What compile({ metrics }) takes: a name, a Metric (see `metrics`), or a function of (yTrue, yPred). */
export type MetricSpec = string | Metric | MetricFn;

/** Each name makes its metric under that name, the key of its value in the logs; the loss decides what 'accuracy' means. */
const BY_NAME: Readonly<Record<string, (name: string, lossName: string) => Metric>> = {
  accuracy, acc: accuracy, categoricalAccuracy, sparseCategoricalAccuracy, binaryAccuracy,
  topKCategoricalAccuracy: (name) => topKCategoricalAccuracy({ name }),
  sparseTopKCategoricalAccuracy: (name) => sparseTopKCategoricalAccuracy({ name }),
  precision: (name) => precision({ name }),
  recall: (name) => recall({ name }),
  auc: (name) => auc({ name }),
  meanAbsoluteError: (name) => meanAbsoluteError({ name }),
  meanSquaredError: (name) => meanSquaredError({ name }),
  mae: (name) => meanAbsoluteError({ name }),
  mse: (name) => meanSquaredError({ name }),
};
export const metricNames = Object.keys(BY_NAME);

/** The metrics with options, for compile({ metrics: [metrics.topKCategoricalAccuracy({ k: 3 }), metrics.auc()] }). */
export const metrics = Object.freeze({
  topKCategoricalAccuracy, sparseTopKCategoricalAccuracy, precision, recall, auc, meanAbsoluteError, meanSquaredError, fromFunction: metricFromFunction,
});

/** A name as written, in camelCase from Keras's snake_case, or from a Keras class name ('AUC', 'Precision'). */
function byName(name: string): ((name: string, lossName: string) => Metric) | undefined {
  const camel = name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const key = [name, camel, camel[0]?.toLowerCase() + camel.slice(1), name.toLowerCase()].find((k) => Object.hasOwn(BY_NAME, k));
  return key === undefined ? undefined : BY_NAME[key];
}

const isMetric = (spec: unknown): spec is Metric =>
  typeof spec === 'object' && spec !== null && typeof (spec as Metric).name === 'string' && typeof (spec as Metric).state === 'function';

/**
 * The metric for a name, a Metric or a user function. With a fused loss the model hands metrics the logits: a
 * built-in metric that reads probabilities, and a user function, get softmax or sigmoid of them instead.
 */
export function getMetric(spec: unknown, loss: Pick<Loss, 'name' | 'fused'>, where: string): Metric {
  if (isMetric(spec)) return forLoss(spec, loss);
  if (typeof spec === 'function') return forLoss(metricFromFunction(spec as MetricFn), loss);
  const make = typeof spec === 'string' ? byName(spec) : undefined;
  if (make === undefined) {
    const meant = typeof spec === 'string' ? closeName(spec, metricNames) : undefined;
    throw new ConfigError(`${where}: unknown metric ${describeValue(spec)}${meant === undefined ? '' : ` (did you mean '${meant}'?)`}; valid metrics are ${metricNames.join(', ')}, snake_case spellings, a Metric or a function (yTrue, yPred) => Tensor`);
  }
  return forLoss(make(spec as string, loss.name), loss);
}
