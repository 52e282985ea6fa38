import type { Cropping2D } from '../layers/cropping2d.ts';
import type { DepthwiseConv2D } from '../layers/depthwise-conv2d.ts';
import type { PReLU } from '../layers/prelu.ts';
import type { RepeatVector } from '../layers/repeat-vector.ts';
import type { SeparableConv2D } from '../layers/separable-conv2d.ts';
import type { UpSampling2D } from '../layers/up-sampling2d.ts';
import type { ZeroPadding2D } from '../layers/zero-padding2d.ts';
import { dilatedWindow } from '../layers/conv-options.ts';
import type { Emitted, ExportContext } from './context.ts';
import { convActivation, explicitPads } from './export-conv.ts';
import type { OnnxValue } from './graph.ts';

// The image-geometry layers, in whichever layout their input is (height and width are axes 1, 2 channels-last and
// 2, 3 channels-first), the depthwise convolution, PReLU and RepeatVector.

const spatialAxes = (x: OnnxValue): [number, number] => (x.channelsFirst === true ? [2, 3] : [1, 2]);

export function exportZeroPadding2D(layer: ZeroPadding2D, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  const [[top, bottom], [left, right]] = layer.padding;
  const [h, w] = spatialAxes(x);
  const pads = new Array<number>(8).fill(0);
  [pads[h], pads[w], pads[h + 4], pads[w + 4]] = [top, left, bottom, right];
  return [{ name: cx.b.op('Pad', [x.name, cx.b.ints(pads)], {}, `${layer.name}/Pad`), channelsFirst: x.channelsFirst }];
}

export function exportCropping2D(layer: Cropping2D, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  const [[top, bottom], [left, right]] = layer.cropping;
  const [height, width] = x.shape;
  const { b } = cx;
  const inputs = [x.name, b.ints([top, left]), b.ints([height - bottom, width - right]), b.ints(spatialAxes(x))];
  return [{ name: b.op('Slice', inputs, {}, `${layer.name}/Slice`), channelsFirst: x.channelsFirst }];
}

/** Nearest neighbours at integer scales: each pixel repeated, as Resize's asymmetric floor mode reads them. */
export function exportUpSampling2D(layer: UpSampling2D, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  const { b } = cx;
  const scales = b.weight(`${layer.name}/scales`, [1, 1, ...layer.size], [4]);
  const attrs = { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' };
  return [{ name: b.op('Resize', [cx.first(x), '', scales], attrs, `${layer.name}/Resize`), channelsFirst: true }];
}

/** A Conv with one group per input channel: Keras's [kh, kw, c, m] is ONNX's [c·m, 1, kh, kw]. */
function depthwiseNode(layer: DepthwiseConv2D | SeparableConv2D, x: OnnxValue, cx: ExportContext, bias?: string): string {
  const { b } = cx;
  const channels = x.shape[2];
  const [kh, kw] = layer.kernelSize;
  // [c, m, kh, kw] (the transpose) holds the values of [c·m, 1, kh, kw] in the same order: an initializer, no Reshape.
  const kernel = cx.weight(layer, 'depthwise_kernel', [2, 3, 0, 1], [channels * layer.depthMultiplier, 1, kh, kw]);
  const attrs = {
    kernel_shape: [kh, kw], strides: [...layer.strides], dilations: [...layer.dilationRate], group: channels,
    pads: explicitPads(x.shape, dilatedWindow(layer.kernelSize, layer.dilationRate), layer.strides, layer.padding),
  };
  return b.op('Conv', [cx.first(x), kernel, ...(bias === undefined ? [] : [bias])], attrs, `${layer.name}/Conv`);
}

export function exportDepthwiseConv2D(layer: DepthwiseConv2D, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  const y = depthwiseNode(layer, x, cx, layer.useBias ? cx.weight(layer, 'bias') : undefined);
  return convActivation(y, layer.activation.name, layer.name, cx);
}

/** The depthwise Conv, then a 1×1 Conv: Keras's pointwise [1, 1, c·m, f] is ONNX's [f, c·m, 1, 1]. */
export function exportSeparableConv2D(layer: SeparableConv2D, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  const inputs = [depthwiseNode(layer, x, cx), cx.weight(layer, 'pointwise_kernel', [3, 2, 0, 1])];
  if (layer.useBias) inputs.push(cx.weight(layer, 'bias'));
  const y = cx.b.op('Conv', inputs, { kernel_shape: [1, 1] }, `${layer.name}/Pointwise`);
  return convActivation(y, layer.activation.name, layer.name, cx);
}

/** x for x > 0, alpha·x otherwise; alpha [sample shape] broadcasts over the batch. */
export function exportPReLU(layer: PReLU, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  return [{ name: cx.b.op('PRelu', [cx.last(x), cx.weight(layer, 'alpha')], {}, `${layer.name}/PRelu`) }];
}

/** [batch, f] to [batch, n, f]: a new axis, tiled n times. */
export function exportRepeatVector(layer: RepeatVector, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  const { b } = cx;
  const unsqueezed = b.op('Unsqueeze', [cx.last(x), b.ints([1])], {}, `${layer.name}/Unsqueeze`);
  return [{ name: b.op('Tile', [unsqueezed, b.ints([1, layer.n, 1])], {}, `${layer.name}/Tile`) }];
}
