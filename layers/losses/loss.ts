import { ConfigError, ValueError, describeValue } from '../../core/errors.ts';
import { expectTensor } from '../../core/ops/broadcast.ts';
import type { Tensor } from '../../core/tensor.ts';
import { mean } from '../../core/ops/index.ts';

export interface Loss {
  /** camelCase, like 'categoricalCrossentropy'. */
  readonly name: string;
  /** The options it was made with. */
  readonly config: Readonly<Record<string, number | boolean | string>>;
  /** Checks that yTrue fits yPred, then gives the scalar mean over the batch of the per-sample loss. */
  compute(yTrue: Tensor, yPred: Tensor): Tensor;
  /** The loss before its mean, batch first (per sample, or per element): `compute` is its mean. Built-in losses have it; sampleWeight needs it. */
  unreduced?(yTrue: Tensor, yPred: Tensor): Tensor;
  /** When the loss consumes probabilities from `activation`, the same loss on the pre-activation logits, fused for stability. */
  readonly fused?: { readonly activation: 'softmax' | 'sigmoid'; readonly loss: Loss };
}

export interface CrossentropyOptions {
  /** yPred holds logits rather than probabilities. */
  fromLogits?: boolean;
  /** In [0, 1]: targets move towards the uniform distribution by this fraction. */
  labelSmoothing?: number;
}

/** Keras's backend epsilon: probabilities are clipped to [ε, 1 − ε] before their log. */
export const EPSILON = 1e-7;

const builtInLosses = new WeakSet<Loss>();

/** True for a loss semiflow made (defineLoss); any other Loss is user code, run under userCode. */
export function isBuiltInLoss(loss: Loss): boolean {
  return builtInLosses.has(loss);
}

/**
 * A frozen Loss from its unreduced form (batch first); compute is the mean of it. Both first check that their
 * arguments are tensors; `fused` is absent when not given.
 */
export function defineLoss(
  name: string,
  config: Record<string, number | boolean | string>,
  unreduced: (yTrue: Tensor, yPred: Tensor) => Tensor,
  fused?: Loss['fused'],
): Loss {
  const checked = (yTrue: Tensor, yPred: Tensor): Tensor => unreduced(expectTensor(yTrue, name, 'yTrue'), expectTensor(yPred, name, 'yPred'));
  const loss: Loss = {
    name,
    config: Object.freeze(config),
    compute: (yTrue: Tensor, yPred: Tensor): Tensor => mean(checked(yTrue, yPred)),
    unreduced: checked,
    ...(fused === undefined ? {} : { fused: Object.freeze(fused) }),
  };
  builtInLosses.add(loss);
  return Object.freeze(loss);
}

export function readFromLogits(who: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new ConfigError(`${who}: fromLogits must be true or false, got ${describeValue(value)}`);
  return value;
}

export function readLabelSmoothing(who: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new ValueError(`${who}: labelSmoothing must be a number in [0, 1], got ${describeValue(value)}`);
  }
  return value;
}
