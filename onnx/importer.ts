import type { NodeProto } from 'onnx-buf';
import { ConfigError } from '../core/errors.ts';
import type { AnyLayer } from '../layers/layer.ts';
import { Permute } from '../layers/permute.ts';
import type { SymbolicTensor } from '../layers/symbolic.ts';
import type { OnnxConstant, OnnxGraph } from './read-model.ts';

/**
 * An ONNX value as a symbolic tensor. With `permuted` the ONNX value is an NCHW image and the symbolic tensor holds
 * it channels-last (what semiflow's Conv2D and pools make), so a chain of convolutions needs no Permute layers.
 */
export interface Imported {
  readonly sym: SymbolicTensor;
  readonly permuted?: boolean;
  /** The ONNX value is a time-first sequence [time, batch, features]; the symbolic tensor holds it batch-first. */
  readonly timeFirst?: boolean;
}

/** The state of one import: values by ONNX name, the weights each new layer gets, and which nodes are used up. */
export class Importer {
  readonly values = new Map<string, Imported>();
  readonly weights = new Map<AnyLayer, Record<string, OnnxConstant>>();
  /** Nodes folded into an earlier one (a bias Add into its MatMul, an activation into its Dense or Conv). */
  readonly absorbed = new Set<NodeProto>();
  /** Constants computed from shapes during the import (PyTorch's Shape → Gather → Concat before a Reshape). */
  readonly computed = new Map<string, OnnxConstant>();
  private readonly consumers = new Map<string, NodeProto[]>();
  private readonly layouts = new Map<SymbolicTensor, SymbolicTensor>();

  constructor(readonly graph: OnnxGraph) {
    for (const node of graph.nodes) for (const name of node.input) this.consumers.set(name, [...(this.consumers.get(name) ?? []), node]);
  }

  value(name: string, node: NodeProto): Imported {
    const v = this.values.get(name);
    if (v === undefined) throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) reads ${name}, which is neither a graph input nor computed before it`);
    return v;
  }

  constant(name: string | undefined, node: NodeProto): OnnxConstant {
    const c = name === undefined ? undefined : this.graph.constants.get(name) ?? this.computed.get(name);
    if (c === undefined) throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) needs a constant for ${name ?? 'a missing input'}; computed weights are not imported`);
    return c;
  }

  /** The constant at input i of node, or undefined where ONNX leaves that optional input out (absent or ''). */
  optionalConstant(node: NodeProto, i: number): OnnxConstant | undefined {
    const name = node.input[i];
    return name === undefined || name === '' ? undefined : this.constant(name, node);
  }

  isConstant(name: string): boolean {
    return this.graph.constants.has(name) || this.computed.has(name);
  }

  /** The nodes that read `output`. */
  readers(output: string): readonly NodeProto[] {
    return this.consumers.get(output) ?? [];
  }

  /** The one node that reads `output`, if exactly one does and no graph output is it. */
  soleConsumer(output: string): NodeProto | undefined {
    const list = this.consumers.get(output) ?? [];
    return list.length === 1 && !this.graph.outputs.includes(output) ? list[0] : undefined;
  }

  /** Applies a new layer (with the weights it will be given once the model is built) to symbolic inputs. */
  apply(layer: AnyLayer, inputs: SymbolicTensor | readonly SymbolicTensor[], weights: Record<string, OnnxConstant> = {}): SymbolicTensor {
    this.weights.set(layer, weights);
    const out = (layer.apply as (x: SymbolicTensor | readonly SymbolicTensor[]) => unknown)(inputs);
    return out as SymbolicTensor;
  }

  /** The ONNX value exactly (an NCHW image as NCHW). */
  literal(v: Imported): SymbolicTensor {
    if (v.timeFirst === true) throw new ConfigError('loadOnnx: a time-first sequence is read only by a recurrent op; semiflow has no batch-axis move');
    return v.permuted === true ? this.permute(v.sym, [3, 1, 2]) : v.sym;
  }

  /** A rank-4 ONNX value (NCHW) channels-last, for a convolution or pool. */
  channelsLast(v: Imported): SymbolicTensor {
    if (v.permuted === true) return v.sym;
    if (v.sym.shape.length !== 3) throw new ConfigError(`loadOnnx: expected an NCHW image, got a value of shape [batch,${v.sym.shape.join(',')}]`);
    return this.permute(v.sym, [2, 3, 1]);
  }

  /** A Permute layer, once per tensor and direction. */
  private permute(sym: SymbolicTensor, dims: readonly number[]): SymbolicTensor {
    const known = this.layouts.get(sym);
    if (known !== undefined) return known;
    const out = this.apply(new Permute(dims), sym);
    this.layouts.set(sym, out);
    this.layouts.set(out, sym);
    return out;
  }
}
