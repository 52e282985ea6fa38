import type { NodeProto } from 'onnx-buf';
import { ConfigError } from '../core/errors.ts';
import { tensor } from '../core/creation.ts';
import { InputLayer } from '../layers/input-layer.ts';
import type { AnyLayer } from '../layers/layer.ts';
import { input } from '../layers/symbolic.ts';
import type { SymbolicTensor } from '../layers/symbolic.ts';
import { Functional } from '../models/functional.ts';
import type { Model } from '../models/model.ts';
import { Sequential } from '../models/sequential.ts';
import { importActivation, importHardSwish } from './import-activations.ts';
import { importBatchNorm, importConv, importConvTranspose, importDense, importGlobalPool, importLayerNorm, importPool } from './import-layers.ts';
import {
  importConcat, importFlatten, importMerge, importPad, importPassThrough, importReshape, importTranspose,
} from './import-shape-ops.ts';
import { importPattern, outsideActivation, PATTERN_OPS } from './import-pattern.ts';
import { importShapeArithmetic } from './import-pattern-shape.ts';
import { checkTimeStepsClosed, importTimeSteps } from './import-pattern-time.ts';
import { importRecurrent } from './import-recurrent.ts';
import { importPRelu, importResize, importSlice, importUnsqueeze } from './import-spatial.ts';
import { RECURRENT_PATTERN_OPS, importGatherOrStep, insidePattern } from './import-time-step.ts';
import { absorbZeroStates } from './import-zero-states.ts';
import { Importer } from './importer.ts';
import { readOnnx } from './read-model.ts';

type Converter = (node: NodeProto, imp: Importer) => void;

/** Squeeze (and Slice) are read as parts of a recurrent op's output, Tile after an Unsqueeze: where they stand alone, they are refused. */
function outsidePattern(node: NodeProto): void {
  throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) is imported only where it shapes a recurrent op's output, as toOnnx writes it`);
}

const CONVERTERS: Readonly<Record<string, Converter>> = {
  // First, so that an importer of one of these ops on its own, named below, takes precedence.
  ...Object.fromEntries(RECURRENT_PATTERN_OPS.map((op) => [op, insidePattern])),
  MatMul: importDense, Gemm: importDense, Conv: importConv, ConvTranspose: importConvTranspose, MaxPool: importPool, AveragePool: importPool,
  GlobalAveragePool: importGlobalPool, GlobalMaxPool: importGlobalPool, ReduceMean: importGlobalPool, ReduceMax: importGlobalPool,
  BatchNormalization: importBatchNorm, LayerNormalization: importLayerNorm,
  Flatten: importFlatten, Reshape: importReshape, Transpose: importTranspose, Identity: importPassThrough, Dropout: importPassThrough, Cast: importPassThrough,
  Gather: importGatherOrStep, Pad: importPad, Add: importMerge, Sum: importMerge, Sub: importMerge, Mul: importMerge, Max: importMerge, Min: importMerge, Concat: importConcat,
  RNN: importRecurrent, LSTM: importRecurrent, GRU: importRecurrent, Squeeze: outsidePattern, Tile: outsidePattern,
  Slice: importSlice, Resize: importResize, PRelu: importPRelu, Unsqueeze: importUnsqueeze,
  Relu: importActivation, Sigmoid: importActivation, Tanh: importActivation, Softplus: importActivation, Softsign: importActivation, Selu: importActivation,
  Elu: importActivation, HardSigmoid: importActivation, Clip: importActivation, Softmax: importActivation, LogSoftmax: importActivation, LeakyRelu: importActivation,
  HardSwish: importHardSwish, Shape: importShapeArithmetic, ...Object.fromEntries(PATTERN_OPS.map((op) => [op, outsideActivation])),
};

/** The ONNX ops loadOnnx turns into semiflow layers. */
export const IMPORTED_OPS: readonly string[] = Object.keys(CONVERTERS);

/** An ONNX model holds ops that loadOnnx has no layer for; `ops` maps each to the names of the nodes that use it. */
export class UnsupportedOnnxError extends ConfigError {
  constructor(readonly ops: ReadonlyMap<string, readonly string[]>) {
    super(`loadOnnx: unsupported ONNX ops: ${[...ops].map(([op, nodes]) => `${op} (node${nodes.length > 1 ? 's' : ''} ${nodes.join(', ')})`).join('; ')}; loadOnnx imports ${IMPORTED_OPS.join(', ')}`);
  }
}

function checkOps(nodes: readonly NodeProto[]): void {
  const missing = new Map<string, string[]>();
  for (const node of nodes) {
    if (CONVERTERS[node.opType] !== undefined && node.domain === '') continue;
    const op = node.domain === '' ? node.opType : `${node.domain}.${node.opType}`;
    missing.set(op, [...(missing.get(op) ?? []), node.name || `#${nodes.indexOf(node)}`]);
  }
  if (missing.size > 0) throw new UnsupportedOnnxError(missing);
}

/** The layers of a chain from one input to one output, in order, or undefined if the graph branches. */
function chainOf(model: Functional): AnyLayer[] | undefined {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return undefined;
  let previous: SymbolicTensor = model.inputs[0];
  const layers: AnyLayer[] = [];
  for (const node of model.nodes) {
    if (node.inputs.length !== 1 || node.inputs[0] !== previous || node.outputs.length !== 1) return undefined;
    layers.push(node.operation as AnyLayer);
    previous = node.outputs[0];
  }
  return layers;
}

/**
 * An ONNX model (bytes) as a semiflow model: a Sequential when the graph is a chain, else a functional model. Its
 * inputs keep the ONNX names and shapes (an NCHW image input stays NCHW, with a Permute before the first
 * convolution). Ops with no semiflow layer are refused together, by an UnsupportedOnnxError naming them and their nodes.
 */
export function loadOnnx(bytes: Uint8Array): Model {
  const graph = readOnnx(bytes);
  checkOps(graph.nodes);
  const imp = new Importer(graph);
  absorbZeroStates(imp);
  const inputs = graph.inputs.map(({ name, dims }) => input({ shape: dims.slice(1), name }));
  graph.inputs.forEach(({ name }, i) => imp.values.set(name, { sym: inputs[i] }));
  // Patterns first: each takes the nodes it recognises, and the rest go to their op's converter.
  const patterns = [importTimeSteps, importShapeArithmetic, importPattern];
  for (const node of graph.nodes) if (!imp.absorbed.has(node) && !patterns.some((p) => p(node, imp))) CONVERTERS[node.opType](node, imp);
  checkTimeStepsClosed(imp);
  const outputs = graph.outputs.map((name) => imp.literal(imp.value(name, graph.nodes[graph.nodes.length - 1])));
  const functional = new Functional({ inputs, outputs, seed: 0 });
  const chain = chainOf(functional);
  const built = chain === undefined ? functional : sequentialOf(chain, graph.inputs[0]);
  const values = built.layers.flatMap((layer) => layer.weights.map((w) => {
    const c = imp.weights.get(layer)?.[w.name];
    if (c === undefined) return w.value;
    if (c.data.length !== w.value.size) throw new ConfigError(`loadOnnx: ${layer.name}.${w.name} needs ${w.value.size} values, the ONNX constant has ${c.data.length}`);
    return tensor(c.data, w.value.shape);
  }));
  built.setWeights(values);
  return built;
}

function sequentialOf(layers: readonly AnyLayer[], first: { name: string; dims: readonly number[] }): Sequential {
  for (const layer of layers) layer.resetBuild();
  return new Sequential({ layers: [new InputLayer({ inputShape: first.dims.slice(1), name: first.name }), ...layers], seed: 0 });
}
