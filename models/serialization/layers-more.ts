import { ConfigError, describeValue } from '../../core/errors.ts';
import { AveragePooling2D } from '../../layers/average-pooling2d.ts';
import { BatchNormalization } from '../../layers/batch-normalization.ts';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from '../../layers/global-pooling2d.ts';
import type { Layer } from '../../layers/layer.ts';
import { LayerNormalization } from '../../layers/layer-normalization.ts';
import type { GlobalPooling2DOptions } from '../../layers/global-pooling2d.ts';
import type { BuiltinSpec, Reader } from './layers.ts';
import { channelsLast, initializerJson, initializerOption, isNull } from './layers.ts';
import type { JsonValue } from './names.ts';

// The tfjs / Keras configs of the normalization, pooling, reshaping, activation and noise layers (issue 15).
// layers.ts spreads MORE_BUILTINS into its registry; the helpers it shares are used inside functions only,
// so the import cycle between the two files is harmless.

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

/** Regularizers and constraints are not implemented here: a config must leave them null. */
function noneOf(...keys: string[]): Record<string, (v: JsonValue) => boolean> {
  return Object.fromEntries(keys.map((k) => [k, isNull]));
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
  {
    className: 'AveragePooling2D',
    cls: AveragePooling2D,
    toJson: (layer) => {
      const pool = layer as AveragePooling2D;
      return { pool_size: [...pool.poolSize], strides: [...pool.strides], padding: pool.padding, data_format: 'channels_last' };
    },
    fromJson: (r) => {
      r.unsupported({ data_format: channelsLast });
      const poolSize = r.pair('pool_size', 2);
      return new AveragePooling2D(poolSize, { ...r.common, strides: r.pair('strides', r.config.strides ?? poolSize), padding: r.padding() });
    },
  },
  globalPooling('GlobalAveragePooling2D', GlobalAveragePooling2D),
  globalPooling('GlobalMaxPooling2D', GlobalMaxPooling2D),
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
