import type { DType } from './dtype.ts';
import { DTYPES } from './dtype.ts';
import { ConfigError, ShapeError, ValueError, describeValue, fmtShape } from './errors.ts';
import { AFFINE_ACTIVATIONS } from './primitives.ts';
import type { Prim, PrimParams } from './primitives.ts';
import { sameShape, sizeOf } from './shape.ts';
import type { Shape } from './shape.ts';

export interface OutputSpec {
  shape: number[];
  dtype: DType;
}

type ShapeRule<P extends Prim> = (shapes: readonly Shape[], dtypes: readonly DType[], params: PrimParams[P]) => OutputSpec;

/** Validates a primitive's inputs and gives its output shape; every message names the primitive. */
export const shapeRules: { [P in Prim]: ShapeRule<P> } = {
  neg: same, exp: same, log: same, sqrt: same, reciprocal: same, expm1: same, log1p: same,
  erf: same, erfc: same, sin: same, cos: same, sigmoid: same, tanh: same, floor: same, round: same,
  add: equalShapes('add'), mul: equalShapes('mul'), less: equalShapes('less'), equal: equalShapes('equal'),
  where: equalShapes('where'),
  relu: same,
  reluGrad: equalShapes('reluGrad'),
  sigmoidGrad: equalShapes('sigmoidGrad'),
  tanhGrad: equalShapes('tanhGrad'),
  sum: reduced('sum'),
  max: reduced('max'),
  maxGrad: ([x, y, g], dtypes, params) => {
    const { shape } = reduced('maxGrad')([x], dtypes, params);
    if (!sameShape(y, shape) || !sameShape(g, shape)) {
      throw new ShapeError(`maxGrad: x ${fmtShape(x)} reduced over axes [${params.axes.join(',')}] is ${fmtShape(shape)}, but the max and its cotangent are ${fmtShape(y)} and ${fmtShape(g)}`);
    }
    checkDtypes('maxGrad', dtypes);
    return { shape: [...x], dtype: dtypes[0] };
  },
  stopGradient: same,
  cast: ([shape], _dtypes, { dtype }) => {
    if (!DTYPES.includes(dtype)) throw new ConfigError(`cast: unknown dtype '${String(dtype)}' (expected one of ${DTYPES.join(', ')})`);
    return { shape: [...shape], dtype };
  },
  reshape: ([shape], [dtype], params) => {
    if (sizeOf(shape) !== sizeOf(params.shape)) {
      throw new ShapeError(`reshape: cannot reshape ${fmtShape(shape)} (${sizeOf(shape)} elements) to ${fmtShape(params.shape)} (${sizeOf(params.shape)} elements)`);
    }
    return { shape: [...params.shape], dtype };
  },
  permute: ([shape], [dtype], { perm }) => {
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== shape.length || sorted.some((p, i) => p !== i)) {
      throw new ShapeError(`permute: [${perm.join(',')}] is not a permutation of the ${shape.length} axes of ${fmtShape(shape)}`);
    }
    return { shape: perm.map((p) => shape[p]), dtype };
  },
  expand: ([shape], [dtype], params) => {
    const ok = params.shape.length === shape.length && shape.every((d, i) => d === params.shape[i] || d === 1);
    if (!ok) throw new ShapeError(`expand: cannot expand ${fmtShape(shape)} to ${fmtShape(params.shape)} (only size-1 dims can grow, rank must match)`);
    return { shape: [...params.shape], dtype };
  },
  pad: ([shape], [dtype], { pads, value }) => {
    const ok = pads.length === shape.length && pads.every(([lo, hi]) => isCount(lo) && isCount(hi));
    if (!ok) throw new ShapeError(`pad: expected ${shape.length} pairs of non-negative integers for shape ${fmtShape(shape)}, got ${JSON.stringify(pads)}`);
    if (Number.isNaN(value)) throw new ValueError('pad: the pad value is NaN');
    return { shape: shape.map((d, i) => d + pads[i][0] + pads[i][1]), dtype };
  },
  slice: ([shape], [dtype], { begin, size }) => {
    const ok = begin.length === shape.length && size.length === shape.length &&
      shape.every((d, i) => isCount(begin[i]) && isCount(size[i]) && begin[i] + size[i] <= d);
    if (!ok) throw new ShapeError(`slice: begin [${begin.join(',')}] and size [${size.join(',')}] do not fit in shape ${fmtShape(shape)}`);
    return { shape: [...size], dtype };
  },
  concat: (shapes, dtypes, { axis }) => {
    const first = shapes[0];
    if (first === undefined) throw new ValueError('concat: needs at least one tensor');
    const fits = (s: Shape) => s.length === first.length && s.every((d, i) => i === axis || d === first[i]);
    if (!(axis >= 0 && axis < first.length) || !shapes.every(fits)) {
      throw new ShapeError(`concat: shapes ${shapes.map(fmtShape).join(', ')} do not match outside axis ${axis}`);
    }
    checkDtypes('concat', dtypes);
    const shape = [...first];
    shape[axis] = shapes.reduce((acc, s) => acc + s[axis], 0);
    return { shape, dtype: dtypes[0] };
  },
  matmul: ([a, b], dtypes, { transposeA, transposeB }) => {
    const rank = a.length;
    if (rank < 2 || b.length !== rank || !sameShape(a.slice(0, -2), b.slice(0, -2))) {
      throw new ShapeError(`matmul: operands need equal rank >= 2 and equal batch dims, got ${fmtShape(a)} and ${fmtShape(b)}`);
    }
    const [m, k] = transposeA ? [a[rank - 1], a[rank - 2]] : [a[rank - 2], a[rank - 1]];
    const [k2, n] = transposeB ? [b[rank - 1], b[rank - 2]] : [b[rank - 2], b[rank - 1]];
    if (k !== k2) throw new ShapeError(`matmul: inner dimensions differ: ${fmtShape(a)} and ${fmtShape(b)} (${k} vs ${k2})`);
    checkDtypes('matmul', dtypes);
    return { shape: [...a.slice(0, -2), m, n], dtype: dtypes[0] };
  },
  affine: ([x, w, bias], dtypes, { activation }) => {
    if (x.length !== 2 || w.length !== 2 || bias.length !== 1 || x[1] !== w[0] || bias[0] !== w[1]) {
      throw new ShapeError(`affine: expected x [m,k], w [k,n] and bias [n], got ${fmtShape(x)}, ${fmtShape(w)} and ${fmtShape(bias)}`);
    }
    if (!AFFINE_ACTIVATIONS.includes(activation)) {
      throw new ConfigError(`affine: activation must be one of ${AFFINE_ACTIVATIONS.join(', ')}, got ${describeValue(activation)}`);
    }
    checkDtypes('affine', dtypes);
    return { shape: [x[0], w[1]], dtype: dtypes[0] };
  },
  convAffine: ([x, kernel, bias], dtypes, { strides, dilations, activation }) => {
    if (x.length !== 4 || kernel.length !== 4 || bias.length !== 1 || kernel[2] !== x[3] || bias[0] !== kernel[3]) {
      throw new ShapeError(`convAffine: expected x [N,H,W,C], kernel [kh,kw,C,F] and bias [F], got ${fmtShape(x)}, ${fmtShape(kernel)} and ${fmtShape(bias)}`);
    }
    const [kh, kw] = kernel;
    const { shape: [n, oh, ow] } = shapeRules.unfold([x], dtypes, { kernel: [kh, kw], strides, dilations });
    shapeRules.affine([[n * oh * ow, kh * kw * x[3]], [kh * kw * x[3], kernel[3]], bias], dtypes, { activation });
    return { shape: [n, oh, ow, kernel[3]], dtype: dtypes[0] };
  },
  convFilterGrad: ([x, g], dtypes, window) => {
    const { shape: [n, oh, ow, kh, kw, c] } = shapeRules.unfold([x], dtypes, window);
    if (g.length !== 4 || g[0] !== n || g[1] !== oh || g[2] !== ow) {
      throw new ShapeError(`convFilterGrad: expected g [${n},${oh},${ow},F] for the windows of x ${fmtShape(x)}, got ${fmtShape(g)}`);
    }
    checkDtypes('convFilterGrad', dtypes);
    return { shape: [kh, kw, c, g[3]], dtype: dtypes[0] };
  },
  convAffineGrad: ([x, g, y], dtypes, { activation, ...window }) => {
    const { shape: [kh, kw, c, f] } = shapeRules.convFilterGrad([x, g], dtypes.slice(0, 2), window);
    if (!sameShape(y, g)) throw new ShapeError(`convAffineGrad: expected y of g's shape ${fmtShape(g)}, got ${fmtShape(y)}`);
    if (!AFFINE_ACTIVATIONS.includes(activation)) {
      throw new ConfigError(`convAffineGrad: activation must be one of ${AFFINE_ACTIVATIONS.join(', ')}, got ${describeValue(activation)}`);
    }
    checkDtypes('convAffineGrad', dtypes);
    return { shape: [kh * kw * c + 1, f], dtype: dtypes[0] };
  },
  convTranspose: ([x, kernel], dtypes, { strides, dilations, height, width }) => {
    if (x.length !== 4 || kernel.length !== 4 || kernel[3] !== x[3]) {
      throw new ShapeError(`convTranspose: expected x [N,OH,OW,F] and kernel [kh,kw,C,F], got ${fmtShape(x)} and ${fmtShape(kernel)}`);
    }
    checkDtypes('convTranspose', dtypes);
    const [kh, kw, c] = kernel;
    return shapeRules.fold([[x[0], x[1], x[2], kh, kw, c]], dtypes, { kernel: [kh, kw], strides, dilations, height, width });
  },
  maxPool: pooled('maxPool'),
  sumPool: pooled('sumPool'),
  maxPoolGrad: ([x, y, g], dtypes, params) => {
    const { shape } = shapeRules.maxPool([x], dtypes, params);
    if (params.kernel[0] !== params.strides[0] || params.kernel[1] !== params.strides[1]) {
      throw new ConfigError(`maxPoolGrad: expected windows that tile (strides = kernel), got kernel ${params.kernel.join('x')} and strides ${params.strides.join('x')}`);
    }
    if (!sameShape(y, shape) || !sameShape(g, shape)) {
      throw new ShapeError(`maxPoolGrad: x ${fmtShape(x)} pools to ${fmtShape(shape)}, but the max and its cotangent are ${fmtShape(y)} and ${fmtShape(g)}`);
    }
    checkDtypes('maxPoolGrad', dtypes);
    return { shape: [...x], dtype: dtypes[0] };
  },
  unfold: ([shape], [dtype], { kernel, strides, dilations }) => {
    checkWindow('unfold', kernel, strides, dilations);
    const [eh, ew] = extents(kernel, dilations);
    if (shape.length !== 4 || shape[1] < eh || shape[2] < ew) {
      throw new ShapeError(`unfold: expected NHWC input at least as large as the ${eh}x${ew} window (${kernel[0]}x${kernel[1]} taps, dilations ${dilations[0]}x${dilations[1]}), got ${fmtShape(shape)}`);
    }
    const [n, h, w, c] = shape;
    return { shape: [n, windows(h, eh, strides[0]), windows(w, ew, strides[1]), kernel[0], kernel[1], c], dtype };
  },
  fold: ([shape], [dtype], { kernel, strides, dilations, height, width }) => {
    checkWindow('fold', kernel, strides, dilations);
    const [eh, ew] = extents(kernel, dilations);
    const fits = shape.length === 6 && height >= eh && width >= ew &&
      shape[1] === windows(height, eh, strides[0]) && shape[2] === windows(width, ew, strides[1]) &&
      shape[3] === kernel[0] && shape[4] === kernel[1];
    if (!fits) throw new ShapeError(`fold: columns ${fmtShape(shape)} do not match a ${height}x${width} image with a ${kernel[0]}x${kernel[1]} window, strides ${strides[0]}x${strides[1]} and dilations ${dilations[0]}x${dilations[1]}`);
    return { shape: [shape[0], height, width, shape[5]], dtype };
  },
  gather: ([x, indices], [dtype], { axis }) => {
    checkIndexed('gather', x, indices, axis);
    return { shape: x.map((d, i) => (i === axis ? indices[0] : d)), dtype };
  },
  scatterAdd: ([u, indices], [dtype], { axis, size }) => {
    checkIndexed('scatterAdd', u, indices, axis);
    if (u[axis] !== indices[0] || !isCount(size)) {
      throw new ShapeError(`scatterAdd: updates ${fmtShape(u)} need ${indices[0]} entries along axis ${axis} (one per index) and a non-negative integer size, got ${u[axis]} and size ${size}`);
    }
    return { shape: u.map((d, i) => (i === axis ? size : d)), dtype };
  },
  topkIndices: ([shape], [dtype], { k }) => {
    const n = shape[shape.length - 1];
    if (shape.length === 0 || !isCount(k) || k > n) {
      throw new ShapeError(`topkIndices: k must be an integer in [0, ${n ?? 0}] for shape ${fmtShape(shape)}, got ${k}`);
    }
    return { shape: [...shape.slice(0, -1), k], dtype };
  },
  softmaxCrossEntropy: ([z, y], dtypes) => {
    checkClassRows('softmaxCrossEntropy', z, y, dtypes);
    return { shape: z.slice(0, -1), dtype: dtypes[0] };
  },
  softmaxCrossEntropyGrad: ([z, y, g], dtypes) => {
    checkClassRows('softmaxCrossEntropyGrad', z, y, dtypes);
    if (!sameShape(g, z.slice(0, -1))) throw new ShapeError(`softmaxCrossEntropyGrad: the cotangent must have shape ${fmtShape(z.slice(0, -1))} (one per row of ${fmtShape(z)}), got ${fmtShape(g)}`);
    return { shape: [...z], dtype: dtypes[0] };
  },
};

/** Logits and targets of one shape [..., K] with K ≥ 1 classes, and one dtype. */
function checkClassRows(prim: Prim, z: Shape, y: Shape, dtypes: readonly DType[]): void {
  if (z.length === 0 || z[z.length - 1] === 0 || !sameShape(z, y)) {
    throw new ShapeError(`${prim}: logits and targets must have one shape [..., classes] with at least one class, got ${fmtShape(z)} and ${fmtShape(y)}`);
  }
  checkDtypes(prim, dtypes);
}

function same(shapes: readonly Shape[], dtypes: readonly DType[]): OutputSpec {
  return { shape: [...shapes[0]], dtype: dtypes[0] };
}

function equalShapes(prim: Prim) {
  return (shapes: readonly Shape[], dtypes: readonly DType[]): OutputSpec => {
    if (!shapes.every((s) => sameShape(s, shapes[0]))) {
      throw new ShapeError(`${prim}: primitive operands must have equal shapes, got ${shapes.map(fmtShape).join(' and ')}`);
    }
    checkDtypes(prim, dtypes);
    return { shape: [...shapes[0]], dtype: dtypes[dtypes.length - 1] };
  };
}

function reduced(prim: 'sum' | 'max' | 'maxGrad') {
  return ([shape]: readonly Shape[], [dtype]: readonly DType[], { axes }: { axes: readonly number[] }): OutputSpec => {
    if (!axes.every((a) => Number.isInteger(a) && a >= 0 && a < shape.length) || new Set(axes).size !== axes.length) {
      throw new ShapeError(`${prim}: axes [${axes.join(',')}] are not distinct axes of ${fmtShape(shape)}`);
    }
    if (prim !== 'sum' && axes.some((a) => shape[a] === 0)) {
      throw new ShapeError(`${prim}: cannot reduce an empty axis of ${fmtShape(shape)}`);
    }
    return { shape: shape.map((d, i) => (axes.includes(i) ? 1 : d)), dtype };
  };
}

/** A pooling primitive's rule: NHWC input at least one window large, one output per window placed every `strides`. */
function pooled(prim: 'maxPool' | 'sumPool'): ShapeRule<typeof prim> {
  return ([shape], [dtype], { kernel, strides }) => {
    checkWindow(prim, kernel, strides, [1, 1]);
    if (shape.length !== 4 || shape[1] < kernel[0] || shape[2] < kernel[1]) {
      throw new ShapeError(`${prim}: expected NHWC input at least as large as the ${kernel[0]}x${kernel[1]} window, got ${fmtShape(shape)}`);
    }
    const [n, h, w, c] = shape;
    return { shape: [n, windows(h, kernel[0], strides[0]), windows(w, kernel[1], strides[1]), c], dtype };
  };
}

function checkDtypes(prim: Prim, dtypes: readonly DType[]): void {
  if (!dtypes.every((d) => d === dtypes[dtypes.length - 1])) {
    throw new ValueError(`${prim}: primitive operands must share a dtype, got ${dtypes.join(' and ')}`);
  }
}

function checkWindow(prim: Prim, kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): void {
  const ok = (p: readonly number[]) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 1);
  if (!ok(kernel) || !ok(strides) || !ok(dilations)) {
    const shown = (p: readonly number[]) => (Array.isArray(p) ? `[${p.join(',')}]` : describeValue(p));
    throw new ValueError(`${prim}: kernel, strides and dilations must be two positive integers each, got kernel ${shown(kernel)}, strides ${shown(strides)} and dilations ${shown(dilations)}`);
  }
}

/** The pixels a dilated window spans along each axis: (k - 1)·d + 1. */
export function extents(kernel: readonly [number, number], dilations: readonly [number, number]): [number, number] {
  return [(kernel[0] - 1) * dilations[0] + 1, (kernel[1] - 1) * dilations[1] + 1];
}

/** gather and scatterAdd: a 1-D index tensor and an axis of the indexed operand. */
function checkIndexed(prim: Prim, shape: Shape, indices: Shape, axis: number): void {
  if (indices.length !== 1 || !(Number.isInteger(axis) && axis >= 0 && axis < shape.length)) {
    throw new ShapeError(`${prim}: expected 1-D indices and an axis of ${fmtShape(shape)}, got indices ${fmtShape(indices)} and axis ${axis}`);
  }
}

function isCount(v: number): boolean {
  return Number.isInteger(v) && v >= 0;
}

/** Number of window positions along one axis without padding. */
export function windows(size: number, kernel: number, stride: number): number {
  return Math.floor((size - kernel) / stride) + 1;
}
