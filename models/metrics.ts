import { ConfigError, describeValue } from '../core/errors.ts';
import { closeName } from '../core/options.ts';
import type { Loss } from '../layers/losses.ts';
import { accuracy, binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy, sparseTopKCategoricalAccuracy, topKCategoricalAccuracy } from './metrics-accuracy.ts';
import { auc, precision, recall } from './metrics-confusion.ts';
import type { MetricFn } from './metrics-error.ts';
import { meanAbsoluteError, meanSquaredError, metricFromFunction } from './metrics-error.ts';
import type { Metric } from './metrics-state.ts';
import { asUserMetric, forLoss } from './metrics-state.ts';

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

/**
 * How compile's metrics are saved in model.json: a name as given, a built-in maker with its options, or for a
 * user's function or Metric only its name (`user`), since code cannot be stored.
 */
export type SavedMetric = string | { readonly name: string; readonly config: Readonly<Record<string, number | string>> } | { readonly user: string };

const savedForms = new WeakMap<Metric, SavedMetric>();

function remember(metric: Metric, form: SavedMetric | undefined): Metric {
  if (form !== undefined) savedForms.set(metric, form);
  return metric;
}

const MAKERS = { topKCategoricalAccuracy, sparseTopKCategoricalAccuracy, precision, recall, auc, meanAbsoluteError, meanSquaredError };
type Makers = typeof MAKERS;

/** A maker whose metrics remember their maker and options, so that a save can rebuild them. */
function savable<K extends keyof Makers>(name: K): Makers[K] {
  const make = MAKERS[name] as (options?: Record<string, number | string>) => Metric;
  return ((options: Record<string, number | string> = {}) => remember(make(options), { name, config: { ...options } })) as Makers[K];
}

/** The metrics with options, for compile({ metrics: [metrics.topKCategoricalAccuracy({ k: 3 }), metrics.auc()] }). */
export const metrics = Object.freeze({
  topKCategoricalAccuracy: savable('topKCategoricalAccuracy'),
  sparseTopKCategoricalAccuracy: savable('sparseTopKCategoricalAccuracy'),
  precision: savable('precision'),
  recall: savable('recall'),
  auc: savable('auc'),
  meanAbsoluteError: savable('meanAbsoluteError'),
  meanSquaredError: savable('meanSquaredError'),
  fromFunction: metricFromFunction,
});

/** How a compiled metric is saved. */
export function savedMetric(metric: Metric): SavedMetric {
  return savedForms.get(metric) ?? { user: metric.name };
}

/**
 * What compile takes for a saved metric. A user's metric cannot be rebuilt: it is left out with a warning (as
 * Keras warns when it cannot compile a loaded model); compile the model again to measure it.
 */
export function metricFromSaved(form: unknown, where: string): MetricSpec | undefined {
  if (typeof form === 'string') return form;
  if (typeof form === 'object' && form !== null && typeof (form as { user?: unknown }).user === 'string') {
    console.warn(`${where}: the metric '${(form as { user: string }).user}' was a user's function or Metric, which a save cannot store; it is left out`);
    return undefined;
  }
  const { name, config } = (form ?? {}) as { name?: unknown; config?: unknown };
  if (typeof name !== 'string' || !Object.hasOwn(MAKERS, name) || typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ConfigError(`${where}: a metric must be saved as a name, {name, config} of a built-in metric or {user}, got ${describeValue(form)}`);
  }
  return savable(name as keyof Makers)(config as Record<string, number | string>);
}

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
 * built-in metric that reads probabilities, and a user function, get softmax or sigmoid of them instead; a
 * user's Metric object gets them with logits = true, as its update's contract says.
 */
export function getMetric(spec: unknown, loss: Pick<Loss, 'name' | 'fused'>, where: string): Metric {
  if (isMetric(spec)) return savedForms.has(spec) ? remember(forLoss(spec, loss), savedForms.get(spec)) : asUserMetric(spec);
  if (typeof spec === 'function') return forLoss(metricFromFunction(spec as MetricFn), loss);
  const make = typeof spec === 'string' ? byName(spec) : undefined;
  if (make === undefined) {
    const meant = typeof spec === 'string' ? closeName(spec, metricNames) : undefined;
    throw new ConfigError(`${where}: unknown metric ${describeValue(spec)}${meant === undefined ? '' : ` (did you mean '${meant}'?)`}; valid metrics are ${metricNames.join(', ')}, snake_case spellings, a Metric or a function (yTrue, yPred) => Tensor`);
  }
  return remember(forLoss(make(spec as string, loss.name), loss), spec as string);
}
