import type { Tree } from '../core/tree.ts';

/** A fixed rate, or a schedule that gets the 0-based step count (how many updates came before). */
export type LearningRate = number | ((step: number) => number);

/** What an optimizer carries from one step to the next. Slots (such as m and v) have the params' structure. */
export interface OptimizerState {
  readonly step: number;
  readonly slots: { readonly [name: string]: Tree };
}

/**
 * A pure optimizer, as in optax: init(params) -> state; update(grads, state, params) -> [params', state'].
 * Nothing is mutated: every call returns new tensors and a new state.
 */
export interface Optimizer {
  readonly name: string;
  /** The hyperparameters, for summary() and saving; a learning-rate schedule shows as its call, e.g. 'exponentialDecay(initialLearningRate=0.01, ...)', a plain function as 'schedule'. */
  readonly config: Readonly<Record<string, number | boolean | string | null>>;
  init(params: Tree): OptimizerState;
  /** `learningRate`, when given, replaces the rate or schedule for this step (a callback's override). */
  update<T extends Tree>(grads: T, state: OptimizerState, params: T, learningRate?: number): [T, OptimizerState];
  learningRateAt(step: number): number;
}

/** Options that every optimizer takes, as in the Keras base optimizer. At most one of the three clips may be set. */
export interface CommonOptions {
  /** Decoupled weight decay, applied before the update: p -= lr * weightDecay * p. */
  weightDecay?: number;
  /** Rescale each gradient tensor to an L2 norm of at most clipnorm. */
  clipnorm?: number;
  /** Clip each gradient element to [-clipvalue, clipvalue]. */
  clipvalue?: number;
  /** Rescale all gradients together to a global L2 norm of at most globalClipnorm. */
  globalClipnorm?: number;
}
