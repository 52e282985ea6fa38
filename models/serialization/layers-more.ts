import { ConfigError, describeValue } from '../../core/errors.ts';
import { AveragePooling2D } from '../../layers/average-pooling2d.ts';
import { BatchNormalization } from '../../layers/batch-normalization.ts';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from '../../layers/global-pooling2d.ts';
import type { Layer } from '../../layers/layer.ts';
import { LayerNormalization } from '../../layers/layer-normalization.ts';
import { LeakyReLU, ReLU, Softmax } from '../../layers/advanced-activations.ts';
import { Permute } from '../../layers/permute.ts';
import { PReLU } from '../../layers/prelu.ts';
import { RepeatVector } from '../../layers/repeat-vector.ts';
import { Reshape } from '../../layers/reshape.ts';
import { GaussianNoise } from '../../layers/gaussian-noise.ts';
import { SpatialDropout2D } from '../../layers/spatial-dropout2d.ts';
import type { GlobalPooling2DOptions } from '../../layers/global-pooling2d.ts';
import type { Pooling2D, Pooling2DOptions } from '../../layers/pooling2d.ts';
import type { Pair } from '../../core/options.ts';
import type { BuiltinSpec, Reader } from './layers.ts';
import { channelsLast, initializerJson, initializerOption, isNull } from './layers.ts';
import type { JsonValue } from './names.ts';

// The tfjs / Keras configs of the normalization, pooling, reshaping, activation and noise layers (issue 15).
// layers.ts spreads MORE_BUILTINS into its registry and imports this file first. The helpers taken from layers.ts
// must only be called inside the specs' functions, never while this file loads (they do not exist yet then).

/** An axis written as n or as Keras's one-element list [n]. */
function singleAxis(r: Reader, key: string, fallback: number): number {
  const value: JsonValue = r.value(key, fallback);
  const axis = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof axis !== 'number' || !Number.isInteger(axis)) throw new ConfigError(`${r.where}: ${key} must be an integer or a list of one, got ${describeValue(value)}`);
  return axis;
}

/** An axis written as n or as a list of them. */
function axisOrAxes(r: Reader, key: string, fallback: number): number | number[] {
  const value: JsonValue = r.value(key, fallback);
  if (typeof value === 'number') return value;
  if (!Array.isArray(value) || !value.every((a) => typeof a === 'number')) throw new ConfigError(`${r.where}: ${key} must be an integer or a list of integers, got ${describeValue(value)}`);
  return value as number[];
}

/** A list of integers. */
function integers(r: Reader, key: string): number[] {
  const value = r.value(key);
  if (!Array.isArray(value) || !value.every((d) => typeof d === 'number' && Number.isInteger(d))) throw new ConfigError(`${r.where}: ${key} must be a list of integers, got ${describeValue(value)}`);
  return value as number[];
}

/** A seed option: a number, or null / absent for none. */
function seedOption(r: Reader): { seed?: number } {
  const seed = r.config.seed;
  if (seed !== undefined && seed !== null && typeof seed !== 'number') throw new ConfigError(`${r.where}: seed must be a number or null, got ${describeValue(seed)}`);
  return typeof seed === 'number' ? { seed } : {};
}

/** Regularizers and constraints are not implemented here: a config must leave them null. */
function noneOf(...keys: string[]): Record<string, (v: JsonValue) => boolean> {
  return Object.fromEntries(keys.map((k) => [k, isNull]));
}

/** MaxPooling2D's and AveragePooling2D's config: pool_size, strides (default pool_size) and padding. */
export function poolingSpec(className: string, cls: new (poolSize: Pair, options: Pooling2DOptions) => Pooling2D): BuiltinSpec {
  return {
    className,
    cls,
    toJson: (layer) => {
      const pool = layer as Pooling2D;
      return { pool_size: [...pool.poolSize], strides: [...pool.strides], padding: pool.padding, data_format: 'channels_last' };
    },
    fromJson: (r) => {
      r.unsupported({ data_format: channelsLast });
      const poolSize = r.pair('pool_size', 2);
      return new cls(poolSize, { ...r.common, strides: r.pair('strides', r.config.strides ?? poolSize), padding: r.padding() });
    },
  };
}

export const MORE_BUILTINS: readonly BuiltinSpec[] = [
  {
    className: 'BatchNormalization',
    cls: BatchNormalization,
    toJson: (layer) => {
      const bn = layer as BatchNormalization;
      return {
        axis: bn.axis, momentum: bn.momentum, epsilon: bn.epsilon, center: bn.center, scale: bn.scale,
        beta_initializer: initializerJson(layer, 'betaInitializer'), gamma_initializer: initializerJson(layer, 'gammaInitializer'),
        moving_mean_initializer: initializerJson(layer, 'movingMeanInitializer'),
        moving_variance_initializer: initializerJson(layer, 'movingVarianceInitializer'),
        beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
      };
    },
    fromJson: (r) => {
      r.unsupported(noneOf('beta_regularizer', 'gamma_regularizer', 'beta_constraint', 'gamma_constraint'));
      return new BatchNormalization({
        ...r.common, axis: singleAxis(r, 'axis', -1), momentum: r.number('momentum', 0.99), epsilon: r.number('epsilon', 1e-3),
        center: r.boolean('center', true), scale: r.boolean('scale', true),
        ...initializerOption(r, 'beta_initializer', 'betaInitializer'), ...initializerOption(r, 'gamma_initializer', 'gammaInitializer'),
        ...initializerOption(r, 'moving_mean_initializer', 'movingMeanInitializer'),
        ...initializerOption(r, 'moving_variance_initializer', 'movingVarianceInitializer'),
      });
    },
  },
  {
    className: 'LayerNormalization',
    cls: LayerNormalization,
    toJson: (layer) => {
      const ln = layer as LayerNormalization;
      return {
        axis: typeof ln.axis === 'number' ? ln.axis : [...ln.axis], epsilon: ln.epsilon, center: ln.center, scale: ln.scale,
        beta_initializer: initializerJson(layer, 'betaInitializer'), gamma_initializer: initializerJson(layer, 'gammaInitializer'),
        beta_regularizer: null, gamma_regularizer: null,
      };
    },
    fromJson: (r) => {
      r.unsupported(noneOf('beta_regularizer', 'gamma_regularizer', 'beta_constraint', 'gamma_constraint'));
      return new LayerNormalization({
        ...r.common, axis: axisOrAxes(r, 'axis', -1), epsilon: r.number('epsilon', 1e-3), center: r.boolean('center', true), scale: r.boolean('scale', true),
        ...initializerOption(r, 'beta_initializer', 'betaInitializer'), ...initializerOption(r, 'gamma_initializer', 'gammaInitializer'),
      });
    },
  },
  poolingSpec('AveragePooling2D', AveragePooling2D),
  globalPooling('GlobalAveragePooling2D', GlobalAveragePooling2D),
  globalPooling('GlobalMaxPooling2D', GlobalMaxPooling2D),
  {
    className: 'Reshape',
    cls: Reshape,
    toJson: (layer) => ({ target_shape: [...(layer as Reshape).targetShape] }),
    fromJson: (r) => new Reshape(integers(r, 'target_shape'), r.common),
  },
  {
    className: 'Permute',
    cls: Permute,
    toJson: (layer) => ({ dims: [...(layer as Permute).dims] }),
    fromJson: (r) => new Permute(integers(r, 'dims'), r.common),
  },
  {
    className: 'RepeatVector',
    cls: RepeatVector,
    toJson: (layer) => ({ n: (layer as RepeatVector).n }),
    fromJson: (r) => new RepeatVector(r.number('n'), r.common),
  },
  {
    className: 'LeakyReLU',
    cls: LeakyReLU,
    toJson: (layer) => ({ alpha: (layer as LeakyReLU).alpha }),
    // Keras 3 names the slope negative_slope.
    fromJson: (r) => new LeakyReLU({ ...r.common, alpha: r.number('alpha', r.number('negative_slope', 0.3)) }),
  },
  {
    className: 'ReLU',
    // tfjs 4.22 reads max_value only; Keras reads all three.
    cls: ReLU,
    toJson: (layer) => {
      const relu = layer as ReLU;
      return { max_value: relu.maxValue, negative_slope: relu.negativeSlope, threshold: relu.threshold };
    },
    fromJson: (r) => {
      const maxValue = r.config.max_value ?? null;
      if (maxValue !== null && typeof maxValue !== 'number') throw new ConfigError(`${r.where}: max_value must be a number or null, got ${describeValue(maxValue)}`);
      return new ReLU({ ...r.common, maxValue, negativeSlope: r.number('negative_slope', 0), threshold: r.number('threshold', 0) });
    },
  },
  {
    className: 'Softmax',
    cls: Softmax,
    toJson: (layer) => ({ axis: (layer as Softmax).axis }),
    fromJson: (r) => new Softmax({ ...r.common, axis: singleAxis(r, 'axis', -1) }),
  },
  {
    className: 'PReLU',
    cls: PReLU,
    toJson: (layer) => {
      const shared = (layer as PReLU).sharedAxes;
      return { alpha_initializer: initializerJson(layer, 'alphaInitializer'), alpha_regularizer: null, alpha_constraint: null, shared_axes: shared === null ? null : [...shared] };
    },
    fromJson: (r) => {
      r.unsupported(noneOf('alpha_regularizer', 'alpha_constraint'));
      const shared = r.config.shared_axes ?? null;
      return new PReLU({
        ...r.common, ...initializerOption(r, 'alpha_initializer', 'alphaInitializer'),
        sharedAxes: shared === null ? null : typeof shared === 'number' ? shared : integers(r, 'shared_axes'),
      });
    },
  },
  {
    // Keras's class; tfjs 4.22 has SpatialDropout1D only, so it refuses this one by name.
    className: 'SpatialDropout2D',
    cls: SpatialDropout2D,
    toJson: (layer) => {
      const dropout = layer as SpatialDropout2D;
      return { rate: dropout.rate, seed: dropout.seed ?? null, data_format: 'channels_last' };
    },
    fromJson: (r) => {
      r.unsupported({ data_format: channelsLast, noise_shape: isNull });
      return new SpatialDropout2D(r.number('rate'), { ...r.common, ...seedOption(r) });
    },
  },
  {
    className: 'GaussianNoise',
    cls: GaussianNoise,
    toJson: (layer) => {
      const noise = layer as GaussianNoise;
      return { stddev: noise.stddev, seed: noise.seed ?? null };
    },
    fromJson: (r) => new GaussianNoise(r.number('stddev'), { ...r.common, ...seedOption(r) }),
  },
];

/** tfjs 4.22 reads only data_format and always drops height and width, so keepdims is written only when true. */
function globalPooling(className: string, cls: new (options: GlobalPooling2DOptions) => Layer & { keepdims: boolean }): BuiltinSpec {
  return {
    className,
    cls,
    toJson: (layer) => ({ data_format: 'channels_last', ...((layer as Layer & { keepdims: boolean }).keepdims ? { keepdims: true } : {}) }),
    fromJson: (r) => {
      r.unsupported({ data_format: channelsLast });
      return new cls({ ...r.common, keepdims: r.boolean('keepdims', false) });
    },
  };
}
