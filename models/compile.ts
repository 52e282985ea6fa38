import { ConfigError, describeValue } from '../core/errors.ts';
import type { Activation } from '../layers/activations.ts';
import { getActivation } from '../layers/activations.ts';
import type { Layer } from '../layers/layer.ts';
import type { Loss } from '../layers/losses.ts';
import { getLoss } from '../layers/losses.ts';
import { checkOptionKeys } from '../core/options.ts';
import type { Optimizer } from '../optim/index.ts';
import { getOptimizer } from '../optim/index.ts';
import type { Metric, MetricSpec } from './metrics.ts';
import { getMetric } from './metrics.ts';

export interface CompileOptions {
  /** A name ('sgd', 'momentum', 'rmsprop', 'adam', 'adamw') or an optimizer object. Keras's default is rmsprop. */
  optimizer?: string | Optimizer;
  loss: string | Loss;
  /** Names ('accuracy', 'auc', 'top_k_categorical_accuracy'...), Metric objects (see `metrics`) or functions (yTrue, yPred) => Tensor. */
  metrics?: readonly MetricSpec[];
}

/** What compile resolved: the loss that training minimises may be the fused form on the last layer's logits. */
export interface Compiled {
  readonly optimizer: Optimizer;
  readonly loss: Loss;
  /** `loss`, or its fused form when the last layer's activation was folded into it. */
  readonly trainingLoss: Loss;
  /** The layer whose activation the fused loss replaces during training and evaluation. */
  readonly fusedLayer: string | null;
  readonly metrics: readonly Metric[];
}

/** The activation a layer applies last, if it has one. */
function finalActivation(layer: Layer | undefined): Activation | undefined {
  const activation = (layer as { activation?: unknown } | undefined)?.activation;
  return activation !== undefined && typeof (activation as Activation).fn === 'function' ? activation as Activation : undefined;
}

/**
 * Resolves names to objects. When the model ends in a softmax (or sigmoid) and the loss has a fused form on
 * logits, training uses that form on the logits instead, −Σ y·logSoftmax(z) = logsumexp(z) − Σ y·z for one-hot y:
 * exact where log(softmax) underflows, and its tape gradient is softmax(z) − y. predict() still applies the activation.
 */
export function resolveCompile(options: CompileOptions, lastLayer: Layer | undefined, where: string): Compiled {
  if (options === null || typeof options !== 'object') throw new ConfigError(`${where}: compile expects {optimizer, loss, metrics}, got ${describeValue(options)}`);
  checkOptionKeys(options, ['optimizer', 'loss', 'metrics'], `${where}.compile`);
  if (options.loss === undefined) throw new ConfigError(`${where}.compile: a loss is required, like loss: 'categoricalCrossentropy'`);
  const optimizer = getOptimizer(options.optimizer ?? 'rmsprop', `${where}.compile`);
  const loss = getLoss(options.loss, `${where}.compile`);
  if (options.metrics !== undefined && !Array.isArray(options.metrics)) {
    throw new ConfigError(`${where}.compile: metrics must be an array of names, metrics or functions, like ['accuracy'], got ${describeValue(options.metrics)}`);
  }
  const metrics = (options.metrics ?? []).map((m) => getMetric(m, loss, `${where}.compile`));
  const activation = finalActivation(lastLayer);
  const fused = loss.fused;
  const fusable = fused !== undefined && activation !== undefined && activation.fn === getActivation(fused.activation, where).fn;
  return {
    optimizer,
    loss,
    trainingLoss: fusable ? fused.loss : loss,
    fusedLayer: fusable ? (lastLayer as Layer).name : null,
    metrics,
  };
}
