import { freeze } from 'immer';
import { zerosLike } from '../core/creation.ts';
import { allocateOutput } from '../core/buffer-pool.ts';
import type { TypedArray } from '../core/dtype.ts';
import { checkFinite, isDebuggingNumerics } from '../core/debug-numerics.ts';
import { ConfigError, ValueError } from '../core/errors.ts';
import { Tensor } from '../core/tensor.ts';
import type { Tree } from '../core/tree.ts';
import { leaves, rebuild } from '../core/tree.ts';
import type { CommonSettings } from './common.ts';
import { checkRateOverride, resolveLearningRate } from './learning-rate.ts';
import { matchTrees } from './match.ts';
import type { LearningRate, Optimizer, OptimizerState } from './optimizer.ts';
import { show } from './options.ts';
import { updatesInPlace } from './in-place.ts';

/**
 * One fused loop over one parameter: reads p, g and the old slots, writes the new p and the new slots.
 * All arrays have the parameter's length and dtype; values are computed in float64 JS numbers and rounded on store.
 * It must write every element of pOut and slotsOut: they may come from the buffer pool uncleared. It must read every
 * input at index i before it writes any output at index i: inside fit, pOut may be p and slotsOut the slots (in-place.ts).
 */
export type LeafKernel = (
  p: TypedArray, g: TypedArray, slots: readonly TypedArray[], pOut: TypedArray, slotsOut: readonly TypedArray[],
) => void;

/** What an optimizer adds to the shared driver: its hyperparameters, its slot names and its per-leaf loop. */
export interface OptimizerSpec {
  readonly name: string;
  readonly learningRate: LearningRate;
  readonly hyperparameters: Readonly<Record<string, number | boolean>>;
  readonly common: CommonSettings;
  readonly slots: readonly string[];
  /** The loop for one step: lr is this step's rate, step is 0-based, and decay = 1 - lr * weightDecay scales p first. */
  kernel(lr: number, step: number, decay: number): LeafKernel;
}

function checkState(who: string, state: unknown, slots: readonly string[]): asserts state is OptimizerState {
  if (state === null || typeof state !== 'object') throw new ValueError(`${who}: expected an optimizer state from init, got ${show(state)}`);
  const { step, slots: given } = state as { step?: unknown; slots?: unknown };
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) {
    throw new ValueError(`${who}: state.step must be a non-negative integer, got ${show(step)}`);
  }
  const names = given !== null && typeof given === 'object' ? Object.keys(given) : [];
  if (names.length !== slots.length || !slots.every((s) => names.includes(s))) {
    throw new ConfigError(`${who}: the state has slots {${names.join(', ')}} but this optimizer uses {${slots.join(', ')}} (was the state made by another optimizer's init?)`);
  }
}

/** Deeply frozen (immer's freeze stops at tensors): a state is a value, safe to keep as a snapshot. */
function freezeState(step: number, slots: Record<string, Tree>): OptimizerState {
  return freeze({ step, slots }, true);
}

/**
 * The shared init/update of every optimizer. The update runs once per training step over every parameter, so it is
 * not built from tensor ops: each leaf gets one loop over the typed arrays, into new arrays (from the buffer pool
 * inside fit's step, not cleared first: the loop writes them whole).
 * It runs outside the autodiff tape (the new tensors record nothing), and no existing storage is written, except the
 * arrays fit's step says nobody else holds (in-place.ts).
 */
export function defineOptimizer(spec: OptimizerSpec): Optimizer {
  const { name, slots, common } = spec;
  const learningRateAt = (step: number): number => resolveLearningRate(name, spec.learningRate, step);
  const learningRate = typeof spec.learningRate === 'function' ? describeSchedule(spec.learningRate) : spec.learningRate;
  return Object.freeze({
    name,
    config: Object.freeze({ learningRate, ...spec.hyperparameters, ...common.config }),
    learningRateAt,
    init(params: Tree): OptimizerState {
      const ps = leaves(params, `${name}: params`);
      return freezeState(0, Object.fromEntries(slots.map((s) => [s, rebuild(params, ps.map(zerosLike))])));
    },
    update<T extends Tree>(grads: T, state: OptimizerState, params: T, learningRate?: number): [T, OptimizerState] {
      checkState(name, state, slots);
      const lr = learningRate === undefined ? learningRateAt(state.step) : checkRateOverride(name, learningRate);
      const [ps, gs] = matchTrees(name, params, grads, 'grads');
      const slotsIn = slots.map((s) => matchTrees(name, params, state.slots[s], `state.slots.${s}`)[1]);
      const g = common.clip(gs);
      const kernel = spec.kernel(lr, state.step, 1 - lr * common.weightDecay);
      const newParams: Tensor[] = [];
      const newSlots: Tensor[][] = slots.map(() => []);
      const checkUpdate = (i: number): void => {
        const inputs: [string, Tensor][] = [['param', ps[i]], ['grad', g[i]], ...slots.map((s, k): [string, Tensor] => [s, slotsIn[k][i]])];
        checkFinite(`${name} update of parameter ${i}`, inputs, newParams[i].storage, ps[i].shape, 'update');
        slots.forEach((s, k) => checkFinite(`${name} update of ${s} ${i}`, inputs, newSlots[k][i].storage, ps[i].shape, 'update'));
      };
      // While debugNumerics is on, the inputs stay as they were, so that a bad update can be told from a bad input.
      const inPlace = (i: number, old: TypedArray[]): boolean => !isDebuggingNumerics() && updatesInPlace(ps[i].storage, g[i].storage, old);
      ps.forEach((p, i) => {
        const old = slotsIn.map((s) => s[i].storage);
        const [out, outs] = inPlace(i, old) ? [p.storage, old]
          : [allocateOutput(p.dtype, p.size), slots.map(() => allocateOutput(p.dtype, p.size))];
        kernel(p.storage, g[i].storage, old, out, outs);
        newParams.push(new Tensor(out, p.shape));
        outs.forEach((o, k) => newSlots[k].push(new Tensor(o, p.shape)));
        if (isDebuggingNumerics()) checkUpdate(i);
      });
      const nextSlots = Object.fromEntries(slots.map((s, k) => [s, rebuild(params, newSlots[k])]));
      return [rebuild(params, newParams), freezeState(state.step + 1, nextSlots)];
    },
  });
}

/** A schedule made by optim/schedules.ts reads as its call, e.g. "exponentialDecay(initialLearningRate=0.01, ...)"; any other function as 'schedule'. */
function describeSchedule(fn: (step: number) => number): string {
  const { config } = fn as { config?: Record<string, unknown> };
  if (config === undefined || typeof config !== 'object') return 'schedule';
  const args = Object.entries(config).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`);
  return `${fn.name}(${args.join(', ')})`;
}
