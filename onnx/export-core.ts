import type { Activation } from '../layers/activation-layer.ts';
import type { LeakyReLU, ReLU, Softmax } from '../layers/advanced-activations.ts';
import type { Dense } from '../layers/dense.ts';
import type { Embedding } from '../layers/embedding.ts';
import type { Permute } from '../layers/permute.ts';
import type { Reshape } from '../layers/reshape.ts';
import { TensorProto_DataType } from 'onnx-buf';
import { emitActivation } from './activations.ts';
import type { Emitted, ExportContext } from './context.ts';
import type { OnnxValue } from './graph.ts';

// The layers that are one or two ONNX ops on channels-last values.

/** activation(x · kernel + bias). */
export function exportDense(layer: Dense, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  const { b } = cx;
  let y = b.op('MatMul', [cx.last(x), cx.weight(layer, 'kernel')], {}, `${layer.name}/MatMul`);
  if (layer.useBias) y = b.op('Add', [y, cx.weight(layer, 'bias')], {}, `${layer.name}/Add`);
  return [{ name: emitActivation(b, layer.activation.name, y, layer.name) }];
}

export function exportActivation(layer: Activation, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  return [{ name: emitActivation(cx.b, layer.activation.name, cx.last(x), layer.name) }];
}

export function exportLeakyReLU(layer: LeakyReLU, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  return [{ name: cx.b.op('LeakyRelu', [cx.last(x)], { alpha: { f: layer.alpha } }, `${layer.name}/LeakyRelu`) }];
}

/** x > t ? x : slope·(x − t), then min(·, maxValue). */
export function exportReLU(layer: ReLU, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  const { b } = cx;
  const base = layer.name;
  const xs = cx.last(x);
  let y: string;
  if (layer.threshold !== 0) {
    const below = b.op('Mul', [b.op('Sub', [xs, b.scalar(layer.threshold)], {}, `${base}/Sub`), b.scalar(layer.negativeSlope)], {}, `${base}/Mul`);
    y = b.op('Where', [b.op('Greater', [xs, b.scalar(layer.threshold)], {}, `${base}/Greater`), xs, below], {}, `${base}/Where`);
  } else if (layer.negativeSlope !== 0) {
    y = b.op('LeakyRelu', [xs], { alpha: { f: layer.negativeSlope } }, `${base}/LeakyRelu`);
  } else {
    y = b.op('Relu', [xs], {}, `${base}/Relu`);
  }
  return [{ name: layer.maxValue === null ? y : b.op('Min', [y, b.scalar(layer.maxValue)], {}, `${base}/Min`) }];
}

export function exportSoftmax(layer: Softmax, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  return [{ name: cx.b.op('Softmax', [cx.last(x)], { axis: layer.axis }, `${layer.name}/Softmax`) }];
}

/** Dropout and the noise layers act only in training: at inference they pass the value on, in its layout. */
export function exportIdentity(_layer: unknown, [x]: readonly OnnxValue[]): Emitted[] {
  return [x];
}

/** Flattened in channels-last order, so a channels-first value is transposed back first. */
export function exportFlatten(layer: { name: string }, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  return [{ name: cx.b.op('Flatten', [cx.last(x)], { axis: 1 }, `${layer.name}/Flatten`) }];
}

export function exportReshape(layer: Reshape, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  return [{ name: cx.b.op('Reshape', [cx.last(x), cx.b.ints([-1, ...layer.targetShape.map((d) => (d === -1 ? x.shape.reduce((a, c) => a * c, 1) / layer.targetShape.reduce((a, c) => (c === -1 ? a : a * c), 1) : d))])], {}, `${layer.name}/Reshape`) }];
}

export function exportPermute(layer: Permute, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  return [{ name: cx.b.op('Transpose', [cx.last(x)], { perm: [0, ...layer.dims] }, `${layer.name}/Transpose`) }];
}

/** A row of the table per id: the float ids cast to int64, then Gather on axis 0. */
export function exportEmbedding(layer: Embedding, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  const ids = cx.b.op('Cast', [cx.last(x)], { to: TensorProto_DataType.INT64 }, `${layer.name}/Cast`);
  return [{ name: cx.b.op('Gather', [cx.weight(layer, 'embeddings'), ids], { axis: 0 }, `${layer.name}/Gather`) }];
}
