import { tensor } from '../core/creation.ts';
import { DTYPES } from '../core/dtype.ts';
import type { DType } from '../core/dtype.ts';
import { ConfigError, ValueError, describeValue } from '../core/errors.ts';
import { Rng, checkSeed } from '../core/random.ts';
import { checkShape, sizeOf } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import { lookupName } from './lookup.ts';
import { checkOptionKeys, oneOf } from '../core/options.ts';
import { orthogonalValues } from './orthogonal.ts';

/** Makes the starting values of a weight, Keras-style. */
export interface Initializer {
  /** camelCase, like 'glorotUniform'. */
  readonly name: string;
  /** The options it was made with (null for an absent seed). */
  readonly config: Readonly<Record<string, number | string | null>>;
  /**
   * A tensor of `shape` and `dtype`, drawn from `rng` unless the initializer has its own seed.
   * Fans come from the shape: a Dense kernel [in,out]; a Conv kernel [kh,kw,inC,outC] → fanIn = kh·kw·inC,
   * fanOut = kh·kw·outC (Keras rule; 1-D shapes fanIn = fanOut = shape[0]).
   */
  create(shape: readonly number[], dtype: DType, rng: Rng): Tensor;
}

/** A seed makes a fresh Rng(seed) on every call, so every call gives the same values, as in Keras. */
export interface SeedOptions {
  seed?: number;
}

export interface ConstantOptions {
  value?: number;
}

export interface NormalOptions extends SeedOptions {
  mean?: number;
  stddev?: number;
}

export interface UniformOptions extends SeedOptions {
  minval?: number;
  maxval?: number;
}

export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';
export type ScalingDistribution = 'truncatedNormal' | 'untruncatedNormal' | 'uniform';

export interface VarianceScalingOptions extends SeedOptions {
  scale?: number;
  mode?: FanMode;
  distribution?: ScalingDistribution;
}

const FAN_MODES: readonly FanMode[] = ['fanIn', 'fanOut', 'fanAvg'];
const DISTRIBUTIONS: readonly ScalingDistribution[] = ['truncatedNormal', 'untruncatedNormal', 'uniform'];

/** The standard deviation of a unit normal truncated to [−2, 2]; dividing by it restores the intended std (Keras). */
const TRUNCATED_STD = 0.87962566103423978;

/** Keras's compute_fans: rank 0 → 1, 1; rank 1 → n, n; otherwise the last two axes times the receptive field. */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  const receptive = sizeOf(shape.slice(0, -2));
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

/** A sampler gets the generator and the checked shape, and returns the draw for one element. */
type Sampler = (rng: Rng, shape: readonly number[]) => () => number;

function define(name: string, config: Record<string, number | string | null>, seed: number | undefined, sampler: Sampler): Initializer {
  return Object.freeze({
    name,
    config: Object.freeze(config),
    create(shape: readonly number[], dtype: DType, rng: Rng): Tensor {
      const checked = checkShape(shape, name);
      if (!DTYPES.includes(dtype)) throw new ConfigError(`${name}: unknown dtype '${String(dtype)}' (expected one of ${DTYPES.join(', ')})`);
      if (seed === undefined && !(rng instanceof Rng)) {
        throw new ValueError(`${name}: create needs an Rng when the initializer has no seed, got ${describeValue(rng)}`);
      }
      const draw = sampler(seed === undefined ? rng : new Rng(seed), checked);
      const values = new Float64Array(sizeOf(checked));
      for (let i = 0; i < values.length; i++) values[i] = draw();
      return tensor(values, checked, dtype);
    },
  });
}

function checkFinite(who: string, key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValueError(`${who}: ${key} must be a finite number, got ${describeValue(value)}`);
  }
  return value;
}

function checkStddev(who: string, value: unknown): number {
  const stddev = checkFinite(who, 'stddev', value);
  if (stddev < 0) throw new ValueError(`${who}: stddev must be >= 0, got ${stddev}`);
  return stddev;
}

function optionalSeed(who: string, seed: unknown): number | undefined {
  return seed === undefined ? undefined : checkSeed(seed, who);
}

/** A unit normal redrawn until it lies within 2σ, as Keras's truncated normal. */
function truncatedUnit(rng: Rng): number {
  for (;;) {
    const z = rng.normal();
    if (Math.abs(z) <= 2) return z;
  }
}

export function zeros(): Initializer {
  return define('zeros', {}, undefined, () => () => 0);
}

export function ones(): Initializer {
  return define('ones', {}, undefined, () => () => 1);
}

export function constant(options: ConstantOptions = {}): Initializer {
  checkOptionKeys(options, ['value'], 'constant');
  const value = checkFinite('constant', 'value', options.value ?? 0);
  return define('constant', { value }, undefined, () => () => value);
}

/** mean + stddev · N(0, 1); Keras default stddev 0.05. */
export function randomNormal(options: NormalOptions = {}): Initializer {
  checkOptionKeys(options, ['mean', 'stddev', 'seed'], 'randomNormal');
  const { mean = 0, stddev = 0.05 } = options;
  checkFinite('randomNormal', 'mean', mean);
  checkStddev('randomNormal', stddev);
  const seed = optionalSeed('randomNormal', options.seed);
  return define('randomNormal', { mean, stddev, seed: seed ?? null }, seed, (rng) => () => mean + stddev * rng.normal());
}

/** Uniform in [minval, maxval); Keras default ±0.05. */
export function randomUniform(options: UniformOptions = {}): Initializer {
  checkOptionKeys(options, ['minval', 'maxval', 'seed'], 'randomUniform');
  const { minval = -0.05, maxval = 0.05 } = options;
  checkFinite('randomUniform', 'minval', minval);
  checkFinite('randomUniform', 'maxval', maxval);
  if (minval >= maxval) throw new ValueError(`randomUniform: expected minval < maxval, got minval ${minval}, maxval ${maxval}`);
  const seed = optionalSeed('randomUniform', options.seed);
  return define('randomUniform', { minval, maxval, seed: seed ?? null }, seed, (rng) => () => minval + (maxval - minval) * rng.next());
}

/** mean + stddev · z with z a unit normal redrawn beyond 2σ; Keras default stddev 0.05. */
export function truncatedNormal(options: NormalOptions = {}): Initializer {
  checkOptionKeys(options, ['mean', 'stddev', 'seed'], 'truncatedNormal');
  const { mean = 0, stddev = 0.05 } = options;
  checkFinite('truncatedNormal', 'mean', mean);
  checkStddev('truncatedNormal', stddev);
  const seed = optionalSeed('truncatedNormal', options.seed);
  return define('truncatedNormal', { mean, stddev, seed: seed ?? null }, seed, (rng) => () => mean + stddev * truncatedUnit(rng));
}

/**
 * Variance scale / fan, where fan is fanIn, fanOut or their mean (at least 1): uniform in ±√(3·variance), or a
 * normal of std √variance (truncated at 2σ and divided by TRUNCATED_STD so the truncated std is still √variance).
 */
function scaled(name: string, scale: number, mode: FanMode, distribution: ScalingDistribution, seed: number | undefined, config: Record<string, number | string | null>): Initializer {
  return define(name, config, seed, (rng, shape) => {
    const { fanIn, fanOut } = computeFans(shape);
    const fan = Math.max(1, mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2);
    const variance = scale / fan;
    if (distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      return () => limit * (2 * rng.next() - 1);
    }
    if (distribution === 'untruncatedNormal') {
      const stddev = Math.sqrt(variance);
      return () => stddev * rng.normal();
    }
    const stddev = Math.sqrt(variance) / TRUNCATED_STD;
    return () => stddev * truncatedUnit(rng);
  });
}

/** Keras's VarianceScaling; defaults scale 1, mode 'fanIn', distribution 'truncatedNormal'. */
export function varianceScaling(options: VarianceScalingOptions = {}): Initializer {
  checkOptionKeys(options, ['scale', 'mode', 'distribution', 'seed'], 'varianceScaling');
  const { scale = 1, mode = 'fanIn', distribution = 'truncatedNormal' } = options;
  if (checkFinite('varianceScaling', 'scale', scale) <= 0) throw new ValueError(`varianceScaling: scale must be > 0, got ${scale}`);
  oneOf(mode, FAN_MODES, 'mode', 'varianceScaling');
  oneOf(distribution, DISTRIBUTIONS, 'distribution', 'varianceScaling');
  const seed = optionalSeed('varianceScaling', options.seed);
  return scaled('varianceScaling', scale, mode, distribution, seed, { scale, mode, distribution, seed: seed ?? null });
}

/** A named VarianceScaling preset whose only option is the seed. */
function preset(name: string, scale: number, mode: FanMode, distribution: ScalingDistribution) {
  return (options: SeedOptions = {}): Initializer => {
    checkOptionKeys(options, ['seed'], name);
    const seed = optionalSeed(name, options.seed);
    return scaled(name, scale, mode, distribution, seed, { seed: seed ?? null });
  };
}

/** Uniform in ±√(6 / (fanIn + fanOut)); the Keras default for Dense and Conv kernels. */
export const glorotUniform = preset('glorotUniform', 1, 'fanAvg', 'uniform');
/** Truncated normal of std √(2 / (fanIn + fanOut)). */
export const glorotNormal = preset('glorotNormal', 1, 'fanAvg', 'truncatedNormal');
/** Truncated normal of std √(2 / fanIn), for ReLU layers. */
export const heNormal = preset('heNormal', 2, 'fanIn', 'truncatedNormal');
/** Uniform in ±√(6 / fanIn). */
export const heUniform = preset('heUniform', 2, 'fanIn', 'uniform');
/** Truncated normal of std √(1 / fanIn), for SELU layers. */
export const lecunNormal = preset('lecunNormal', 1, 'fanIn', 'truncatedNormal');
/** Uniform in ±√(3 / fanIn). */
export const lecunUniform = preset('lecunUniform', 1, 'fanIn', 'uniform');

export interface OrthogonalOptions extends SeedOptions {
  gain?: number;
}

/** A (semi-)orthogonal matrix times gain (default 1), Keras's default recurrent kernel; see orthogonalValues. */
export function orthogonal(options: OrthogonalOptions = {}): Initializer {
  checkOptionKeys(options, ['gain', 'seed'], 'orthogonal');
  const gain = checkFinite('orthogonal', 'gain', options.gain ?? 1);
  const seed = optionalSeed('orthogonal', options.seed);
  return define('orthogonal', { gain, seed: seed ?? null }, seed, (rng, shape) => {
    const values = orthogonalValues(shape, gain, rng);
    let i = 0;
    return () => values[i++];
  });
}

/** Every initializer factory, under names that do not clash with the tensor creators zeros, ones, randomNormal... */
export const initializers = Object.freeze({
  zeros, ones, constant, randomNormal, randomUniform, truncatedNormal, varianceScaling,
  glorotUniform, glorotNormal, heNormal, heUniform, lecunNormal, lecunUniform, orthogonal,
});

/** An initializer from its name (camelCase or Keras snake_case, with default options) or as given. */
export function getInitializer(spec: string | Initializer, where: string): Initializer {
  if (typeof spec === 'string') return lookupName<() => Initializer>(initializers, spec, 'initializer', where)();
  if (spec !== null && typeof spec === 'object' && typeof spec.name === 'string' && typeof spec.create === 'function') return spec;
  throw new ConfigError(`${where}: an initializer must be a name or an Initializer, got ${describeValue(spec)}`);
}
