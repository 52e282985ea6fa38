import { ConfigError, describeValue } from '../core/errors.ts';
import { adam, adamw } from './adam.ts';
import type { Optimizer } from './optimizer.ts';
import { rmsprop } from './rmsprop.ts';
import { momentum, sgd } from './sgd.ts';

const factories: { readonly [name: string]: () => Optimizer } = { sgd, momentum, rmsprop, adam, adamw };

/** The names getOptimizer knows, each giving the optimizer with its Keras defaults. */
export const optimizerNames: readonly string[] = Object.freeze(Object.keys(factories));

export function isOptimizer(value: unknown): value is Optimizer {
  if (value === null || typeof value !== 'object') return false;
  const o = value as Partial<Optimizer>;
  return typeof o.name === 'string' && typeof o.config === 'object' && typeof o.init === 'function'
    && typeof o.update === 'function' && typeof o.learningRateAt === 'function';
}

/** An optimizer from a name ('adam', case-insensitive) or an optimizer object, which is returned as it is. */
export function getOptimizer(spec: string | Optimizer, where = 'compile'): Optimizer {
  if (typeof spec === 'string') {
    const key = spec.toLowerCase();
    if (Object.hasOwn(factories, key)) return factories[key]();
    throw new ConfigError(`${where}: unknown optimizer '${spec}' (expected one of ${optimizerNames.join(', ')}, or an optimizer object)`);
  }
  if (isOptimizer(spec)) return spec;
  throw new ConfigError(`${where}: expected an optimizer name (${optimizerNames.join(', ')}) or an optimizer object, got ${describeValue(spec)}`);
}

/**
 * The optimizer `name` rebuilt from its `config` (what a saved model holds). Unset clips are null in a config and
 * are left out; a learning-rate schedule cannot be rebuilt from its placeholder and must be passed again.
 */
export function optimizerFromConfig(name: string, config: Readonly<Record<string, unknown>>, where = 'optimizerFromConfig'): Optimizer {
  if (!Object.hasOwn(factories, name)) {
    throw new ConfigError(`${where}: unknown optimizer '${name}' (expected one of ${optimizerNames.join(', ')})`);
  }
  const options = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== null));
  return (factories[name] as (options: Record<string, unknown>) => Optimizer)(options);
}
