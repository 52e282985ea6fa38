import { fromBinary } from '@bufbuild/protobuf';
import type { AttributeProto, NodeProto, TensorProto } from 'onnx-buf';
import { ModelProtoSchema, TensorProto_DataType } from 'onnx-buf';
import { ConfigError, ValueError } from '../core/errors.ts';

/** A constant of the graph (an initializer or a Constant node) as numbers. */
export interface OnnxConstant {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface OnnxGraph {
  readonly inputs: readonly { name: string; dims: readonly number[] }[];
  readonly outputs: readonly string[];
  readonly nodes: readonly NodeProto[];
  readonly constants: ReadonlyMap<string, OnnxConstant>;
}

const T = TensorProto_DataType;

/** A TensorProto's values (float, double, int32 or int64; raw or typed fields) as float32. */
export function tensorValues(t: TensorProto): OnnxConstant {
  const dims = t.dims.map(Number);
  const size = dims.reduce((a, b) => a * b, 1);
  const raw = t.rawData.length > 0 ? new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength) : undefined;
  const out = new Float32Array(size);
  const read: Record<number, [number, (i: number) => number, () => ArrayLike<number | bigint>]> = {
    [T.FLOAT]: [4, (i) => (raw as DataView).getFloat32(i * 4, true), () => t.floatData],
    [T.DOUBLE]: [8, (i) => (raw as DataView).getFloat64(i * 8, true), () => t.doubleData],
    [T.INT32]: [4, (i) => (raw as DataView).getInt32(i * 4, true), () => t.int32Data],
    [T.INT64]: [8, (i) => Number((raw as DataView).getBigInt64(i * 8, true)), () => t.int64Data],
  };
  const reader = read[t.dataType];
  if (reader === undefined) throw new ConfigError(`loadOnnx: tensor ${t.name} has data type ${t.dataType}; only float, double, int32 and int64 constants are read`);
  const [bytes, at, typed] = reader;
  if (raw !== undefined && raw.byteLength !== size * bytes) throw new ValueError(`loadOnnx: tensor ${t.name} [${dims.join(',')}] holds ${raw.byteLength} bytes, expected ${size * bytes}`);
  const list = typed();
  if (raw === undefined && list.length !== size) throw new ValueError(`loadOnnx: tensor ${t.name} [${dims.join(',')}] holds ${list.length} values, expected ${size}`);
  for (let i = 0; i < size; i++) out[i] = raw !== undefined ? at(i) : Number(list[i]);
  return { data: out, dims };
}

/** Reads the bytes of an ONNX model: its graph inputs (initializers excluded), outputs, nodes and constants. */
export function readOnnx(bytes: Uint8Array): OnnxGraph {
  if (!(bytes instanceof Uint8Array)) throw new ConfigError('loadOnnx: expected the bytes of an .onnx file as a Uint8Array');
  let graph;
  try {
    graph = fromBinary(ModelProtoSchema, bytes).graph;
  } catch (error) {
    throw new ValueError(`loadOnnx: the bytes are not an ONNX model (${(error as Error).message})`);
  }
  if (graph === undefined || graph.node.length === 0) throw new ValueError('loadOnnx: the model has no graph or no nodes');
  const constants = new Map<string, OnnxConstant>(graph.initializer.map((t) => [t.name, tensorValues(t)]));
  const nodes: NodeProto[] = [];
  for (const node of graph.node) {
    const value = node.opType === 'Constant' ? node.attribute.find((a) => a.name === 'value')?.t : undefined;
    if (value !== undefined) constants.set(node.output[0], tensorValues(value));
    else nodes.push(node);
  }
  const inputs = graph.input.filter((v) => !constants.has(v.name)).map((v) => {
    const type = v.type?.value;
    const shape = type?.case === 'tensorType' ? type.value.shape : undefined;
    const dims = (shape?.dim ?? []).map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : -1));
    if (dims.length < 2 || dims.slice(1).some((d) => d < 1)) {
      throw new ConfigError(`loadOnnx: input ${v.name} needs a known shape after the batch axis, got [${dims.map((d) => (d < 0 ? '?' : d)).join(',')}]`);
    }
    return { name: v.name, dims };
  });
  return { inputs, outputs: graph.output.map((v) => v.name), nodes, constants };
}

/** An attribute's value: an int, a float, a list of ints or floats, or undefined when absent. */
export function attr(node: NodeProto, name: string): number | number[] | undefined {
  const a: AttributeProto | undefined = node.attribute.find((x) => x.name === name);
  if (a === undefined) return undefined;
  if (a.ints.length > 0) return a.ints.map(Number);
  if (a.floats.length > 0) return [...a.floats];
  if (a.type === 1) return a.f;
  return Number(a.i);
}
