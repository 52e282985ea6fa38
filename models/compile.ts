import { ConfigError, describeValue } from '../core/errors.ts';
import type { Activation } from '../layers/activations.ts';
import { getActivation } from '../layers/activations.ts';
import type { AnyLayer } from '../layers/layer.ts';
import type { Loss } from '../layers/losses.ts';
import { getLoss } from '../layers/losses.ts';
import { checkOptionKeys } from '../core/options.ts';
import type { Optimizer } from '../optim/index.ts';
import { getOptimizer } from '../optim/index.ts';
import type { Metric, MetricSpec } from './metrics.ts';
import { getMetric } from './metrics.ts';

export type LossSpec = string | Loss;

/** One value for every output, a list with one per output, or a record by output name. */
export type PerOutput<T> = T | readonly T[] | Readonly<Record<string, T>>;

export interface CompileOptions {
  /** A name ('sgd', 'momentum', 'rmsprop', 'adam', 'adamw') or an optimizer object. Keras's default is rmsprop. */
  optimizer?: string | Optimizer;
  /** One loss for every output, or one per output (a list in output order, or a record by output name). */
  loss: LossSpec | readonly LossSpec[] | Readonly<Record<string, LossSpec>>;
  /** What each output's loss counts in the total that training minimises (default 1 each). */
  lossWeights?: readonly number[] | Readonly<Record<string, number>>;
  /**
   * Metrics for every output, or per output (a list of lists, or a record by output name): names ('accuracy', 'auc',
   * 'top_k_categorical_accuracy'...), Metric objects (see `metrics`) or functions (yTrue, yPred) => Tensor.
   */
  metrics?: readonly MetricSpec[] | readonly (readonly MetricSpec[])[] | Readonly<Record<string, readonly MetricSpec[]>>;
}

/** What compile resolved for one output: the loss that training minimises may be the fused form on the layer's logits. */
export interface CompiledOutput {
  /** The output's name (its layer's); it prefixes the output's logs when the model has several. */
  readonly name: string;
  readonly loss: Loss;
  /** `loss`, or its fused form when the output layer's activation was folded into it. */
  readonly trainingLoss: Loss;
  /** The layer whose activation the fused loss replaces during training and evaluation. */
  readonly fusedLayer: string | null;
  readonly metrics: readonly Metric[];
  readonly weight: number;
}

/** What compile resolved; `loss`, `trainingLoss`, `fusedLayer` and `metrics` are those of the first output. */
export interface Compiled {
  readonly optimizer: Optimizer;
  readonly loss: Loss;
  readonly trainingLoss: Loss;
  readonly fusedLayer: string | null;
  readonly metrics: readonly Metric[];
  readonly outputs: readonly CompiledOutput[];
}

/** The activation a layer applies last, if it has one. */
function finalActivation(layer: AnyLayer | undefined): Activation | undefined {
  const activation = (layer as { activation?: unknown } | undefined)?.activation;
  return activation !== undefined && typeof (activation as Activation).fn === 'function' ? activation as Activation : undefined;
}

/** The value for each output from one value, a list in output order or a record by output name. */
function perOutput<T>(spec: unknown, isOne: (v: unknown) => v is T, fallback: T, names: readonly string[], key: string, where: string): T[] {
  if (spec === undefined) return names.map(() => fallback);
  if (isOne(spec)) return names.map(() => spec);
  const expected = `one value for every output, a list of ${names.length}, or a record by output name (${names.join(', ')})`;
  if (Array.isArray(spec)) {
    if (spec.length !== names.length || !spec.every(isOne)) throw new ConfigError(`${where}: ${key} must be ${expected}, got ${describeValue(spec)}`);
    return spec;
  }
  if (spec !== null && typeof spec === 'object') {
    const record = spec as Record<string, unknown>;
    const unknown = Object.keys(record).find((k) => !names.includes(k));
    if (unknown !== undefined) throw new ConfigError(`${where}: ${key} names '${unknown}', which is not an output; the outputs are ${names.join(', ')}`);
    return names.map((name) => {
      const value = record[name] ?? fallback;
      if (!isOne(value)) throw new ConfigError(`${where}: ${key}.${name} must be ${expected.split(',')[0]}, got ${describeValue(value)}`);
      return value;
    });
  }
  throw new ConfigError(`${where}: ${key} must be ${expected}, got ${describeValue(spec)}`);
}

const isLossSpec = (v: unknown): v is LossSpec => typeof v === 'string' || (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as Loss).compute === 'function');
const isWeight = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isMetricList = (v: unknown): v is readonly MetricSpec[] => Array.isArray(v) && !v.some((m) => Array.isArray(m));

/**
 * Resolves names to objects, per output. When an output layer ends in a softmax (or sigmoid) and its loss has a
 * fused form on logits, training uses that form on the logits instead, −Σ y·logSoftmax(z) = logsumexp(z) − Σ y·z for
 * one-hot y: exact where log(softmax) underflows, and its tape gradient is softmax(z) − y. predict() still applies the activation.
 */
export function resolveCompile(options: CompileOptions, outputLayers: readonly (AnyLayer | undefined)[], outputNames: readonly string[], where: string): Compiled {
  if (options === null || typeof options !== 'object') throw new ConfigError(`${where}: compile expects {optimizer, loss, metrics}, got ${describeValue(options)}`);
  const who = `${where}.compile`;
  checkOptionKeys(options, ['optimizer', 'loss', 'lossWeights', 'metrics'], who);
  if (options.loss === undefined) throw new ConfigError(`${who}: a loss is required, like loss: 'categoricalCrossentropy'`);
  const optimizer = getOptimizer(options.optimizer ?? 'rmsprop', who);
  const losses = perOutput(options.loss, isLossSpec, 'meanSquaredError', outputNames, 'loss', who).map((l) => getLoss(l, who));
  const weights = perOutput(options.lossWeights, isWeight, 1, outputNames, 'lossWeights', who);
  // A flat list of names applies to every output; a list of lists or a record gives each output its own.
  const flatMetrics = options.metrics === undefined || (Array.isArray(options.metrics) && !options.metrics.some((m) => Array.isArray(m)));
  if (options.metrics !== undefined && !Array.isArray(options.metrics) && (options.metrics === null || typeof options.metrics !== 'object')) {
    throw new ConfigError(`${who}: metrics must be an array of names, metrics or functions, like ['accuracy'], got ${describeValue(options.metrics)}`);
  }
  const metricSpecs = flatMetrics ? outputNames.map(() => (options.metrics ?? []) as readonly MetricSpec[])
    : perOutput(options.metrics, isMetricList, [], outputNames, 'metrics', who);
  const outputs = outputNames.map((name, i): CompiledOutput => {
    const loss = losses[i];
    const activation = finalActivation(outputLayers[i]);
    const fused = loss.fused;
    const fusable = fused !== undefined && activation !== undefined && activation.fn === getActivation(fused.activation, where).fn;
    return {
      name, loss, trainingLoss: fusable ? fused.loss : loss, fusedLayer: fusable ? (outputLayers[i] as AnyLayer).name : null,
      metrics: metricSpecs[i].map((m) => getMetric(m, loss, who)), weight: weights[i],
    };
  });
  const [first] = outputs;
  return { optimizer, loss: first.loss, trainingLoss: first.trainingLoss, fusedLayer: first.fusedLayer, metrics: first.metrics, outputs };
}
