import { ConfigError, describeValue, prefixError } from '../../core/errors.ts';
import { Activation } from '../../layers/activation-layer.ts';
import { Dense } from '../../layers/dense.ts';
import { Dropout } from '../../layers/dropout.ts';
import { Flatten } from '../../layers/flatten.ts';
import type { Initializer } from '../../layers/initializers.ts';
import { Layer } from '../../layers/layer.ts';
import type { AnyLayer } from '../../layers/layer.ts';
import { MaxPooling2D } from '../../layers/max-pooling2d.ts';
import { MORE_BUILTINS, poolingSpec } from './layers-more.ts';
import { activationFromJson, activationToJson } from './activations.ts';
import { MERGE_SPECS } from './layers-merge.ts';
import { initializerFromJson, initializerToJson } from './initializers.ts';
import { CONV_BUILTINS } from './layers-conv.ts';
import { SEQUENCE_BUILTINS } from './layers-sequence.ts';
import { RECURRENT_BUILTINS } from './layers-recurrent.ts';
import { rulesFromJson, rulesToJson } from './regularizers.ts';
import type { JsonObject, JsonValue } from './names.ts';
import { camelCase, convertKeys, snakeCase } from './names.ts';

// The layer registry: how each built-in layer reads and writes its Keras / tfjs config (snake_case keys, the
// fields tfjs-layers 4.22 writes), and how custom layers go through getConfig() and a class the caller registers.

/**
 * A user-defined layer class, rebuilt from what its getConfig() returned (keys camelCase again): by its static
 * `fromConfig(config)` if it has one, else by `new C(config)`.
 */
export type CustomLayerClass =
  | (new (config: Record<string, unknown>) => AnyLayer)
  | ((abstract new (...args: never[]) => AnyLayer) & { fromConfig(config: Record<string, unknown>): AnyLayer });

export interface BuiltinSpec {
  readonly className: string;
  readonly cls: abstract new (...args: never[]) => AnyLayer;
  /** The class-specific part of the config; name, trainable and the input shape are added by the caller. */
  toJson(layer: AnyLayer, where: string): JsonObject;
  fromJson(config: Reader): AnyLayer;
}

/** Reads one layer's config, naming the layer and key in every error. */
export class Reader {
  constructor(
    readonly config: JsonObject, readonly where: string,
    /** The caller's custom layer classes, for a wrapper whose config nests a layer (TimeDistributed). */
    readonly customLayers: Readonly<Record<string, CustomLayerClass>> = {},
  ) {}

  get common(): { name?: string; trainable: boolean } {
    const name = this.config.name;
    if (name !== undefined && typeof name !== 'string') throw new ConfigError(`${this.where}: name must be a string, got ${describeValue(name)}`);
    const trainable = this.config.trainable ?? true;
    if (typeof trainable !== 'boolean') throw new ConfigError(`${this.where}: trainable must be true or false, got ${describeValue(trainable)}`);
    return name === undefined ? { trainable } : { name, trainable };
  }

  value(key: string, fallback?: JsonValue): JsonValue {
    const value = this.config[key] ?? fallback;
    if (value === undefined) throw new ConfigError(`${this.where}: the config has no '${key}'`);
    return value;
  }

  number(key: string, fallback?: number): number {
    const value = this.value(key, fallback);
    if (typeof value !== 'number') throw new ConfigError(`${this.where}: ${key} must be a number, got ${describeValue(value)}`);
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.value(key, fallback);
    if (typeof value !== 'boolean') throw new ConfigError(`${this.where}: ${key} must be true or false, got ${describeValue(value)}`);
    return value;
  }

  /** A size written as n or [h, w]. */
  pair(key: string, fallback?: JsonValue): [number, number] {
    const value = this.value(key, fallback);
    const pair = typeof value === 'number' ? [value, value] : value;
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => typeof v === 'number')) {
      throw new ConfigError(`${this.where}: ${key} must be a number or a pair of numbers, got ${describeValue(value)}`);
    }
    return [pair[0] as number, pair[1] as number];
  }

  padding(): 'valid' | 'same' {
    const padding = this.value('padding', 'valid');
    if (padding !== 'valid' && padding !== 'same') throw new ConfigError(`${this.where}: padding must be 'valid' or 'same', got ${describeValue(padding)}`);
    return padding;
  }

  /** Options semiflow does not implement must have their neutral value; anything else would change the model. */
  unsupported(neutral: Readonly<Record<string, (v: JsonValue) => boolean>>): void {
    for (const [key, isNeutral] of Object.entries(neutral)) {
      const value = this.config[key];
      if (value !== undefined && !isNeutral(value)) {
        throw new ConfigError(`${this.where}: ${key} = ${JSON.stringify(value)} is not supported by semiflow`);
      }
    }
  }
}

export const isNull = (v: JsonValue): boolean => v === null;
export const channelsLast = (v: JsonValue): boolean => v === null || v === 'channels_last' || v === 'channelsLast';
export const ones = (v: JsonValue): boolean => v === 1 || (Array.isArray(v) && v.every((d) => d === 1));

const configOf = (layer: AnyLayer): Record<string, unknown> => layer.getConfig();
export const initializerJson = (layer: AnyLayer, key: string): JsonObject => initializerToJson(configOf(layer)[key] as Initializer);
/** An initializer option for a constructor: absent keys keep the layer's default. */
export function initializerOption(reader: Reader, key: string, option: string): Record<string, Initializer> {
  const init = initializerFromJson(reader.config[key], `${reader.where}: ${key}`);
  return init === undefined ? {} : { [option]: init };
}

const BUILTINS: readonly BuiltinSpec[] = [
  {
    className: 'Dense',
    cls: Dense,
    toJson: (layer, where) => {
      const dense = layer as Dense;
      return {
        units: dense.units, activation: activationToJson(dense.activation, where), use_bias: dense.useBias,
        kernel_initializer: initializerJson(layer, 'kernelInitializer'), bias_initializer: initializerJson(layer, 'biasInitializer'),
        ...rulesToJson(dense.rules, dense.activityRegularizer),
      };
    },
    fromJson: (r) => {
      return new Dense(r.number('units'), {
        ...r.common, ...rulesFromJson(r.config, ['kernel', 'bias'], r.where), activation: activationFromJson(r.config.activation, r.where), useBias: r.boolean('use_bias', true),
        ...initializerOption(r, 'kernel_initializer', 'kernelInitializer'), ...initializerOption(r, 'bias_initializer', 'biasInitializer'),
      });
    },
  },
  ...CONV_BUILTINS,
  poolingSpec('MaxPooling2D', MaxPooling2D),
  {
    className: 'Flatten',
    cls: Flatten,
    toJson: () => ({}),
    fromJson: (r) => {
      r.unsupported({ data_format: channelsLast });
      return new Flatten(r.common);
    },
  },
  {
    className: 'Dropout',
    cls: Dropout,
    toJson: (layer) => {
      const dropout = layer as Dropout;
      return { rate: dropout.rate, noise_shape: null, seed: dropout.seed ?? null };
    },
    fromJson: (r) => {
      r.unsupported({ noise_shape: isNull });
      const seed = r.config.seed;
      if (seed !== undefined && seed !== null && typeof seed !== 'number') throw new ConfigError(`${r.where}: seed must be a number or null, got ${describeValue(seed)}`);
      return new Dropout(r.number('rate'), { ...r.common, ...(typeof seed === 'number' ? { seed } : {}) });
    },
  },
  {
    className: 'Activation',
    cls: Activation,
    toJson: (layer, where) => ({ activation: activationToJson((layer as Activation).activation, where) }),
    fromJson: (r) => new Activation(activationFromJson(r.value('activation'), r.where), r.common),
  },
  ...MORE_BUILTINS,
  ...MERGE_SPECS,
  ...SEQUENCE_BUILTINS,
  ...RECURRENT_BUILTINS,
];

/** The keys every layer config may carry that the layer class itself does not read (an Embedding reads input_dim: its vocabulary). */
const MODEL_KEYS = ['batch_input_shape', 'batch_shape', 'input_shape', 'input_dim', 'dtype'];
const modelKey = (className: string, key: string): boolean => MODEL_KEYS.includes(key) && !(className === 'Embedding' && key === 'input_dim');

/** class_name and config for a layer of the model: a built-in's tfjs config, or a custom layer's getConfig(). */
export function layerToJson(layer: AnyLayer, where: string): { class_name: string; config: JsonObject } {
  const spec = BUILTINS.find((s) => layer.constructor === s.cls);
  const common = { name: layer.name, trainable: layer.trainable };
  if (spec !== undefined) return { class_name: spec.className, config: { ...common, ...spec.toJson(layer, where) } };
  const own = layer.getConfig();
  checkJson(own, `${where}.getConfig()`);
  return { class_name: layer.constructor.name, config: { ...(convertKeys(own as JsonValue, snakeCase) as JsonObject), ...common } };
}

/** A layer from its class_name and config: built-ins first, then the caller's customLayers. */
export function layerFromJson(className: string, config: JsonObject, customLayers: Readonly<Record<string, CustomLayerClass>>, where: string): AnyLayer {
  const own = Object.fromEntries(Object.entries(config).filter(([k]) => !modelKey(className, k)));
  const custom = Object.hasOwn(customLayers, className) ? customLayers[className] : undefined;
  const spec = BUILTINS.find((s) => s.className === className);
  try {
    if (custom !== undefined) return customLayer(custom, convertKeys(own, camelCase) as Record<string, unknown>, className);
    if (spec !== undefined) return spec.fromJson(new Reader(own, where, customLayers));
  } catch (error) {
    throw prefixError(error, where);
  }
  throw new ConfigError(
    `${where}: unknown layer class '${className}'. Built-in classes are ${BUILTINS.map((s) => s.className).join(', ')}; `
    + `register a custom layer with loadModel(dir, { customLayers: { ${className} } }), where ${className} extends Layer, `
    + `implements getConfig(), and is rebuilt by new ${className}(config) or a static ${className}.fromConfig(config)`,
  );
}

function customLayer(cls: CustomLayerClass, config: Record<string, unknown>, className: string): AnyLayer {
  if (typeof cls !== 'function') throw new ConfigError(`customLayers.${className} must be a Layer class, got ${describeValue(cls)}`);
  const { fromConfig } = cls as { fromConfig?: unknown };
  const layer: unknown = typeof fromConfig === 'function' ? fromConfig.call(cls, config) : new (cls as new (c: Record<string, unknown>) => AnyLayer)(config);
  if (!(layer instanceof Layer)) throw new ConfigError(`customLayers.${className} must build a Layer, got ${describeValue(layer)}`);
  return layer;
}

/** A config must survive JSON: finite numbers, strings, booleans, null, arrays and plain objects only. */
function checkJson(value: unknown, where: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ConfigError(`${where}: ${value} cannot be saved in JSON`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkJson(v, `${where}[${i}]`));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) if (v !== undefined) checkJson(v, `${where}.${k}`);
    return;
  }
  throw new ConfigError(`${where}: ${describeValue(value)} cannot be saved in JSON; getConfig() must return plain data`);
}
