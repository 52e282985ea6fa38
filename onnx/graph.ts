import { create } from '@bufbuild/protobuf';
import type { AttributeProto, GraphProto, NodeProto, TensorProto, ValueInfoProto } from 'onnx-buf';
import {
  AttributeProtoSchema, AttributeProto_AttributeType, GraphProtoSchema, NodeProtoSchema, TensorProtoSchema,
  TensorProto_DataType, TensorShapeProtoSchema, TensorShapeProto_DimensionSchema, TypeProtoSchema, TypeProto_TensorSchema,
  ValueInfoProtoSchema,
} from 'onnx-buf';

/** An attribute value: a number is an int unless it is not an integer; `{ f }` forces a float; `{ floats }`, `{ strings }` are lists. */
export type AttrValue = number | { f: number } | readonly number[] | { floats: readonly number[] } | string | { strings: readonly string[] };

/** A value flowing through the graph: its ONNX name and whether its channels sit first (NCHW) or last, as semiflow's. */
export interface OnnxValue {
  readonly name: string;
  /** One sample's shape (no batch axis), always in semiflow's channels-last order whatever the layout. */
  readonly shape: readonly number[];
  readonly channelsFirst?: boolean;
}

function attribute(name: string, value: AttrValue): AttributeProto {
  const T = AttributeProto_AttributeType;
  if (typeof value === 'string') return create(AttributeProtoSchema, { name, type: T.STRING, s: new TextEncoder().encode(value) });
  if (typeof value === 'number') {
    return Number.isInteger(value) ? create(AttributeProtoSchema, { name, type: T.INT, i: BigInt(value) }) : create(AttributeProtoSchema, { name, type: T.FLOAT, f: value });
  }
  if ('f' in value) return create(AttributeProtoSchema, { name, type: T.FLOAT, f: value.f });
  if ('strings' in value) return create(AttributeProtoSchema, { name, type: T.STRINGS, strings: value.strings.map((v) => new TextEncoder().encode(v)) });
  if ('floats' in value) return create(AttributeProtoSchema, { name, type: T.FLOATS, floats: [...value.floats] });
  return create(AttributeProtoSchema, { name, type: T.INTS, ints: (value as readonly number[]).map((v) => BigInt(v)) });
}

/** A float tensor [dims] as an ONNX initializer, little-endian raw data. */
export function floatTensor(name: string, data: ArrayLike<number>, dims: readonly number[]): TensorProto {
  const raw = new Uint8Array(Float32Array.from(data).buffer);
  return create(TensorProtoSchema, { name, dims: dims.map((d) => BigInt(d)), dataType: TensorProto_DataType.FLOAT, rawData: raw });
}

export function int64Tensor(name: string, data: readonly number[], dims: readonly number[]): TensorProto {
  return create(TensorProtoSchema, { name, dims: dims.map((d) => BigInt(d)), dataType: TensorProto_DataType.INT64, int64Data: data.map((d) => BigInt(d)) });
}

/** A float32 graph input or output of `shape`, the batch axis (null) a symbolic dimension. */
export function valueInfo(name: string, shape: readonly (number | null)[], elemType: number = TensorProto_DataType.FLOAT): ValueInfoProto {
  const dim = shape.map((d) => create(TensorShapeProto_DimensionSchema, { value: d === null ? { case: 'dimParam', value: 'batch' } : { case: 'dimValue', value: BigInt(d) } }));
  const tensorType = create(TypeProto_TensorSchema, { elemType, shape: create(TensorShapeProtoSchema, { dim }) });
  return create(ValueInfoProtoSchema, { name, type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType } }) });
}

/** Collects nodes and initializers under unique names (a name asked twice gets _1, _2, ...). */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();
  private readonly constants = new Map<string, string>();

  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Reserves a name given from outside (a graph input), which must not be taken yet. */
  reserve(name: string): string {
    this.used.add(name);
    return name;
  }

  /** One node; returns its output names (`outputs` of them, named after the node). */
  node(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, base = op, outputs = 1): string[] {
    const name = this.unique(base);
    const outs = Array.from({ length: outputs }, (_, i) => (i === 0 ? this.unique(`${name}:0`) : this.unique(`${name}:${i}`)));
    const attribute_ = Object.entries(attrs).map(([k, v]) => attribute(k, v));
    this.nodes.push(create(NodeProtoSchema, { name, opType: op, input: [...inputs], output: outs, attribute: attribute_ }));
    return outs;
  }

  /** One node with one output. */
  op(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, base = op): string {
    return this.node(op, inputs, attrs, base)[0];
  }

  /** An Identity node whose output has the given (reserved) name: how a graph output gets the model's name. */
  identity(from: string, to: string): void {
    this.nodes.push(create(NodeProtoSchema, { name: this.unique(`${to}/Identity`), opType: 'Identity', input: [from], output: [to] }));
  }

  weight(base: string, data: ArrayLike<number>, dims: readonly number[]): string {
    const name = this.unique(base);
    this.initializers.push(floatTensor(name, data, dims));
    return name;
  }

  /** An int64 constant (shapes, axes), shared between nodes that ask for the same values. */
  ints(values: readonly number[]): string {
    const key = `i64:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known !== undefined) return known;
    const name = this.unique(`const_${values.join('_').replace(/-/g, 'm')}`);
    this.initializers.push(int64Tensor(name, values, [values.length]));
    this.constants.set(key, name);
    return name;
  }

  /** A float scalar constant, shared likewise. */
  scalar(value: number): string {
    const key = `f32:${value}`;
    const known = this.constants.get(key);
    if (known !== undefined) return known;
    const name = this.weight('const_f', [value], []);
    this.constants.set(key, name);
    return name;
  }

  graph(name: string, inputs: ValueInfoProto[], outputs: ValueInfoProto[]): GraphProto {
    return create(GraphProtoSchema, { name, node: this.nodes, initializer: this.initializers, input: inputs, output: outputs });
  }
}
