import { add, clip, log, log1p, mul, neg, softplus, sub } from '../../core/ops/index.ts';
import type { Tensor } from '../../core/tensor.ts';
import { checkOptionKeys } from '../../core/options.ts';
import type { CrossentropyOptions, Loss } from './loss.ts';
import { EPSILON, defineLoss, readFromLogits, readLabelSmoothing } from './loss.ts';
import { checkProbabilities, elementwiseTargets } from './targets.ts';

/** On logits: max(z, 0) − z·y + log(1 + e^−|z|) = softplus(z) − z·y, whose core softplus never overflows. */
function fromLogits(y: Tensor, z: Tensor): Tensor {
  return sub(softplus(z), mul(z, y));
}

/** On probabilities clipped to [ε, 1 − ε]: −(y·log p + (1 − y)·log(1 − p)), with log1p for the second log. */
function fromProbabilities(y: Tensor, p: Tensor): Tensor {
  const clipped = clip(p, EPSILON, 1 - EPSILON);
  return neg(add(mul(y, log(clipped)), mul(sub(1, y), log1p(neg(clipped)))));
}

/**
 * Elementwise binary crossentropy, averaged over every element (Keras: the last axis, then the batch).
 * labelSmoothing s moves targets to y·(1 − s) + s/2. Without fromLogits it is fused with a sigmoid output.
 */
export function binaryCrossentropy(options: CrossentropyOptions = {}): Loss {
  const who = 'binaryCrossentropy';
  checkOptionKeys(options, ['fromLogits', 'labelSmoothing'], who);
  const logits = readFromLogits(who, options.fromLogits);
  const labelSmoothing = readLabelSmoothing(who, options.labelSmoothing);
  const compute = (yTrue: Tensor, yPred: Tensor): Tensor => {
    const targets = elementwiseTargets(who, yTrue, yPred);
    checkProbabilities(who, yTrue);
    const y = labelSmoothing === 0 ? targets : add(mul(targets, 1 - labelSmoothing), labelSmoothing / 2);
    return logits ? fromLogits(y, yPred) : fromProbabilities(y, yPred);
  };
  const fused = logits ? undefined : { activation: 'sigmoid' as const, loss: binaryCrossentropy({ fromLogits: true, labelSmoothing }) };
  return defineLoss(who, { fromLogits: logits, labelSmoothing }, compute, fused);
}
