import { ConfigError, ValueError } from '../core/errors.ts';
import { checkOptionKeys } from '../core/options.ts';
import type { Domain } from './options.ts';
import { NON_NEGATIVE, POSITIVE, UNIT_CLOSED, checkBoolean, checkNumber, show } from './options.ts';

/** The options a schedule was made with, as plain values, for summary() and saving. */
export type ScheduleConfig = Readonly<Record<string, number | boolean | readonly number[] | null>>;

/**
 * A learning-rate schedule: a function of the 0-based step, usable as `learningRate` in any optimizer.
 * Its `name` is the factory's name and `config` holds the options it was made with.
 */
export interface LearningRateSchedule {
  (step: number): number;
  readonly name: string;
  readonly config: ScheduleConfig;
}

function makeSchedule(name: string, config: ScheduleConfig, fn: (step: number) => number): LearningRateSchedule {
  const schedule = (step: number): number => fn(step);
  Object.defineProperty(schedule, 'name', { value: name });
  return Object.freeze(Object.assign(schedule, { config: Object.freeze({ ...config }) }));
}

/** The options object with its keys checked; a missing object reads as {} so that the first required option is named. */
function given<T extends object>(who: string, options: T | undefined, valid: readonly string[]): Partial<T> {
  checkOptionKeys(options, valid, who);
  return options ?? {};
}

function required(who: string, options: object, key: string): unknown {
  const value = (options as Record<string, unknown>)[key];
  if (value === undefined) throw new ConfigError(`${who}: the option ${key} is required`);
  return value;
}

const number = (who: string, options: object, key: string, domain: Domain): number =>
  checkNumber(who, key, required(who, options, key), domain);

export interface ExponentialDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  /** Decay in whole periods of decaySteps (a staircase) rather than continuously. */
  staircase?: boolean;
}

/** lr(step) = initialLearningRate · decayRate^(step / decaySteps), the exponent floored when staircase is set. */
export function exponentialDecay(options: ExponentialDecayOptions): LearningRateSchedule {
  const who = 'exponentialDecay';
  const o = given(who, options, ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase']);
  const initialLearningRate = number(who, o, 'initialLearningRate', POSITIVE);
  const decaySteps = number(who, o, 'decaySteps', POSITIVE);
  const decayRate = number(who, o, 'decayRate', POSITIVE);
  const staircase = checkBoolean(who, 'staircase', o.staircase ?? false);
  return makeSchedule(who, { initialLearningRate, decaySteps, decayRate, staircase }, (step) => {
    const periods = step / decaySteps;
    return initialLearningRate * decayRate ** (staircase ? Math.floor(periods) : periods);
  });
}

export interface PiecewiseConstantOptions {
  /** Increasing steps where the rate changes. */
  boundaries: readonly number[];
  /** One more value than boundaries: values[i] holds for boundaries[i-1] < step <= boundaries[i]. */
  values: readonly number[];
}

/** values[0] up to and including boundaries[0], values[i] on (boundaries[i-1], boundaries[i]], the last value after. */
export function piecewiseConstant(options: PiecewiseConstantOptions): LearningRateSchedule {
  const who = 'piecewiseConstant';
  const o = given(who, options, ['boundaries', 'values']);
  const boundaries = required(who, o, 'boundaries');
  const values = required(who, o, 'values');
  if (!Array.isArray(boundaries) || !Array.isArray(values)) {
    throw new ValueError(`${who}: boundaries and values must be arrays of numbers, got ${show(boundaries)} and ${show(values)}`);
  }
  if (values.length !== boundaries.length + 1) {
    throw new ValueError(`${who}: values must have one more entry than boundaries (${boundaries.length + 1}), got ${values.length}`);
  }
  boundaries.forEach((b, i) => {
    checkNumber(who, `boundaries[${i}]`, b, NON_NEGATIVE);
    if (i > 0 && !(b > boundaries[i - 1])) {
      throw new ValueError(`${who}: boundaries must be strictly increasing, got ${boundaries[i - 1]} then ${b} at index ${i}`);
    }
  });
  values.forEach((v, i) => checkNumber(who, `values[${i}]`, v, NON_NEGATIVE));
  const b: readonly number[] = [...boundaries];
  const v: readonly number[] = [...values];
  return makeSchedule(who, { boundaries: Object.freeze(b), values: Object.freeze(v) }, (step) => {
    let i = 0;
    while (i < b.length && step > b[i]) i++;
    return v[i];
  });
}

export interface CosineDecayOptions {
  initialLearningRate: number;
  /** Steps of the cosine, after the warm-up. */
  decaySteps: number;
  /** The final rate as a fraction of the starting one (default 0). */
  alpha?: number;
  /** With a warm-up: the rate reached after warmupSteps, where the cosine starts. */
  warmupTarget?: number;
  warmupSteps?: number;
}

/**
 * Keras 3's CosineDecay. Without a warm-up: lr = initial · ((1 − alpha) · ½(1 + cos(π·min(step, decaySteps)/decaySteps)) + alpha).
 * With warmupTarget: a linear ramp from initialLearningRate to warmupTarget over warmupSteps steps, then the same
 * cosine from warmupTarget over decaySteps; the two pieces meet at warmupTarget, so the curve is continuous.
 */
export function cosineDecay(options: CosineDecayOptions): LearningRateSchedule {
  const who = 'cosineDecay';
  const o = given(who, options, ['initialLearningRate', 'decaySteps', 'alpha', 'warmupTarget', 'warmupSteps']);
  const { warmupTarget = null, warmupSteps = 0, alpha = 0 } = o;
  // A warm-up may start from 0; without one, a rate of 0 would never train.
  const initialLearningRate = number(who, o, 'initialLearningRate', warmupTarget === null ? POSITIVE : NON_NEGATIVE);
  const decaySteps = number(who, o, 'decaySteps', POSITIVE);
  checkNumber(who, 'alpha', alpha, UNIT_CLOSED);
  checkNumber(who, 'warmupSteps', warmupSteps, NON_NEGATIVE);
  if (warmupTarget !== null) checkNumber(who, 'warmupTarget', warmupTarget, POSITIVE);
  if (warmupTarget === null && warmupSteps > 0) {
    throw new ConfigError(`${who}: warmupSteps ${warmupSteps} needs a warmupTarget, the rate the warm-up climbs to`);
  }
  const cosine = (step: number, from: number): number => {
    const fraction = Math.min(step, decaySteps) / decaySteps;
    return from * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * fraction)) + alpha);
  };
  return makeSchedule(who, { initialLearningRate, decaySteps, alpha, warmupTarget, warmupSteps }, (step) => {
    if (warmupTarget === null) return cosine(step, initialLearningRate);
    if (step < warmupSteps) return initialLearningRate + ((warmupTarget - initialLearningRate) * step) / warmupSteps;
    return cosine(step - warmupSteps, warmupTarget);
  });
}
