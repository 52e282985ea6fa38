import { ConfigError, describeValue } from '../../core/errors.ts';
import { BatchNormalization } from '../../layers/batch-normalization.ts';
import type { BuiltinSpec, Reader } from './layers.ts';
import { initializerJson, initializerOption, isNull } from './layers.ts';
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
];
