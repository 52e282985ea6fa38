import type { DType } from '../../core/dtype.ts';
import { ConfigError, ShapeError, describeValue } from '../../core/errors.ts';
import { InputLayer } from '../../layers/input-layer.ts';
import type { AnyLayer } from '../../layers/layer.ts';
import type { Sequential } from '../sequential.ts';
import type { LayerJson, ModelJson } from './format.ts';
import { KERAS_VERSION } from './format.ts';
import type { CustomLayerClass } from './layers.ts';
import { layerFromJson, layerToJson } from './layers.ts';
import type { JsonObject, JsonValue } from './names.ts';
import { isJsonObject } from './names.ts';
import { checkInputBudget } from './load-budget.ts';

// modelTopology: {class_name: 'Sequential', config: {name, layers}}. As tfjs does, the first layer carries
// batch_input_shape [null, ...sample shape] and dtype; the InputLayer itself is not written.

export function topologyToJson(model: Sequential, where: string): ModelJson['modelTopology'] {
  const inputShape = model.inputShape;
  if (inputShape === undefined) {
    throw new ConfigError(`${where}: the model is not built; give the first layer an inputShape, or call fit or predict once before saving`);
  }
  const layers: LayerJson[] = model.layers.filter((l) => !(l instanceof InputLayer)).map((layer) => layerToJson(layer, layer.name));
  if (layers.length === 0) throw new ConfigError(`${where}: the model has no layers to save`);
  layers[0] = { ...layers[0], config: { ...layers[0].config, batch_input_shape: [null, ...inputShape], dtype: 'float32' } };
  return { class_name: 'Sequential', config: { name: model.name, layers }, keras_version: KERAS_VERSION, backend: 'tensor_flow.js' };
}

/** The model's name, the shape of one sample and its layers, built from a modelTopology without adding them to a model. */
export interface Topology {
  readonly name: string | undefined;
  readonly inputShape: readonly number[];
  readonly layers: readonly AnyLayer[];
}

/**
 * The layers of a modelTopology, not yet built. Every layer's declared input shape is checked first (positive
 * integers, one sample within the loader's budget in `dtype`), so no corrupt shape reaches an allocation.
 */
export function topologyFromJson(value: unknown, customLayers: Readonly<Record<string, CustomLayerClass>>, file: string, dtype: DType): Topology {
  if (!isJsonObject(value)) throw new ConfigError(`${file}: modelTopology must be an object, got ${describeValue(value)}`);
  const topology = unwrapTopology(value);
  if (topology.class_name !== 'Sequential') {
    throw new ConfigError(`${file}: the model is a ${describeValue(topology.class_name)}; semiflow loads Sequential and Functional models`);
  }
  const config = topology.config;
  const entries = Array.isArray(config) ? config : isJsonObject(config) ? config.layers : undefined;
  if (!Array.isArray(entries)) throw new ConfigError(`${file}: modelTopology.config must list the layers, got ${describeValue(config)}`);
  const name = isJsonObject(config) && typeof config.name === 'string' ? config.name : undefined;
  let inputShape: readonly number[] | undefined;
  const layers: AnyLayer[] = [];
  entries.forEach((entry: JsonValue, i: number) => {
    const where = `${file}: layer ${i}`;
    if (!isJsonObject(entry) || typeof entry.class_name !== 'string' || !isJsonObject(entry.config)) {
      throw new ConfigError(`${where} must be {class_name, config}, got ${describeValue(entry)}`);
    }
    const layerWhere = typeof entry.config.name === 'string' ? `${where} (${entry.config.name})` : where;
    const declared = sampleShape(entry.config, layerWhere, dtype, entry.class_name);
    if (i === 0 || entry.class_name === 'InputLayer') inputShape ??= declared;
    if (entry.class_name === 'InputLayer') {
      if (i !== 0) throw new ConfigError(`${layerWhere}: an InputLayer can only come first`);
      return;
    }
    layers.push(layerFromJson(entry.class_name, entry.config, customLayers, layerWhere));
  });
  if (inputShape === undefined) {
    throw new ConfigError(`${file}: the first layer has no batch_input_shape, so the model's input shape is unknown`);
  }
  if (layers.length === 0) throw new ConfigError(`${file}: the model has no layers`);
  return { name, inputShape, layers };
}

/** Keras's converter wraps the model as {model_config, training_config}. */
export function unwrapTopology(value: JsonObject): JsonObject {
  return isJsonObject(value.model_config) ? value.model_config : value;
}

/**
 * batch_input_shape (tfjs, Keras 2), batch_shape (Keras 3) or input_shape, without the batch axis; input_dim n
 * (Keras 2) declares [n], except in an Embedding, where it is the vocabulary size. Each one given must be positive
 * integers (the batch axis null or one), within the budget.
 */
export function sampleShape(config: JsonObject, where: string, dtype: DType, className = ''): readonly number[] | undefined {
  const inputDim = className === 'Embedding' ? undefined : config.input_dim;
  const declared: [string, JsonValue | undefined, (d: unknown[]) => unknown[]][] = [
    ['batch_input_shape', config.batch_input_shape, (d) => d.slice(1)],
    ['batch_shape', config.batch_shape, (d) => d.slice(1)],
    ['input_shape', config.input_shape, (d) => d],
    ['input_dim', inputDim === undefined || inputDim === null ? undefined : [inputDim], (d) => d],
  ];
  let first: readonly number[] | undefined;
  for (const [key, value, sample] of declared) {
    if (value === undefined || value === null) continue;
    const written = `${key} ${JSON.stringify(value)}`;
    const batch = Array.isArray(value) && sample(value).length < value.length ? value[0] : null;
    const shape = Array.isArray(value) ? sample(value) : undefined;
    if (shape === undefined || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && (d as number) > 0)
      || (batch !== null && !(Number.isInteger(batch) && (batch as number) > 0))) {
      throw new ShapeError(`${where}: ${written} must be positive integers after the batch axis (the batch axis null or a positive integer)`);
    }
    checkInputBudget(shape as number[], dtype, where, written);
    first ??= shape as number[];
  }
  return first;
}
