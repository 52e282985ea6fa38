import { ValueError } from '../core/errors.ts';
import type { LearningRate } from './optimizer.ts';
import { show } from './options.ts';

/** A learning rate must be a positive finite number or a schedule function; a schedule is checked at each step. */
export function checkLearningRate(who: string, value: unknown): LearningRate {
  if (typeof value === 'function') return value as (step: number) => number;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  const expected = typeof value === 'number' ? 'a positive finite number' : 'a positive finite number or a function (step) => number';
  throw new ValueError(`${who}: learningRate must be ${expected}, got ${show(value)}`);
}

/** The rate for a 0-based step. A schedule may return 0 (warm-up) but never a negative or non-finite rate. */
export function resolveLearningRate(who: string, learningRate: LearningRate, step: number): number {
  if (!Number.isInteger(step) || step < 0) throw new ValueError(`${who}: the step must be a non-negative integer, got ${show(step)}`);
  if (typeof learningRate === 'number') return learningRate;
  const value: unknown = learningRate(step);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValueError(`${who}: the learning-rate schedule returned ${show(value)} at step ${step} (expected a finite number >= 0)`);
  }
  return value;
}

/** A rate set over the schedule (by a callback or model.learningRate): a finite number >= 0, like a schedule's value. */
export function checkRateOverride(who: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValueError(`${who}: a learning-rate override must be a finite number >= 0, got ${show(value)}`);
  }
  return value;
}
