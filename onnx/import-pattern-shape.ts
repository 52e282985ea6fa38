import type { NodeProto } from 'onnx-buf';
import { ConfigError } from '../core/errors.ts';
import type { Imported, Importer } from './importer.ts';
import { attr } from './read-model.ts';

// Arithmetic on shapes, as PyTorch writes x.view(x.size(0), -1): Shape → Gather → Unsqueeze → Concat → Reshape.
// The sizes are known at import but for the batch, so each shape value is a list of numbers and 'batch'; one that
// Reshape can take (the batch first, as 0: ONNX's "keep this dimension") becomes a constant for it.

type Dim = number | 'batch';
interface ShapeValue {
  readonly dims: readonly Dim[];
  readonly scalar: boolean;
}

const SHAPES = new WeakMap<Importer, Map<string, ShapeValue>>();

function shapesOf(imp: Importer): Map<string, ShapeValue> {
  let map = SHAPES.get(imp);
  if (map === undefined) SHAPES.set(imp, (map = new Map()));
  return map;
}

/** The ONNX shape of an imported value, batch included, in ONNX's layout (NCHW, time-first). */
function onnxShape(v: Imported): Dim[] {
  const s = v.sym.shape;
  if (v.permuted === true) return ['batch', s[2], s[0], s[1]];
  if (v.timeFirst === true) return [s[0], 'batch', ...s.slice(1)];
  return ['batch', ...s];
}

function operand(name: string, node: NodeProto, imp: Importer): ShapeValue {
  const known = shapesOf(imp).get(name);
  if (known !== undefined) return known;
  const c = imp.constant(name, node);
  return { dims: Array.from(c.data), scalar: c.dims.length === 0 };
}

function define(name: string, value: ShapeValue, imp: Importer): void {
  shapesOf(imp).set(name, value);
  if (!value.scalar && value.dims.every((d, i) => d !== 'batch' || i === 0)) {
    imp.computed.set(name, { data: Float32Array.from(value.dims, (d) => (d === 'batch' ? 0 : d)), dims: [value.dims.length] });
  }
}

const ARITHMETIC: Readonly<Record<string, (a: number, b: number) => number>> = {
  Mul: (a, b) => a * b, Div: (a, b) => Math.trunc(a / b), Add: (a, b) => a + b, Sub: (a, b) => a - b,
};

function compute(node: NodeProto, imp: Importer): ShapeValue {
  const args = node.input.filter((n) => n !== '').map((n) => operand(n, node, imp));
  const [a, b] = args;
  const refuse = (why: string): never => {
    throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) computes on a tensor's shape ${why}; shapes are read through Shape, Gather, Unsqueeze, Squeeze, Concat, Cast and scalar arithmetic, to a Reshape that keeps the batch first`);
  };
  switch (node.opType) {
    case 'Cast': return a;
    case 'Gather': {
      if ((attr(node, 'axis') ?? 0) !== 0 || a.scalar) refuse('other than on axis 0 of a list');
      const picked = b.dims.map((i) => a.dims[(i as number) < 0 ? (i as number) + a.dims.length : (i as number)]);
      return { dims: picked, scalar: b.scalar };
    }
    case 'Unsqueeze': return a.scalar ? { dims: a.dims, scalar: false } : refuse('(an Unsqueeze of a list)');
    case 'Squeeze': return a.dims.length === 1 ? { dims: a.dims, scalar: true } : refuse('(a Squeeze of a longer list)');
    case 'Concat': return args.some((v) => v.scalar) ? refuse('(a Concat of scalars)') : { dims: args.flatMap((v) => v.dims), scalar: false };
    default: {
      const f = ARITHMETIC[node.opType];
      if (f === undefined || !a.scalar || !b.scalar || [a.dims[0], b.dims[0]].includes('batch')) return refuse('with the batch size, or by an op with no shape form');
      return { dims: [f(a.dims[0] as number, b.dims[0] as number)], scalar: true };
    }
  }
}

/** Shape, and the ops on its result, as shape values; false for a node that reads no shape (a layer's op then). */
export function importShapeArithmetic(node: NodeProto, imp: Importer): boolean {
  if (node.opType === 'Shape') {
    const dims = onnxShape(imp.value(node.input[0], node));
    const [start, end] = [(attr(node, 'start') as number | undefined) ?? 0, (attr(node, 'end') as number | undefined) ?? dims.length];
    define(node.output[0], { dims: dims.slice(start, end), scalar: false }, imp);
    return true;
  }
  const shapes = shapesOf(imp);
  if (!node.input.some((n) => shapes.has(n))) return false;
  if (node.opType === 'Reshape') {
    if (!imp.computed.has(node.input[1])) throw new ConfigError(`loadOnnx: node ${node.name} (Reshape) to a computed shape [${String(shapes.get(node.input[1])?.dims)}] that does not keep the batch first`);
    return false;
  }
  define(node.output[0], compute(node, imp), imp);
  return true;
}
