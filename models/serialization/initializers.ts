import { ConfigError, describeValue } from '../../core/errors.ts';
import type { Initializer } from '../../layers/initializers.ts';
import { initializers } from '../../layers/initializers.ts';
import type { JsonObject, JsonValue } from './names.ts';
import { camelCase, isJsonObject, snakeCase } from './names.ts';

// Initializers as Keras / tfjs write them: {class_name, config} with snake_case keys and values.
// A loaded model has its weights already, so an initializer only matters again if the layer is rebuilt;
// it is kept so that a saved model describes itself fully.

type Factory = (options: Record<string, unknown>) => Initializer;

/** semiflow name → Keras class name; tfjs reads every one of these classes. */
const CLASS_NAMES: Readonly<Record<string, string>> = {
  zeros: 'Zeros', ones: 'Ones', constant: 'Constant', randomNormal: 'RandomNormal', randomUniform: 'RandomUniform',
  truncatedNormal: 'TruncatedNormal', varianceScaling: 'VarianceScaling', glorotUniform: 'GlorotUniform',
  glorotNormal: 'GlorotNormal', heNormal: 'HeNormal', heUniform: 'HeUniform', lecunNormal: 'LeCunNormal', lecunUniform: 'LeCunUniform', orthogonal: 'Orthogonal',
};

/** Keras class name (and Keras 3's spelling LecunNormal) → semiflow name. */
const FROM_CLASS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(CLASS_NAMES).map(([ours, keras]) => [keras, ours])),
  LecunNormal: 'lecunNormal', LecunUniform: 'lecunUniform',
};

/** Keras 2 and tfjs call the truncated normal 'normal'. */
const DISTRIBUTIONS: Readonly<Record<string, string>> = {
  normal: 'truncatedNormal', truncatedNormal: 'truncatedNormal', untruncatedNormal: 'untruncatedNormal', uniform: 'uniform',
};

export function initializerToJson(init: Initializer): JsonObject {
  const className = CLASS_NAMES[init.name];
  if (className === undefined) throw new ConfigError(`initializer '${init.name}' has no Keras class name`);
  const config = Object.fromEntries(Object.entries(init.config).map(([k, v]) => [snakeCase(k), typeof v === 'string' ? snakeCase(v) : v]));
  return { class_name: className, config };
}

/** An initializer from {class_name, config}, or from a bare name like 'glorot_uniform'. */
export function initializerFromJson(value: JsonValue | undefined, where: string): Initializer | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return initializerFromJson({ class_name: value, config: {} }, where);
  if (!isJsonObject(value) || typeof value.class_name !== 'string') {
    throw new ConfigError(`${where}: an initializer must be {class_name, config}, got ${describeValue(value)}`);
  }
  const className = value.class_name;
  const name = FROM_CLASS[className] ?? FROM_CLASS[className.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase())];
  if (name === undefined) {
    throw new ConfigError(`${where}: unknown initializer '${className}' (semiflow reads ${Object.keys(FROM_CLASS).join(', ')})`);
  }
  const raw = isJsonObject(value.config) ? value.config : {};
  const options: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(raw)) {
    if (v === null || key === 'dtype') continue;
    const k = camelCase(key);
    options[k] = k === 'mode' && typeof v === 'string' ? camelCase(v)
      : k === 'distribution' && typeof v === 'string' ? DISTRIBUTIONS[camelCase(v)] ?? v
      : v;
  }
  try {
    return (initializers[name as keyof typeof initializers] as Factory)(options);
  } catch (error) {
    throw new ConfigError(`${where}: cannot rebuild initializer ${className}: ${(error as Error).message}`);
  }
}
