import type { DType } from '../../core/dtype.ts';
import { ConfigError, describeValue } from '../../core/errors.ts';
import { InputLayer } from '../../layers/input-layer.ts';
import { Layer } from '../../layers/layer.ts';
import type { AnyLayer } from '../../layers/layer.ts';
import { MergeLayer } from '../../layers/merge/merge-layer.ts';
import type { GraphNode, SymbolicTensor } from '../../layers/symbolic.ts';
import { InputOperation, input } from '../../layers/symbolic.ts';
import { Functional } from '../functional.ts';
import { Model } from '../model.ts';
import type { ModelOptions } from '../model.ts';
import { Sequential } from '../sequential.ts';
import type { LayerJson, ModelJson } from './format.ts';
import { KERAS_VERSION } from './format.ts';
import type { CustomLayerClass } from './layers.ts';
import { layerFromJson, layerToJson } from './layers.ts';
import { topologyFromJson, topologyToJson } from './topology.ts';
import type { JsonObject, JsonValue } from './names.ts';
import { isJsonObject } from './names.ts';

// modelTopology of a functional model, as tfjs-layers 4.22 and Keras write it: {class_name: 'Functional', config:
// {name, layers, input_layers, output_layers}}. Each layer lists its inbound_nodes, one per call in the graph, each
// a list of [layer name, node index, tensor index, kwargs]; an input is an InputLayer with no inbound nodes. A model
// used as a layer is written whole in its place (class_name Functional, or Sequential with the config a Sequential
// model.json holds: {name, layers}); as in tfjs, its calls count from node 1, node 0 being the model's own construction.

type Reference = [string, number, number];

export function functionalToJson(model: Functional, where: string): ModelJson['modelTopology'] {
  return { class_name: 'Functional', config: graphConfig(model, where), keras_version: KERAS_VERSION, backend: 'tensor_flow.js' };
}

const NO_KWARGS: JsonObject = {};

/** name, layers (each with its inbound_nodes), input_layers and output_layers. */
function graphConfig(model: Functional, where: string): JsonObject & { name: string; layers: readonly LayerJson[] } {
  const nodesOf = new Map<object, GraphNode[]>();
  for (const node of model.nodes) {
    if (!nodesOf.has(node.operation)) nodesOf.set(node.operation, []);
    (nodesOf.get(node.operation) as GraphNode[]).push(node);
  }
  const ref = (t: SymbolicTensor): Reference => {
    const op = t.node.operation;
    return [op.name, op instanceof InputOperation ? 0 : (nodesOf.get(op) as GraphNode[]).indexOf(t.node) + firstNode(op), t.index];
  };
  const inputs = model.inputs.map((t) => {
    const op = t.node.operation as InputOperation;
    return {
      name: op.name, class_name: 'InputLayer', inbound_nodes: [],
      config: { batch_input_shape: [null, ...op.shape], dtype: op.dtype, sparse: false, name: op.name },
    };
  });
  const layers = [...nodesOf].map(([operation, nodes]) => {
    const inbound_nodes = nodes.map((n) => n.inputs.map((t) => [...ref(t), NO_KWARGS]));
    if (operation instanceof Functional) return { name: operation.name, class_name: 'Functional', config: graphConfig(operation, where), inbound_nodes };
    if (operation instanceof Sequential) {
      const { name, layers: stack } = topologyToJson(operation, where).config;
      const layers = stack.map(({ class_name, config }) => ({ class_name, config }));
      return { name, class_name: 'Sequential', config: { name, layers }, inbound_nodes };
    }
    const layer = operation as Layer;
    const { class_name, config } = layerToJson(layer, layer.name);
    return { name: layer.name, class_name, config, inbound_nodes };
  });
  return { name: model.name, layers: [...inputs, ...layers], input_layers: model.inputs.map(ref), output_layers: model.outputs.map(ref) };
}

/** The index of an operation's first call in inbound_nodes: 1 for a model (node 0 is its construction), else 0. */
const firstNode = (operation: object): number => (operation instanceof Model ? 1 : 0);

export function isFunctionalTopology(topology: JsonObject): boolean {
  return topology.class_name === 'Functional' || topology.class_name === 'Model';
}

/** What a functional topology makes: the model, built from its layers once the loader allows it. */
export interface FunctionalTopology {
  readonly name: string | undefined;
  readonly functional: (options: ModelOptions) => Functional;
}

/** A [name, node, tensor] reference, checked. */
function reference(value: JsonValue | undefined, where: string): Reference {
  if (!Array.isArray(value) || value.length < 3 || typeof value[0] !== 'string' || !Number.isInteger(value[1]) || !Number.isInteger(value[2])) {
    throw new ConfigError(`${where} must be [layer name, node index, tensor index], got ${describeValue(value)}`);
  }
  return [value[0], value[1] as number, value[2] as number];
}

/**
 * Reads a functional topology: every layer is made (not built) and every reference checked here; the graph is
 * wired by `functional`, which applies the layers to symbolic inputs in the order their inputs become known.
 */
export function functionalFromJson(
  topology: JsonObject, customLayers: Readonly<Record<string, CustomLayerClass>>, file: string, dtype: DType,
  sampleShape: (config: JsonObject, where: string, dtype: DType) => readonly number[] | undefined,
): FunctionalTopology {
  const config = topology.config;
  if (!isJsonObject(config) || !Array.isArray(config.layers)) throw new ConfigError(`${file}: modelTopology.config must hold the layers, got ${describeValue(config)}`);
  const name = typeof config.name === 'string' ? config.name : undefined;
  const inputShapes = new Map<string, readonly number[]>();
  const layers = new Map<string, { make: () => AnyLayer | Model; nodes: Reference[][] }>();
  (config.layers as readonly JsonValue[]).forEach((entry, i) => {
    const where = `${file}: layer ${i}`;
    if (!isJsonObject(entry) || typeof entry.class_name !== 'string' || !isJsonObject(entry.config)) {
      throw new ConfigError(`${where} must be {class_name, config, inbound_nodes}, got ${describeValue(entry)}`);
    }
    const layerName = typeof entry.name === 'string' ? entry.name : entry.config.name;
    if (typeof layerName !== 'string') throw new ConfigError(`${where} has no name`);
    const here = `${where} (${layerName})`;
    if (inputShapes.has(layerName) || layers.has(layerName)) throw new ConfigError(`${here}: a second layer of that name`);
    if (entry.class_name === 'InputLayer') {
      const shape = sampleShape(entry.config, here, dtype);
      if (shape === undefined) throw new ConfigError(`${here}: an InputLayer needs batch_input_shape`);
      inputShapes.set(layerName, shape);
      return;
    }
    const inbound = entry.inbound_nodes;
    if (!Array.isArray(inbound) || inbound.length === 0) throw new ConfigError(`${here}: inbound_nodes must list the layer's calls, got ${describeValue(inbound)}`);
    const nodes = inbound.map((node: JsonValue, n) => {
      if (!Array.isArray(node) || node.length === 0) throw new ConfigError(`${here}: inbound node ${n} must be a list of references, got ${describeValue(node)}`);
      return node.map((r: JsonValue, k) => reference(r, `${here}: inbound node ${n} input ${k}`));
    });
    if (isFunctionalTopology(entry)) {
      const nested = functionalFromJson({ config: entry.config }, customLayers, here, dtype, sampleShape);
      layers.set(layerName, { make: () => nested.functional({ ...(nested.name === undefined ? {} : { name: nested.name }), dtype }), nodes });
      return;
    }
    if (entry.class_name === 'Sequential') {
      const { name: nestedName, inputShape, layers: stack } = topologyFromJson({ class_name: 'Sequential', config: entry.config }, customLayers, here, dtype);
      const options = { ...(nestedName === undefined ? {} : { name: nestedName }), dtype };
      layers.set(layerName, { make: () => new Sequential({ ...options, layers: [new InputLayer({ inputShape }), ...stack] }), nodes });
      return;
    }
    const layer = layerFromJson(entry.class_name, entry.config, customLayers, here);
    layers.set(layerName, { make: () => layer, nodes });
  });
  const ends = (key: string): Reference[] => {
    const list = config[key];
    if (!Array.isArray(list) || list.length === 0) throw new ConfigError(`${file}: modelTopology.config.${key} must list [layer, node, tensor] references, got ${describeValue(list)}`);
    return list.map((r: JsonValue, i) => reference(r, `${file}: ${key}[${i}]`));
  };
  const inputRefs = ends('input_layers');
  const outputRefs = ends('output_layers');
  for (const [layerName] of inputRefs) {
    if (!inputShapes.has(layerName)) throw new ConfigError(`${file}: input_layers names ${layerName}, which is not an InputLayer of the model`);
  }
  return { name, functional: (options) => wire(inputShapes, layers, inputRefs, outputRefs, file, options) };
}

function wire(
  inputShapes: ReadonlyMap<string, readonly number[]>, made: ReadonlyMap<string, { make: () => AnyLayer | Model; nodes: Reference[][] }>,
  inputRefs: readonly Reference[], outputRefs: readonly Reference[], file: string, options: ModelOptions,
): Functional {
  const tensors = new Map<string, SymbolicTensor>();
  const key = ([layer, node, index]: Reference): string => `${layer}/${node}/${index}`;
  for (const [layerName, shape] of inputShapes) tensors.set(key([layerName, 0, 0]), input({ shape, name: layerName, dtype: options.dtype ?? 'float32' }));
  // Apply each layer's calls in order, as soon as their inputs exist; a pass that applies nothing means a missing source.
  const layers = new Map([...made].map(([name, { make, nodes }]) => [name, { layer: make(), nodes }]));
  const next = new Map([...layers.keys()].map((n) => [n, 0]));
  for (let progress = true; progress;) {
    progress = false;
    for (const [layerName, { layer, nodes }] of layers) {
      const n = next.get(layerName) as number;
      if (n >= nodes.length) continue;
      const sources = nodes[n].map((r) => tensors.get(key(r)));
      if (sources.some((t) => t === undefined)) continue;
      const ins = sources as SymbolicTensor[];
      const outs = layer instanceof Model ? layer.applyMany(ins)
        : [ins.length === 1 && !(layer instanceof MergeLayer) ? layer.apply(ins[0]) : layer.apply(ins)].flat();
      outs.forEach((t, i) => tensors.set(key([layerName, n + firstNode(layer), i]), t));
      next.set(layerName, n + 1);
      progress = true;
    }
  }
  const stuck = [...layers].find(([layerName, { nodes }]) => (next.get(layerName) as number) < nodes.length);
  if (stuck !== undefined) {
    const [layerName, { nodes }] = stuck;
    const missing = nodes[next.get(layerName) as number].find((r) => !tensors.has(key(r))) as Reference;
    throw new ConfigError(`${file}: layer ${layerName} reads ${JSON.stringify(missing)}, which no layer of the model makes`);
  }
  const find = (r: Reference, what: string): SymbolicTensor => {
    const t = tensors.get(key(r));
    if (t === undefined) throw new ConfigError(`${file}: ${what} ${JSON.stringify(r)} is not a tensor of the model`);
    return t;
  };
  return new Functional({ ...options, inputs: inputRefs.map((r) => find(r, 'input_layers names')), outputs: outputRefs.map((r) => find(r, 'output_layers names')) });
}
