import type { DType } from '../core/dtype.ts';
import { zeros } from '../core/creation.ts';
import { ConfigError, describeValue } from '../core/errors.ts';
import { noGrad } from '../core/tape.ts';
import { Tensor } from '../core/tensor.ts';
import { checkSampleShape } from './layer.ts';

// The functional API's graph: a symbolic tensor stands for a batch that does not exist yet. It knows the shape of
// one sample and the node that makes it; a node is one application of an operation (a layer, or a model used as one)
// to symbolic inputs. model({ inputs, outputs }) walks the nodes back from the outputs.

/** What a node applies: a layer, an input, or a model used as a layer. */
export interface GraphOperation {
  readonly name: string;
}

export class GraphNode {
  outputs: readonly SymbolicTensor[] = [];

  constructor(readonly operation: GraphOperation, readonly inputs: readonly SymbolicTensor[], readonly takesList: boolean) {}
}

/**
 * A batch to come: the shape of one sample (no batch axis), its dtype, and the node whose output `index` it is.
 * `mask` is the dry run's mask ([1, time]) when a mask flows with it (after Embedding with maskZero, Masking).
 */
export class SymbolicTensor {
  constructor(
    readonly shape: readonly number[], readonly dtype: DType, readonly node: GraphNode, readonly index: number,
    /** @internal */ readonly mask?: Tensor,
  ) {
    Object.freeze(this.shape);
  }

  /** The name of the layer (or input, or model) that makes it. */
  get operationName(): string {
    return this.node.operation.name;
  }
}

/** The operation of an input(): it has no inputs, and a model feeds its batch in its place. */
export class InputOperation implements GraphOperation {
  constructor(readonly name: string, readonly shape: readonly number[], readonly dtype: DType) {}
}

export interface InputOptions {
  /** The shape of one sample, without the batch axis. */
  shape: readonly number[];
  name?: string;
  /** float32 (the default) or float64. */
  dtype?: DType;
}

let inputCount = 0;

/** A symbolic input of a functional model: `input({ shape: [28, 28, 1] })`. */
export function input(options: InputOptions): SymbolicTensor {
  if (options === null || typeof options !== 'object') throw new ConfigError(`input: expected { shape, name?, dtype? }, got ${describeValue(options)}`);
  const unknown = Object.keys(options).filter((k) => !['shape', 'name', 'dtype'].includes(k));
  if (unknown.length > 0) throw new ConfigError(`input: unknown option '${unknown[0]}'; valid options are shape, name, dtype`);
  const shape = checkSampleShape(options.shape, 'input');
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new ConfigError(`input: dtype must be 'float32' or 'float64', got ${describeValue(dtype)}`);
  if (options.name !== undefined && (typeof options.name !== 'string' || !/^[A-Za-z_][\w.-]*$/.test(options.name))) {
    throw new ConfigError(`input: name must be letters, digits, '_', '.' or '-', starting with a letter or '_', got ${describeValue(options.name)}`);
  }
  const node = new GraphNode(new InputOperation(options.name ?? `input_${++inputCount}`, shape, dtype), [], false);
  const out = new SymbolicTensor(shape, dtype, node, 0);
  node.outputs = [out];
  return out;
}

export function isSymbolic(x: unknown): x is SymbolicTensor | readonly SymbolicTensor[] {
  return x instanceof SymbolicTensor || (Array.isArray(x) && x.length > 0 && x.every((t) => t instanceof SymbolicTensor));
}

/** What the dry run of a symbolic call gives: the outputs, and the mask of each (undefined for none). */
export interface DryRun {
  readonly outputs: Tensor | readonly Tensor[];
  readonly masks: readonly (Tensor | undefined)[];
}

/**
 * Applies an operation to symbolic inputs: a dry run on one zero sample per input (with the inputs' masks) gives
 * the output shapes and masks (and raises any shape or mask error now, naming the layer), and a node records the
 * call. `run` computes real outputs.
 */
export function applySymbolic(
  operation: GraphOperation, x: SymbolicTensor | readonly SymbolicTensor[],
  run: (inputs: Tensor | readonly Tensor[], masks: readonly (Tensor | undefined)[]) => DryRun,
): SymbolicTensor[] {
  const list = x instanceof SymbolicTensor ? [x] : [...x];
  const samples = list.map((t) => zeros([1, ...t.shape], t.dtype));
  const result = noGrad(() => run(x instanceof SymbolicTensor ? samples[0] : samples, list.map((t) => t.mask)));
  const outputs = result.outputs instanceof Tensor ? [result.outputs] : [...result.outputs];
  const node = new GraphNode(operation, list, !(x instanceof SymbolicTensor));
  node.outputs = outputs.map((t, i) => new SymbolicTensor(t.shape.slice(1), t.dtype, node, i, result.masks[i]));
  return [...node.outputs];
}
