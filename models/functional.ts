import { zeros } from '../core/creation.ts';
import { ConfigError, ShapeError, ValueError, describeValue, fmtShape } from '../core/errors.ts';
import { cast } from '../core/ops/index.ts';
import { Rng, rngFrom } from '../core/random.ts';
import { sameShape } from '../core/shape.ts';
import { noGrad } from '../core/tape.ts';
import { Tensor } from '../core/tensor.ts';
import { checkOptionKeys } from '../core/options.ts';
import type { AnyLayer, ApplyOptions, LayerOutput } from '../layers/layer.ts';
import type { MaskList } from '../layers/mask-flow.ts';
import { maskForCall, outputMasks } from '../layers/mask-flow.ts';
import { Layer } from '../layers/layer.ts';
import type { GraphNode } from '../layers/symbolic.ts';
import { InputOperation, SymbolicTensor } from '../layers/symbolic.ts';
import type { PredictOptions } from './inference.ts';
import { checkFiniteData, predictBatches } from './inference.ts';
import { wholeBatch } from './on-batch.ts';
import type { DatasetLike, PredictBatch } from './dataset-elements.ts';
import type { DatasetInferenceOptions } from './dataset-inference.ts';
import { predictAny } from './dataset-inference.ts';
import type { ForwardOptions, ModelOptions, TensorOrList } from './model.ts';
import { Model } from './model.ts';
import type { ModelJson } from './serialization/format.ts';
import { functionalToJson } from './serialization/functional-topology.ts';

export interface FunctionalOptions extends ModelOptions {
  inputs: SymbolicTensor | readonly SymbolicTensor[];
  outputs: SymbolicTensor | readonly SymbolicTensor[];
}

function symbolicList(value: unknown, key: string, where: string): SymbolicTensor[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((t) => t instanceof SymbolicTensor)) {
    throw new ConfigError(`${where}: ${key} must be a symbolic tensor or a list of them (from input() and layer.apply), got ${describeValue(value)}`);
  }
  return list as SymbolicTensor[];
}

/**
 * The nodes that lead from `inputs` to `outputs`, in an order where each comes after the nodes it reads. A path
 * back from an output must end at one of the inputs; every input must reach an output.
 */
function graphNodes(inputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[], where: string): GraphNode[] {
  const order: GraphNode[] = [];
  const done = new Set<GraphNode>();
  const reached = new Set<SymbolicTensor>();
  const visit = (t: SymbolicTensor, from: string): void => {
    if (inputs.includes(t)) {
      reached.add(t);
      return;
    }
    const node = t.node;
    if (node.operation instanceof InputOperation) {
      throw new ConfigError(`${where}: the graph is disconnected: ${from} needs the input ${node.operation.name}, which is not among the model's inputs (${inputs.map((i) => i.operationName).join(', ')})`);
    }
    if (done.has(node)) return;
    done.add(node);
    for (const source of node.inputs) visit(source, node.operation.name);
    order.push(node);
  };
  outputs.forEach((t) => visit(t, 'an output'));
  const unused = inputs.find((t) => !reached.has(t));
  if (unused !== undefined) throw new ConfigError(`${where}: the input ${unused.operationName} does not reach any output`);
  return order;
}

/**
 * A model made of a graph of layers: `model({ inputs, outputs })` over symbolic tensors from input() and
 * layer.apply. Several inputs and outputs, shared layers (one layer applied twice, one set of weights) and
 * models used as layers. Weights are initialised when the model is made, from its seed, in the graph's order.
 */
export class Functional extends Model {
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
  /** @internal The graph's nodes in the order they run. */
  readonly nodes: readonly GraphNode[];
  private readonly layerList: AnyLayer[] = [];

  constructor(options: FunctionalOptions) {
    checkOptionKeys(options, ['inputs', 'outputs', 'name', 'seed', 'dtype'], 'model');
    super(options, 'Functional');
    this.inputs = symbolicList(options.inputs, 'inputs', this.name);
    this.outputs = symbolicList(options.outputs, 'outputs', this.name);
    const notInput = this.inputs.find((t) => !(t.node.operation instanceof InputOperation));
    if (notInput !== undefined) throw new ConfigError(`${this.name}: inputs must come from input(); ${notInput.operationName} is the output of a layer`);
    this.nodes = graphNodes(this.inputs, this.outputs, this.name);
    for (const node of this.nodes) {
      const { operation } = node;
      const layers = operation instanceof Layer ? [operation] : operation instanceof Model ? operation.layers : [];
      for (const layer of layers) {
        if (this.layerList.includes(layer)) continue;
        const clash = this.layerList.find((l) => l.name === layer.name);
        if (clash !== undefined) throw new ConfigError(`${this.name}: two different layers are named ${layer.name}; layer names must be unique in a model`);
        this.layerList.push(layer);
      }
    }
    this.build();
  }

  /** Every layer, in the order the graph first uses it (a nested model's layers in their place). */
  get layers(): readonly AnyLayer[] {
    return this.layerList;
  }

  get outputNames(): readonly string[] {
    return this.outputs.map((t) => t.operationName);
  }

  get outputShapes(): readonly (readonly number[])[] {
    return this.outputs.map((t) => t.shape);
  }

  outputShapeOf(layer: AnyLayer): readonly number[] | undefined {
    for (const node of this.nodes) {
      if (node.operation === layer) return node.outputs[0].shape;
      if (node.operation instanceof Model) {
        const inner = node.operation.outputShapeOf(layer);
        if (inner !== undefined) return inner;
      }
    }
    return undefined;
  }

  /** An output's layer may fold its activation into the loss only if that output is all the layer makes (one call, one output) and nothing else reads it. */
  protected fusableLayers(): readonly (AnyLayer | undefined)[] {
    return this.outputs.map((t) => {
      const { operation } = t.node;
      if (!(operation instanceof Layer)) return undefined;
      const uses = this.nodes.filter((n) => n.operation === operation).length;
      const read = this.nodes.some((n) => n.inputs.includes(t));
      return uses === 1 && !read && t.node.outputs.length === 1 ? operation : undefined;
    });
  }

  /** Builds every unbuilt layer with a dry run on one zero sample per input, drawing weights from the model's seed. */
  private build(): void {
    const rng = this.seed === undefined ? rngFrom(undefined) : new Rng(this.seed);
    const fresh = this.layerList.filter((l) => !l.built);
    try {
      noGrad(() => this.run(this.inputs.map((t) => zeros([1, ...t.shape], this.dtype)), {}, (layer, x) => {
        if (!layer.built && x instanceof Tensor) layer.ensureBuilt(x.shape, this.dtype, rng);
      }));
    } catch (error) {
      for (const layer of fresh) layer.resetBuild();
      throw error;
    }
  }

  /** @internal One batch per input, in the order of `inputs`, each of the input's sample shape. */
  checkInputs(x: unknown, where: string, argument = 'x'): Tensor[] {
    const count = this.inputs.length;
    const list = Array.isArray(x) ? x : [x];
    if (list.length !== count) {
      throw new ValueError(`${this.name}.${where}: ${argument} must be ${count === 1 ? 'one Tensor' : `a list of ${count} tensors, one per input (${this.inputs.map((t) => t.operationName).join(', ')})`}, got ${Array.isArray(x) ? `a list of ${x.length}` : x instanceof Tensor ? 'one Tensor' : describeValue(x)}`);
    }
    const tensors = list.map((t: unknown, i) => {
      const name = count === 1 ? argument : `${argument}[${i}]`;
      const expected = this.inputs[i];
      if (!(t instanceof Tensor)) throw new ValueError(`${this.name}.${where}: ${name} must be a Tensor, got ${describeValue(t)}`);
      if (t.rank === 0 || !sameShape(t.shape.slice(1), expected.shape)) {
        throw new ShapeError(`${this.name}.${where}: ${name} must have shape [batch,${expected.shape.join(',')}] (the input ${expected.operationName}), got ${t.rank === 0 ? 'a scalar' : fmtShape(t.shape)}`);
      }
      checkFiniteData(t, `${this.name}.${where}`, name);
      return t;
    });
    const rows = tensors[0].shape[0];
    const other = tensors.findIndex((t) => t.shape[0] !== rows);
    if (other >= 0) throw new ShapeError(`${this.name}.${where}: every input needs the same number of samples, got ${rows} in ${argument}[0] and ${tensors[other].shape[0]} in ${argument}[${other}]`);
    return tensors;
  }

  /** @internal */
  topologyJson(where: string): ModelJson['modelTopology'] {
    return functionalToJson(this, where);
  }

  /** @internal */
  forwardAll(inputs: readonly Tensor[], options: ForwardOptions = {}): Tensor[] {
    return this.run(inputs, options);
  }

  /**
   * Runs the nodes in order; `beforeLayer` sees each layer and its input first (the build uses it). Masks flow
   * beside the values, tensor by tensor, and only once some layer makes one.
   */
  private run(inputs: readonly Tensor[], options: ForwardOptions, beforeLayer?: (layer: AnyLayer, x: Tensor | readonly Tensor[]) => void): Tensor[] {
    const { params, logits = false, outputMasks: maskSink, ...rest } = options;
    const fused = logits ? new Set(this.fusableLayers()) : new Set();
    const values = new Map<SymbolicTensor, Tensor>();
    const masks = new Map<SymbolicTensor, Tensor>();
    this.inputs.forEach((t, i) => values.set(t, inputs[i].dtype === this.dtype ? inputs[i] : cast(inputs[i], this.dtype)));
    for (const node of this.nodes) {
      const ins = node.inputs.map((t) => values.get(t) as Tensor);
      const inMasks = masks.size === 0 ? [] : node.inputs.map((t) => masks.get(t));
      const { operation } = node;
      let outs: Tensor[];
      let outMasks: MaskList = [];
      if (operation instanceof Layer) {
        const x = node.takesList ? ins : ins[0];
        beforeLayer?.(operation, x);
        const mask = maskForCall(operation, inMasks, node.takesList, node.inputs.map((t) => t.operationName));
        // A merge layer's apply takes the list; every other layer's takes one tensor.
        const apply = operation.apply.bind(operation) as (x: Tensor | readonly Tensor[], o: ApplyOptions) => LayerOutput;
        const out = apply(x, { ...rest, logits: fused.has(operation), params: params?.[operation.name], ...(mask === undefined ? {} : { mask }) });
        outs = Array.isArray(out) ? out : [out];
        outMasks = outputMasks(operation, x, inMasks, outs.length);
      } else {
        if (inMasks.some((m) => m !== undefined)) throw new ConfigError(`${operation.name}: a mask cannot flow into a model used as a layer yet; apply its layers directly, or consume the mask before it`);
        outs = (operation as Model).forwardAll(ins, { ...rest, ...(params === undefined ? {} : { params }) });
      }
      if (outs.length !== node.outputs.length) {
        throw new ValueError(`${operation.name}: gave ${outs.length} outputs, but its symbolic call gave ${node.outputs.length}; a layer must give as many outputs on every call`);
      }
      node.outputs.forEach((t, i) => {
        values.set(t, outs[i]);
        if (outMasks[i] !== undefined) masks.set(t, outMasks[i] as Tensor);
      });
    }
    maskSink?.push(...this.outputs.map((t) => masks.get(t)));
    return this.outputs.map((t) => values.get(t) as Tensor);
  }

  /** The outputs for x (one tensor, or a list with one per input): one tensor, or a list with one per output; for a dataset, a promise of them. */
  predict(x: TensorOrList, options?: PredictOptions): Tensor | Tensor[];
  predict(dataset: DatasetLike<PredictBatch>, options?: DatasetInferenceOptions): Promise<Tensor | Tensor[]>;
  predict(x: TensorOrList | DatasetLike<PredictBatch>, options: PredictOptions | DatasetInferenceOptions = {}): Tensor | Tensor[] | Promise<Tensor | Tensor[]> {
    const one = (outputs: Tensor[]): Tensor | Tensor[] => (outputs.length === 1 ? outputs[0] : outputs);
    const outputs = predictAny(this, x, options);
    return outputs instanceof Promise ? outputs.then(one) : one(outputs);
  }

  /** The outputs for exactly this batch, in one pass (Keras's predictOnBatch); one tensor, or a list with one per output. */
  predictOnBatch(x: TensorOrList): Tensor | Tensor[] {
    const outputs = predictBatches(this, x, { batchSize: wholeBatch(x), verbose: 0 }, 'predictOnBatch');
    return outputs.length === 1 ? outputs[0] : outputs;
  }
}

/** Keras's `keras.Model(inputs, outputs)`: a Functional model over symbolic tensors. */
export function model(options: FunctionalOptions): Functional {
  return new Functional(options);
}
