import { ConfigError } from '../core/errors.ts';
import type { BatchNormalization } from '../layers/batch-normalization.ts';
import type { LayerNormalization } from '../layers/layer-normalization.ts';
import type { Emitted, ExportContext } from './context.ts';
import { weightOf } from './context.ts';
import type { OnnxValue } from './graph.ts';

function valuesOr(layer: { weights: readonly { name: string }[] } & Parameters<typeof weightOf>[0], name: string, size: number, fallback: number): Float32Array {
  return weightOf(layer, name)?.data ?? new Float32Array(size).fill(fallback);
}

/**
 * Inference form: gamma·(x − moving_mean)/√(moving_variance + ε) + beta per feature. ONNX's BatchNormalization
 * takes the channels on axis 1: an image's channels after the transpose to NCHW, or [batch, features]. Other
 * ranks get the same affine map as Mul and Add over the feature axis.
 */
export function exportBatchNormalization(layer: BatchNormalization, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  const { b } = cx;
  const rank = x.shape.length + 1;
  const axis = layer.axis < 0 ? layer.axis + rank : layer.axis;
  const size = x.shape[axis - 1];
  const gamma = valuesOr(layer, 'gamma', size, 1);
  const beta = valuesOr(layer, 'beta', size, 0);
  const mean = valuesOr(layer, 'moving_mean', size, 0);
  const variance = valuesOr(layer, 'moving_variance', size, 1);
  const image = rank === 4 && axis === 3;
  if (image || (rank === 2 && axis === 1)) {
    const stats = [['gamma', gamma], ['beta', beta], ['moving_mean', mean], ['moving_variance', variance]] as const;
    const names = stats.map(([n, v]) => b.weight(`${layer.name}/${n}`, v, [size]));
    const input = image ? cx.first(x) : cx.last(x);
    return [{ name: b.op('BatchNormalization', [input, ...names], { epsilon: { f: layer.epsilon } }, `${layer.name}/BatchNormalization`), channelsFirst: image }];
  }
  // scale = gamma/√(v + ε), shift = beta − mean·scale, in float64 then rounded once.
  const scale = gamma.map((g, i) => g / Math.sqrt(variance[i] + layer.epsilon));
  const shift = beta.map((bt, i) => bt - mean[i] * scale[i]);
  const dims = Array.from({ length: rank - 1 - axis }, () => 1);
  const scaled = b.op('Mul', [cx.last(x), b.weight(`${layer.name}/scale`, scale, [size, ...dims])], {}, `${layer.name}/Mul`);
  return [{ name: b.op('Add', [scaled, b.weight(`${layer.name}/shift`, shift, [size, ...dims])], {}, `${layer.name}/Add`) }];
}

/** ONNX's LayerNormalization normalizes over the axes from `axis` to the end: semiflow's axes must be such a suffix. */
export function exportLayerNormalization(layer: LayerNormalization, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  const rank = x.shape.length + 1;
  const axes = (typeof layer.axis === 'number' ? [layer.axis] : [...layer.axis]).map((a) => (a < 0 ? a + rank : a)).sort((a, c) => a - c);
  if (axes.some((a, i) => a !== rank - axes.length + i)) {
    throw new ConfigError(`toOnnx: ${layer.name} (LayerNormalization) normalizes over axes [${axes.join(',')}] of a rank-${rank} input; ONNX's LayerNormalization needs the last axes`);
  }
  const shape = axes.map((a) => x.shape[a - 1]);
  const size = shape.reduce((a, c) => a * c, 1);
  const gamma = cx.b.weight(`${layer.name}/gamma`, valuesOr(layer, 'gamma', size, 1), shape);
  const beta = cx.b.weight(`${layer.name}/beta`, valuesOr(layer, 'beta', size, 0), shape);
  const attrs = { axis: axes[0], epsilon: { f: layer.epsilon } };
  return [{ name: cx.b.op('LayerNormalization', [cx.last(x), gamma, beta], attrs, `${layer.name}/LayerNormalization`) }];
}
