import { ShapeError, fmtShape } from '../core/errors.ts';
import { userCode } from '../core/buffer-scope.ts';
import { sigmoid, softmax } from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import type { Loss } from '../layers/losses.ts';

/** What a metric has seen since it was made: fit makes one per metric per epoch, evaluate one per call. */
export interface MetricState {
  /** Adds one batch. `logits` says yPred holds the pre-activation values of a fused softmax or sigmoid. */
  update(yTrue: Tensor, yPred: Tensor, logits: boolean): void;
  /** The value over every batch added so far: the state's result, not a mean of per-batch values. */
  result(): number;
}

/** A metric as Keras has them: stateful over an epoch, reset by making a new state. */
export interface Metric {
  /** The key of its value in the logs and History. */
  readonly name: string;
  state(): MetricState;
}

/** Built-in metrics that read probabilities: getMetric applies the fused activation to logits before they see them. */
const onProbabilities = new WeakSet<Metric>();

export function readsProbabilities(metric: Metric): Metric {
  onProbabilities.add(metric);
  return metric;
}

/** The metric as the model's loss needs it: with a fused loss, a probability metric gets softmax(z) or sigmoid(z), not z. */
export function forLoss(metric: Metric, loss: Pick<Loss, 'fused'>): Metric {
  const activation = loss.fused?.activation;
  if (!onProbabilities.has(metric) || activation === undefined) return metric;
  const toProbabilities = activation === 'softmax' ? softmax : sigmoid;
  return {
    name: metric.name,
    state() {
      const inner = metric.state();
      return {
        update: (yTrue, yPred, logits) => inner.update(yTrue, logits ? toProbabilities(yPred) : yPred, false),
        result: () => inner.result(),
      };
    },
  };
}

/** A user's Metric: its update runs as user code, so the buffer pool never recycles a tensor it sees or keeps. */
export function asUserMetric(metric: Metric): Metric {
  return {
    name: metric.name,
    state() {
      const inner = metric.state();
      return {
        update: (yTrue, yPred, logits) => userCode([yTrue, yPred], () => inner.update(yTrue, yPred, logits)),
        result: () => inner.result(),
      };
    },
  };
}

/** A metric whose value is Σ total / Σ count over the batches, from each batch's (total, count). */
export function counted(name: string, measure: (yTrue: Tensor, yPred: Tensor, logits: boolean) => { total: number; count: number }): Metric {
  return {
    name,
    state() {
      let total = 0;
      let count = 0;
      return {
        update(yTrue, yPred, logits) {
          const batch = measure(yTrue, yPred, logits);
          total += batch.total;
          count += batch.count;
        },
        result: () => total / count,
      };
    },
  };
}

/** Element-wise metrics compare targets and predictions of the same size, element by element. */
export function checkSameSize(name: string, yTrue: Tensor, yPred: Tensor): void {
  if (yTrue.size !== yPred.size) {
    throw new ShapeError(`${name}: expected targets with one value per prediction, got targets ${fmtShape(yTrue.shape)} for predictions ${fmtShape(yPred.shape)}`);
  }
}
