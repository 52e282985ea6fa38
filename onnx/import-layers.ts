import type { NodeProto } from 'onnx-buf';
import { ConfigError } from '../core/errors.ts';
import type { Padding } from '../core/ops/index.ts';
import type { Pair } from '../core/options.ts';
import { AveragePooling2D } from '../layers/average-pooling2d.ts';
import { BatchNormalization } from '../layers/batch-normalization.ts';
import { Conv2D } from '../layers/conv2d.ts';
import { Conv2DTranspose } from '../layers/conv2d-transpose.ts';
import { Dense } from '../layers/dense.ts';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from '../layers/global-pooling2d.ts';
import { LayerNormalization } from '../layers/layer-normalization.ts';
import { MaxPooling2D } from '../layers/max-pooling2d.ts';
import { ZeroPadding2D } from '../layers/zero-padding2d.ts';
import type { SymbolicTensor } from '../layers/symbolic.ts';
import { transposed } from './context.ts';
import { explicitPads, transposePads } from './export-conv.ts';
import { activationOf } from './import-activations.ts';
import { activationPattern } from './import-pattern.ts';
import type { Importer } from './importer.ts';
import type { OnnxConstant } from './read-model.ts';
import { attr } from './read-model.ts';

// The ONNX ops that become semiflow layers with weights, or windows: Dense, Conv2D, the pools, the normalizations.

const reorder = (c: OnnxConstant, perm: readonly number[]): OnnxConstant => {
  const t = transposed(c.data, c.dims, perm);
  return { data: t.data, dims: t.shape };
};

/** The activation (one node that alone reads `output`, or a pattern of several) folded into the layer before it (elementwise ones only for images). */
function foldActivation(output: string, rank: number, imp: Importer, image: boolean): { activation: string; output: string } {
  const pattern = activationPattern(output, imp);
  if (pattern !== undefined) {
    for (const n of pattern.nodes) imp.absorbed.add(n);
    return pattern;
  }
  const next = imp.soleConsumer(output);
  const name = next === undefined ? undefined : activationOf(next, rank, imp);
  if (next === undefined || name === undefined || (image && (name === 'softmax' || name === 'logSoftmax'))) return { activation: 'linear', output };
  imp.absorbed.add(next);
  return { activation: name, output: next.output[0] };
}

/** MatMul by a constant [in, out] (with the Add of a constant [out] after it), or Gemm with alpha = beta = 1. */
export function importDense(node: NodeProto, imp: Importer): void {
  const x = imp.value(node.input[0], node);
  let kernel = imp.constant(node.input[1], node);
  let bias: OnnxConstant | undefined;
  let output = node.output[0];
  if (node.opType === 'Gemm') {
    if ((attr(node, 'alpha') ?? 1) !== 1 || (attr(node, 'beta') ?? 1) !== 1 || attr(node, 'transA') === 1) {
      throw new ConfigError(`loadOnnx: node ${node.name} (Gemm) with alpha, beta or transA has no Dense form`);
    }
    if (attr(node, 'transB') === 1) kernel = reorder(kernel, [1, 0]);
    bias = imp.optionalConstant(node, 2);
  } else {
    const add = imp.soleConsumer(output);
    const other = add?.input.find((n) => n !== output);
    if (add?.opType === 'Add' && other !== undefined && imp.isConstant(other) && imp.constant(other, add).dims.length === 1) {
      bias = imp.constant(other, add);
      imp.absorbed.add(add);
      output = add.output[0];
    }
  }
  if (kernel.dims.length !== 2) throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) needs a 2-D weight, got [${kernel.dims.join(',')}]`);
  const folded = foldActivation(output, x.sym.shape.length + 1, imp, false);
  const layer = new Dense(kernel.dims[1], { activation: folded.activation, useBias: bias !== undefined });
  imp.values.set(folded.output, { sym: imp.apply(layer, imp.literal(x), bias === undefined ? { kernel } : { kernel, bias }) });
}

/** ONNX pads (or auto_pad) as 'valid', 'same' (the extra at the end), or explicit zeros around a 'valid' window. */
function windowPadding(node: NodeProto, shape: readonly number[], window: Pair, strides: Pair): { padding: Padding; pads?: number[] } {
  const auto = node.attribute.find((a) => a.name === 'auto_pad');
  const autoPad = auto === undefined ? 'NOTSET' : new TextDecoder().decode(auto.s);
  if (autoPad === 'VALID') return { padding: 'valid' };
  if (autoPad === 'SAME_UPPER') return { padding: 'same' };
  if (autoPad !== 'NOTSET') throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) has auto_pad ${autoPad}; semiflow pads the extra at the end (SAME_UPPER)`);
  const pads = (attr(node, 'pads') as number[] | undefined) ?? [0, 0, 0, 0];
  if (pads.every((p) => p === 0)) return { padding: 'valid' };
  const same = explicitPads(shape, window, strides, 'same');
  return same.every((p, i) => p === pads[i]) ? { padding: 'same' } : { padding: 'valid', pads };
}

const pair = (v: number | number[] | undefined, fallback: number): Pair => (Array.isArray(v) ? [v[0], v[1]] : [fallback, fallback]);

/** Conv over an NCHW image: weight [cout, cin/g, kh, kw] to Keras's [kh, kw, cin/g, cout]; other pads as ZeroPadding2D. */
export function importConv(node: NodeProto, imp: Importer): void {
  const x = imp.value(node.input[0], node);
  const w = imp.constant(node.input[1], node);
  if (w.dims.length !== 4) throw new ConfigError(`loadOnnx: node ${node.name} (Conv) is not 2-D (weight [${w.dims.join(',')}])`);
  const bias = imp.optionalConstant(node, 2);
  const kernelSize: Pair = [w.dims[2], w.dims[3]];
  const strides = pair(attr(node, 'strides'), 1);
  const dilationRate = pair(attr(node, 'dilations'), 1);
  let input: SymbolicTensor = imp.channelsLast(x);
  const window: Pair = [(kernelSize[0] - 1) * dilationRate[0] + 1, (kernelSize[1] - 1) * dilationRate[1] + 1];
  const { padding, pads } = windowPadding(node, input.shape, window, strides);
  if (pads !== undefined) input = imp.apply(new ZeroPadding2D([[pads[0], pads[2]], [pads[1], pads[3]]]), input);
  const folded = foldActivation(node.output[0], 4, imp, true);
  const layer = new Conv2D(w.dims[0], kernelSize, {
    strides, padding, dilationRate, groups: (attr(node, 'group') as number | undefined) ?? 1, activation: folded.activation, useBias: bias !== undefined,
  });
  const kernel = reorder(w, [2, 3, 1, 0]);
  imp.values.set(folded.output, { sym: imp.apply(layer, input, bias === undefined ? { kernel } : { kernel, bias }), permuted: true });
}

/** ConvTranspose over an NCHW image, weight [cin, cout, kh, kw]: pads and output_padding must be those of 'same' or 'valid'. */
export function importConvTranspose(node: NodeProto, imp: Importer): void {
  const x = imp.value(node.input[0], node);
  const w = imp.constant(node.input[1], node);
  const bias = imp.optionalConstant(node, 2);
  const kernelSize: Pair = [w.dims[2], w.dims[3]];
  const strides = pair(attr(node, 'strides'), 1);
  const input = imp.channelsLast(x);
  const given = [(attr(node, 'pads') as number[] | undefined) ?? [0, 0, 0, 0], (attr(node, 'output_padding') as number[] | undefined) ?? [0, 0]].join(';');
  const padding = (['same', 'valid'] as const).find((p) => {
    const { pads, outputPadding } = transposePads(input.shape, kernelSize, strides, p);
    return [pads, outputPadding].join(';') === given;
  });
  const plain = w.dims.length === 4 && ((attr(node, 'group') as number | undefined) ?? 1) === 1 && attr(node, 'output_shape') === undefined
    && ((attr(node, 'dilations') as number[] | undefined) ?? [1, 1]).every((d) => d === 1);
  if (padding === undefined || !plain) {
    throw new ConfigError(`loadOnnx: node ${node.name} (ConvTranspose) is imported only as Conv2DTranspose: 2-D, group 1, no dilations or output_shape, and the pads and output_padding of 'same' or 'valid'`);
  }
  const folded = foldActivation(node.output[0], 4, imp, true);
  const layer = new Conv2DTranspose(w.dims[1], kernelSize, { strides, padding, activation: folded.activation, useBias: bias !== undefined });
  const kernel = reorder(w, [2, 3, 1, 0]);
  imp.values.set(folded.output, { sym: imp.apply(layer, input, bias === undefined ? { kernel } : { kernel, bias }), permuted: true });
}

/**
 * MaxPool, AveragePool. Pads that count in the average (count_include_pad=1, PyTorch's AvgPool2d default) are a
 * ZeroPadding2D before a 'valid' pool; pads that do not count must be those of 'same', which semiflow's pools leave out.
 */
export function importPool(node: NodeProto, imp: Importer): void {
  const x = imp.value(node.input[0], node);
  let input = imp.channelsLast(x);
  const poolSize = pair(attr(node, 'kernel_shape'), 1);
  const strides = pair(attr(node, 'strides'), 1);
  let { padding, pads } = windowPadding(node, input.shape, poolSize, strides);
  const explicit = pads ?? (padding === 'same' ? explicitPads(input.shape, poolSize, strides, 'same') : [0, 0, 0, 0]);
  if (node.opType === 'AveragePool' && attr(node, 'count_include_pad') === 1 && explicit.some((p) => p !== 0)) {
    input = imp.apply(new ZeroPadding2D([[explicit[0], explicit[2]], [explicit[1], explicit[3]]]), input);
    [padding, pads] = ['valid', undefined];
  }
  if (pads !== undefined || attr(node, 'ceil_mode') === 1 || (attr(node, 'dilations') as number[] | undefined)?.some((d) => d !== 1)) {
    throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) has ceil_mode, dilations, or pads [${String(pads)}] that are neither 'same' nor counted in an average (count_include_pad=1)`);
  }
  const layer = node.opType === 'MaxPool' ? new MaxPooling2D(poolSize, { strides, padding }) : new AveragePooling2D(poolSize, { strides, padding });
  imp.values.set(node.output[0], { sym: imp.apply(layer, input), permuted: true });
}

/** GlobalAveragePool / GlobalMaxPool, or ReduceMean / ReduceMax over the spatial axes of an image. */
export function importGlobalPool(node: NodeProto, imp: Importer): void {
  const x = imp.value(node.input[0], node);
  const global = node.opType.startsWith('Global');
  const keepdims = global || attr(node, 'keepdims') !== 0;
  const axes = ((attr(node, 'axes') as number[] | undefined) ?? []).map((a) => (a < 0 ? a + 4 : a)).sort();
  const spatial = x.permuted === true ? axes.join() === '2,3' : axes.join() === '1,2' && x.sym.shape.length === 3;
  if (!global && !spatial) throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) reduces axes [${axes.join(',')}]; only an image's height and width are imported`);
  const max = node.opType.endsWith('Max') || node.opType === 'GlobalMaxPool';
  const layer = max ? new GlobalMaxPooling2D({ keepdims }) : new GlobalAveragePooling2D({ keepdims });
  const input = global ? imp.channelsLast(x) : x.sym;
  const permuted = (global || x.permuted === true) && keepdims;
  imp.values.set(node.output[0], { sym: imp.apply(layer, input), permuted });
}

/** BatchNormalization over axis 1 (an image's channels, or [batch, features]): scale, B, mean, var. */
export function importBatchNorm(node: NodeProto, imp: Importer): void {
  const x = imp.value(node.input[0], node);
  const [gamma, beta, mean, variance] = node.input.slice(1, 5).map((n) => imp.constant(n, node));
  const rank = x.sym.shape.length + 1;
  if (attr(node, 'training_mode') === 1 || node.output.filter((o) => o !== '').length > 1) {
    throw new ConfigError(`loadOnnx: node ${node.name} (BatchNormalization) is in training mode (normalizing by the batch's statistics, updating the running ones); export the model in eval mode`);
  }
  if (rank !== 2 && rank !== 4) throw new ConfigError(`loadOnnx: node ${node.name} (BatchNormalization) on a rank-${rank} value; only [batch, features] and images are imported`);
  const input = rank === 4 ? imp.channelsLast(x) : x.sym;
  const layer = new BatchNormalization({ epsilon: (attr(node, 'epsilon') as number | undefined) ?? 1e-5 });
  const weights = { gamma, beta, moving_mean: mean, moving_variance: variance };
  imp.values.set(node.output[0], { sym: imp.apply(layer, input, weights), permuted: rank === 4 });
}

/** LayerNormalization from `axis` to the end, in the value's ONNX layout. */
export function importLayerNorm(node: NodeProto, imp: Importer): void {
  const x = imp.literal(imp.value(node.input[0], node));
  const rank = x.shape.length + 1;
  const first = (attr(node, 'axis') as number | undefined) ?? -1;
  const start = first < 0 ? first + rank : first;
  const axis = Array.from({ length: rank - start }, (_, i) => start + i);
  const gamma = imp.constant(node.input[1], node);
  const beta = imp.optionalConstant(node, 2);
  const layer = new LayerNormalization({ axis, epsilon: (attr(node, 'epsilon') as number | undefined) ?? 1e-5, center: beta !== undefined });
  imp.values.set(node.output[0], { sym: imp.apply(layer, x, beta === undefined ? { gamma } : { gamma, beta }) });
}
