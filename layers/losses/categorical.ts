import { add, clip, div, log, mul, neg, softmaxCrossEntropy, sum } from '../../core/ops/index.ts';
import type { Tensor } from '../../core/tensor.ts';
import { checkOptionKeys } from '../../core/options.ts';
import type { CrossentropyOptions, Loss } from './loss.ts';
import { EPSILON, defineLoss, readFromLogits, readLabelSmoothing } from './loss.ts';
import { categoricalTargets, sparseTargets } from './targets.ts';

/**
 * −Σ y·logSoftmax(z) over the class axis (compute averages it over the batch): logsumexp(z) − Σ y·z when the rows of y sum
 * to 1, so the tape gradient is (softmax(z) − y)/N. One primitive (softmaxCrossEntropy) forward and one backward, where
 * the composite took about ten small ones each way; like logSoftmax it subtracts the row's max first, which keeps the
 * value exact in float32 even for logits of ±1e4 (logsumexp(z) − z loses ~1e-3 there).
 */
function fromLogits(y: Tensor, z: Tensor): Tensor {
  return softmaxCrossEntropy(z, y);
}

/** Keras: p / Σp, clipped to [ε, 1 − ε], then −Σ y·log p over the class axis, averaged over the batch. */
function fromProbabilities(y: Tensor, p: Tensor): Tensor {
  const clipped = clip(div(p, sum(p, -1, true)), EPSILON, 1 - EPSILON);
  return neg(sum(mul(y, log(clipped)), -1));
}

/** y·(1 − s) + s/K. */
function smooth(y: Tensor, s: number): Tensor {
  return s === 0 ? y : add(mul(y, 1 - s), s / y.shape[y.rank - 1]);
}

/**
 * On logits z of shape [...batch, K] with one-hot-like targets of the same shape: the fused form of softmax +
 * categorical crossentropy, whose tape gradient is (softmax(z) − y)/N by itself.
 */
export function softmaxCategoricalCrossentropy(options: Omit<CrossentropyOptions, 'fromLogits'> = {}): Loss {
  const who = 'softmaxCategoricalCrossentropy';
  checkOptionKeys(options, ['labelSmoothing'], who);
  return softmaxCrossentropy(readLabelSmoothing(who, options.labelSmoothing), who);
}

/** softmaxCategoricalCrossentropy whose target errors name `who`: the fused form speaks of the loss the user chose. */
function softmaxCrossentropy(labelSmoothing: number, who: string): Loss {
  const compute = (yTrue: Tensor, yPred: Tensor): Tensor => fromLogits(smooth(categoricalTargets(who, yTrue, yPred), labelSmoothing), yPred);
  return defineLoss('softmaxCategoricalCrossentropy', { labelSmoothing }, compute);
}

/**
 * Targets one-hot-like of width K = yPred's last axis. On probabilities it is fused with a softmax output into
 * softmaxCategoricalCrossentropy; fromLogits computes exactly that loss.
 */
export function categoricalCrossentropy(options: CrossentropyOptions = {}): Loss {
  const who = 'categoricalCrossentropy';
  checkOptionKeys(options, ['fromLogits', 'labelSmoothing'], who);
  const logits = readFromLogits(who, options.fromLogits);
  const labelSmoothing = readLabelSmoothing(who, options.labelSmoothing);
  const compute = (yTrue: Tensor, yPred: Tensor): Tensor => {
    const y = smooth(categoricalTargets(who, yTrue, yPred), labelSmoothing);
    return logits ? fromLogits(y, yPred) : fromProbabilities(y, yPred);
  };
  const fused = logits ? undefined : { activation: 'softmax' as const, loss: softmaxCrossentropy(labelSmoothing, who) };
  return defineLoss(who, { fromLogits: logits, labelSmoothing }, compute, fused);
}

/** Targets are integer class indices of shape [...batch] or [...batch, 1]; otherwise as categoricalCrossentropy. */
export function sparseCategoricalCrossentropy(options: Omit<CrossentropyOptions, 'labelSmoothing'> = {}): Loss {
  const who = 'sparseCategoricalCrossentropy';
  checkOptionKeys(options, ['fromLogits'], who);
  const logits = readFromLogits(who, options.fromLogits);
  const compute = (yTrue: Tensor, yPred: Tensor): Tensor => {
    const y = sparseTargets(who, yTrue, yPred);
    return logits ? fromLogits(y, yPred) : fromProbabilities(y, yPred);
  };
  const fused = logits ? undefined : { activation: 'softmax' as const, loss: sparseCategoricalCrossentropy({ fromLogits: true }) };
  return defineLoss(who, { fromLogits: logits }, compute, fused);
}
