import type { Padding } from '../core/ops/index.ts';
import { transposedAxis } from '../core/ops/conv-transpose.ts';
import type { Pair } from '../core/options.ts';
import type { Conv2D } from '../layers/conv2d.ts';
import type { Conv2DTranspose } from '../layers/conv2d-transpose.ts';
import type { GlobalAveragePooling2D } from '../layers/global-pooling2d.ts';
import type { Pooling2D } from '../layers/pooling2d.ts';
import { dilatedWindow } from '../layers/conv-options.ts';
import { emitActivation } from './activations.ts';
import type { Emitted, ExportContext } from './context.ts';
import type { OnnxValue } from './graph.ts';

// Convolutions and pools run channels-first in ONNX: their input is transposed (once) and their output stays NCHW.

/**
 * ONNX pads [top, left, bottom, right] for an [h, w, c] sample: none for 'valid'; for 'same' the total
 * (out − 1)·stride + window − in, out = ⌈in/stride⌉, with the odd one at the end, as TensorFlow pads.
 */
export function explicitPads(shape: readonly number[], window: Pair, strides: Pair, padding: Padding): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  const total = [0, 1].map((i) => Math.max((Math.ceil(shape[i] / strides[i]) - 1) * strides[i] + window[i] - shape[i], 0));
  const begin = total.map((t) => Math.floor(t / 2));
  return [...begin, ...total.map((t, i) => t - begin[i])];
}

/** Keras's kernel [kh, kw, cin/groups, cout] becomes ONNX's [cout, cin/groups, kh, kw]. */
export function exportConv2D(layer: Conv2D, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  const { b } = cx;
  const inputs = [cx.first(x), cx.weight(layer, 'kernel', [3, 2, 0, 1])];
  if (layer.useBias) inputs.push(cx.weight(layer, 'bias'));
  const attrs = {
    kernel_shape: [...layer.kernelSize], strides: [...layer.strides], dilations: [...layer.dilationRate], group: layer.groups,
    pads: explicitPads(x.shape, dilatedWindow(layer.kernelSize, layer.dilationRate), layer.strides, layer.padding),
  };
  return convActivation(b.op('Conv', inputs, attrs, `${layer.name}/Conv`), layer.activation.name, layer.name, cx);
}

/**
 * ConvTranspose's pads and output_padding for an [h, w, c] sample: the full output (in − 1)·stride + k cropped to
 * where semiflow's op puts its window (transposedAxis), or grown at the end where that window runs past it.
 */
export function transposePads(shape: readonly number[], kernel: Pair, strides: Pair, padding: Padding): { pads: number[]; outputPadding: number[] } {
  const axes = [0, 1].map((i) => {
    const full = (shape[i] - 1) * strides[i] + kernel[i];
    const { before, out } = transposedAxis(shape[i], kernel[i], strides[i], padding);
    return { before, after: Math.max(full - before - out, 0), grow: Math.max(before + out - full, 0) };
  });
  return { pads: [...axes.map((a) => a.before), ...axes.map((a) => a.after)], outputPadding: axes.map((a) => a.grow) };
}

/** Keras's kernel [kh, kw, filters, cin] becomes ConvTranspose's [cin, filters, kh, kw]. */
export function exportConv2DTranspose(layer: Conv2DTranspose, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  const inputs = [cx.first(x), cx.weight(layer, 'kernel', [3, 2, 0, 1])];
  if (layer.useBias) inputs.push(cx.weight(layer, 'bias'));
  const { pads, outputPadding } = transposePads(x.shape, layer.kernelSize, layer.strides, layer.padding);
  const attrs = { kernel_shape: [...layer.kernelSize], strides: [...layer.strides], output_padding: outputPadding, pads };
  return convActivation(cx.b.op('ConvTranspose', inputs, attrs, `${layer.name}/ConvTranspose`), layer.activation.name, layer.name, cx);
}

/** A convolution's activation on its channels-first output; softmax runs over the channels, semiflow's last axis. */
export function convActivation(y: string, act: string, base: string, cx: ExportContext): Emitted[] {
  if (act === 'softmax' || act === 'logSoftmax') return [{ name: emitActivation(cx.b, act, cx.last({ name: y, shape: [], channelsFirst: true }), base) }];
  return [{ name: emitActivation(cx.b, act, y, base), channelsFirst: true }];
}

function exportPool(op: 'MaxPool' | 'AveragePool'): (layer: Pooling2D, inputs: readonly OnnxValue[], cx: ExportContext) => Emitted[] {
  return (layer, [x], cx) => {
    const attrs = { kernel_shape: [...layer.poolSize], strides: [...layer.strides], pads: explicitPads(x.shape, layer.poolSize, layer.strides, layer.padding) };
    // Keras averages a 'same' border window over its real elements only: count_include_pad 0, ONNX's default.
    return [{ name: cx.b.op(op, [cx.first(x)], attrs, `${layer.name}/${op}`), channelsFirst: true }];
  };
}

export const exportMaxPooling2D = exportPool('MaxPool');
export const exportAveragePooling2D = exportPool('AveragePool');

/** A reduction over height and width in whichever layout the value is; [batch, c] needs no layout. */
function exportGlobal(op: 'ReduceMean' | 'ReduceMax'): (layer: GlobalAveragePooling2D, inputs: readonly OnnxValue[], cx: ExportContext) => Emitted[] {
  return (layer, [x], cx) => {
    const first = x.channelsFirst === true;
    const axes = first ? [2, 3] : [1, 2];
    const name = cx.b.op(op, [x.name], { axes, keepdims: layer.keepdims ? 1 : 0 }, `${layer.name}/${op}`);
    return [{ name, channelsFirst: first && layer.keepdims }];
  };
}

export const exportGlobalAveragePooling2D = exportGlobal('ReduceMean');
export const exportGlobalMaxPooling2D = exportGlobal('ReduceMax');
