import { checkSeed } from '../core/random.ts';
import { freeze, produce } from 'immer';
import { ConfigError, describeValue } from '../core/errors.ts';
import type { Tree } from '../core/tree.ts';
import { leaves, rebuild } from '../core/tree.ts';
import type { Optimizer, OptimizerState } from './optimizer.ts';
import { checkRateOverride } from './learning-rate.ts';
import { isOptimizer } from './registry.ts';

/**
 * Everything a training loop carries between steps, as one immutable tree updated with immer.
 * Tensors are immutable leaves that get replaced, so keeping a reference to a state is a free snapshot
 * (restore-best-weights, checkpoints).
 * It holds a seed and the step count rather than a mutable generator: whoever needs randomness for a step
 * derives it from (seed, step), so a state alone reproduces its step, and old states stay valid.
 */
export interface TrainState<P extends Tree = Tree> {
  readonly params: P;
  readonly optimizerState: OptimizerState;
  readonly step: number;
  readonly seed: number;
  /** A rate that replaces the optimizer's rate or schedule from the next step on (set by a callback); null uses the optimizer's own. */
  readonly learningRate: number | null;
}

/** The state at step 0. The params tree is copied (same tensors) before being frozen, so the caller's objects stay as they were. */
export function createTrainState<P extends Tree>(params: P, optimizer: Optimizer, seed: number): TrainState<P> {
  checkOptimizer(optimizer, 'createTrainState');
  checkSeed(seed, 'createTrainState');
  const own = rebuild(params, leaves(params, 'createTrainState: params'));
  return freeze({ params: own, optimizerState: optimizer.init(own), step: 0, seed, learningRate: null }, true);
}

/** The rate the next step will use: the override if one is set, else the optimizer's rate or schedule at state.step. */
export function learningRateOf(state: TrainState, optimizer: Optimizer): number {
  return state.learningRate ?? optimizer.learningRateAt(state.step);
}

/**
 * A new state whose next steps use `rate` in place of the optimizer's rate or schedule (a constant, as when Keras 2
 * set the rate of an optimizer), or go back to the optimizer's own with null.
 */
export function withLearningRate<S extends TrainState>(state: S, rate: number | null): S {
  const checked = rate === null ? null : checkRateOverride('withLearningRate', rate);
  return produce<TrainState>(state, (draft) => { draft.learningRate = checked; }) as S;
}

/** One optimizer step: a new state with new params and optimizer state and step + 1; the old state is untouched. */
export function applyGradients<P extends Tree>(state: TrainState<P>, grads: P, optimizer: Optimizer): TrainState<P> {
  checkOptimizer(optimizer, 'applyGradients');
  const [params, optimizerState] = optimizer.update(grads, state.optimizerState, state.params, state.learningRate ?? undefined);
  // A spread and a freeze rather than immer's produce: this runs every step, and every field but step is replaced.
  return freeze({ ...state, params, optimizerState, step: state.step + 1 }, true);
}

function checkOptimizer(optimizer: unknown, who: string): void {
  if (!isOptimizer(optimizer)) throw new ConfigError(`${who}: optimizer must be an optimizer object such as adam(), got ${describeValue(optimizer)}`);
}
