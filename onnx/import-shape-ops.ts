import type { NodeProto } from 'onnx-buf';
import { ConfigError } from '../core/errors.ts';
import { Embedding } from '../layers/embedding.ts';
import { Flatten } from '../layers/flatten.ts';
import { Concatenate } from '../layers/merge/concatenate.ts';
import { Add, Average, Maximum, Minimum, Multiply, Subtract } from '../layers/merge/elementwise.ts';
import { Permute } from '../layers/permute.ts';
import { Reshape } from '../layers/reshape.ts';
import { ZeroPadding2D } from '../layers/zero-padding2d.ts';
import type { Imported, Importer } from './importer.ts';
import { attr } from './read-model.ts';

// Ops that move values (Flatten, Reshape, Transpose), pass them on (Identity, Dropout), merge them, or look up ids.

/** Identity, inference Dropout, and a Cast feeding a Gather: the value as it is. */
export function importPassThrough(node: NodeProto, imp: Importer): void {
  imp.values.set(node.output[0], imp.value(node.input[0], node));
}

/** Flatten at axis 1, in the ONNX (NCHW) order. */
export function importFlatten(node: NodeProto, imp: Importer): void {
  if ((attr(node, 'axis') ?? 1) !== 1) throw new ConfigError(`loadOnnx: node ${node.name} (Flatten) has axis ${String(attr(node, 'axis'))}; only axis 1 keeps the batch`);
  imp.values.set(node.output[0], { sym: imp.apply(new Flatten(), imp.literal(imp.value(node.input[0], node))) });
}

/** Reshape to a constant shape whose first entry keeps the batch (0 or −1 with the rest fixed). */
export function importReshape(node: NodeProto, imp: Importer): void {
  const x = imp.literal(imp.value(node.input[0], node));
  const shape = Array.from(imp.constant(node.input[1], node).data);
  const rest = shape.slice(1).map((d, i) => (d === 0 ? x.shape[i] : d));
  const size = x.shape.reduce((a, b) => a * b, 1);
  if (shape.length < 2 || !(shape[0] === 0 || (shape[0] === -1 && !rest.includes(-1)))) {
    throw new ConfigError(`loadOnnx: node ${node.name} (Reshape) to [${shape.join(',')}] does not keep the batch axis first`);
  }
  const known = rest.reduce((a, b) => (b === -1 ? a : a * b), 1);
  const target = rest.map((d) => (d === -1 ? size / known : d));
  if (target.reduce((a, b) => a * b, 1) !== size) {
    throw new ConfigError(`loadOnnx: node ${node.name} (Reshape) to [${shape.join(',')}] moves values between the batch axis and the others (toOnnx's TimeDistributed does); semiflow's layers keep the batch axis`);
  }
  imp.values.set(node.output[0], { sym: imp.apply(new Reshape(target), x) });
}

const TO_FIRST = '0,3,1,2';
const TO_LAST = '0,2,3,1';

/** Transposes between NCHW and NHWC only relabel the layout; any other keeping the batch first is a Permute. */
export function importTranspose(node: NodeProto, imp: Importer): void {
  const x = imp.value(node.input[0], node);
  const perm = attr(node, 'perm') as number[] | undefined;
  const key = perm?.join();
  if (x.permuted === true && key === TO_LAST) return void imp.values.set(node.output[0], { sym: x.sym });
  if (x.permuted !== true && key === TO_FIRST) return void imp.values.set(node.output[0], { sym: x.sym, permuted: true });
  // [batch, time, features] ↔ [time, batch, features], the recurrent ops' layout.
  if (key === '1,0,2' && x.permuted !== true) return void imp.values.set(node.output[0], x.timeFirst === true ? { sym: x.sym } : { sym: x.sym, timeFirst: true });
  if (perm === undefined || perm[0] !== 0) throw new ConfigError(`loadOnnx: node ${node.name} (Transpose) with perm [${perm?.join(',') ?? 'reversed'}] moves the batch axis`);
  imp.values.set(node.output[0], { sym: imp.apply(new Permute(perm.slice(1)), imp.literal(x)) });
}

/** Gather rows of a constant table [vocabulary, width] by ids: an Embedding. */
export function importGather(node: NodeProto, imp: Importer): void {
  const table = imp.constant(node.input[0], node);
  if ((attr(node, 'axis') ?? 0) !== 0 || table.dims.length !== 2) throw new ConfigError(`loadOnnx: node ${node.name} (Gather) is not a lookup of rows of a constant table`);
  const ids = imp.literal(imp.value(node.input[1], node));
  imp.values.set(node.output[0], { sym: imp.apply(new Embedding(table.dims[0], table.dims[1]), ids, { embeddings: table }) });
}

const MERGES = { Add, Sum: Add, Sub: Subtract, Mul: Multiply, Max: Maximum, Min: Minimum } as const;

/** The inputs in one layout: the permuted one if all are, else each as its ONNX value. */
function together(inputs: readonly Imported[], imp: Importer): { syms: Imported['sym'][]; permuted: boolean } {
  const permuted = inputs.every((v) => v.permuted === true);
  return { syms: inputs.map((v) => (permuted ? v.sym : imp.literal(v))), permuted };
}

/** An elementwise merge of computed values (a constant operand is not a layer); Sum then Div by the count is Average. */
export function importMerge(node: NodeProto, imp: Importer): void {
  if (node.input.some((n) => imp.isConstant(n))) throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) with a constant operand has no semiflow layer`);
  const { syms, permuted } = together(node.input.map((n) => imp.value(n, node)), imp);
  const div = imp.soleConsumer(node.output[0]);
  const divisor = div?.opType === 'Div' && imp.isConstant(div.input[1]) ? imp.constant(div.input[1], div).data : undefined;
  if ((node.opType === 'Sum' || node.opType === 'Add') && div !== undefined && divisor?.length === 1 && divisor[0] === syms.length) {
    imp.absorbed.add(div);
    return void imp.values.set(div.output[0], { sym: imp.apply(new Average(), syms), permuted });
  }
  const Layer = MERGES[node.opType as keyof typeof MERGES];
  imp.values.set(node.output[0], { sym: imp.apply(new Layer(), syms), permuted });
}

const FROM_FIRST = [0, 3, 1, 2];

export function importConcat(node: NodeProto, imp: Importer): void {
  const { syms, permuted } = together(node.input.map((n) => imp.value(n, node)), imp);
  const rank = syms[0].shape.length + 1;
  const raw = attr(node, 'axis') as number;
  const axis = raw < 0 ? raw + rank : raw;
  imp.values.set(node.output[0], { sym: imp.apply(new Concatenate({ axis: permuted ? FROM_FIRST[axis] : axis }), syms), permuted });
}

/** Pad with zeros: none is the value as it is (PyTorch writes one before an average pool); an image's height and width a ZeroPadding2D. */
export function importPad(node: NodeProto, imp: Importer): void {
  const x = imp.value(node.input[0], node);
  const pads = Array.from(imp.constant(node.input[1], node).data);
  const mode = node.attribute.find((a) => a.name === 'mode');
  const value = imp.optionalConstant(node, 2)?.data[0] ?? 0;
  if (pads.every((p) => p === 0)) return importPassThrough(node, imp);
  const [, c, top, left, , c2, bottom, right] = pads;
  if (pads.length !== 8 || pads[0] !== 0 || pads[4] !== 0 || c !== 0 || c2 !== 0 || value !== 0 || (mode !== undefined && new TextDecoder().decode(mode.s) !== 'constant')) {
    throw new ConfigError(`loadOnnx: node ${node.name} (Pad) pads [${pads.join(',')}]; only zeros around an NCHW image's height and width are imported`);
  }
  imp.values.set(node.output[0], { sym: imp.apply(new ZeroPadding2D([[top, bottom], [left, right]]), imp.channelsLast(x)), permuted: true });
}
