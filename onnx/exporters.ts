import { ConfigError } from '../core/errors.ts';
import { Activation } from '../layers/activation-layer.ts';
import { LeakyReLU, ReLU, Softmax } from '../layers/advanced-activations.ts';
import { AveragePooling2D } from '../layers/average-pooling2d.ts';
import { BatchNormalization } from '../layers/batch-normalization.ts';
import { Conv2D } from '../layers/conv2d.ts';
import { Conv2DTranspose } from '../layers/conv2d-transpose.ts';
import { Dense } from '../layers/dense.ts';
import { Dropout } from '../layers/dropout.ts';
import { Embedding } from '../layers/embedding.ts';
import { Flatten } from '../layers/flatten.ts';
import { GaussianNoise } from '../layers/gaussian-noise.ts';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from '../layers/global-pooling2d.ts';
import type { AnyLayer } from '../layers/layer.ts';
import { LayerNormalization } from '../layers/layer-normalization.ts';
import { MaxPooling2D } from '../layers/max-pooling2d.ts';
import { Concatenate } from '../layers/merge/concatenate.ts';
import { Add, Average, Maximum, Minimum, Multiply, Subtract } from '../layers/merge/elementwise.ts';
import { Permute } from '../layers/permute.ts';
import { Reshape } from '../layers/reshape.ts';
import { SpatialDropout2D } from '../layers/spatial-dropout2d.ts';
import { Bidirectional } from '../layers/recurrent/bidirectional.ts';
import { GRU } from '../layers/recurrent/gru.ts';
import { LSTM } from '../layers/recurrent/lstm.ts';
import { SimpleRNN } from '../layers/recurrent/simple-rnn.ts';
import { Cropping2D } from '../layers/cropping2d.ts';
import { DepthwiseConv2D } from '../layers/depthwise-conv2d.ts';
import { PReLU } from '../layers/prelu.ts';
import { RepeatVector } from '../layers/repeat-vector.ts';
import { SeparableConv2D } from '../layers/separable-conv2d.ts';
import { UpSampling2D } from '../layers/up-sampling2d.ts';
import { ZeroPadding2D } from '../layers/zero-padding2d.ts';
import { Masking } from '../layers/masking.ts';
import { TimeDistributed } from '../layers/time-distributed.ts';
import { exportTimeDistributed } from './export-time-distributed.ts';
import type { LayerExporter } from './context.ts';
import {
  exportCropping2D, exportDepthwiseConv2D, exportPReLU, exportRepeatVector, exportSeparableConv2D, exportUpSampling2D, exportZeroPadding2D,
} from './export-spatial.ts';
import { exportBidirectional, exportRecurrent } from './export-recurrent.ts';
import { exportConv2D, exportConv2DTranspose, exportAveragePooling2D, exportGlobalAveragePooling2D, exportGlobalMaxPooling2D, exportMaxPooling2D } from './export-conv.ts';
import {
  exportActivation, exportDense, exportEmbedding, exportFlatten, exportIdentity, exportLeakyReLU, exportPermute, exportReLU, exportReshape, exportSoftmax,
} from './export-core.ts';
import { exportAverage, exportConcatenate, exportFold } from './export-merge.ts';
import { exportBatchNormalization, exportLayerNormalization } from './export-norm.ts';

type LayerClass = abstract new (...args: never[]) => AnyLayer;

// By exact class: a user's subclass may compute something else, so it is refused rather than exported as its base.
const EXPORTERS = new Map<LayerClass, LayerExporter<never>>([
  [Dense, exportDense], [Activation, exportActivation], [ReLU, exportReLU], [LeakyReLU, exportLeakyReLU], [Softmax, exportSoftmax],
  [Dropout, exportIdentity], [SpatialDropout2D, exportIdentity], [GaussianNoise, exportIdentity],
  [Flatten, exportFlatten], [Reshape, exportReshape], [Permute, exportPermute], [Embedding, exportEmbedding],
  [Conv2D, exportConv2D], [Conv2DTranspose, exportConv2DTranspose], [MaxPooling2D, exportMaxPooling2D], [AveragePooling2D, exportAveragePooling2D],
  [GlobalAveragePooling2D, exportGlobalAveragePooling2D], [GlobalMaxPooling2D, exportGlobalMaxPooling2D],
  [BatchNormalization, exportBatchNormalization], [LayerNormalization, exportLayerNormalization],
  [Add, exportFold('Sum', true)], [Subtract, exportFold('Sub', false)], [Multiply, exportFold('Mul', false)],
  [Maximum, exportFold('Max', true)], [Minimum, exportFold('Min', true)], [Average, exportAverage], [Concatenate, exportConcatenate],
  [ZeroPadding2D, exportZeroPadding2D], [Cropping2D, exportCropping2D], [UpSampling2D, exportUpSampling2D], [DepthwiseConv2D, exportDepthwiseConv2D],
  [SeparableConv2D, exportSeparableConv2D],
  [PReLU, exportPReLU], [RepeatVector, exportRepeatVector],
  [SimpleRNN, exportRecurrent], [LSTM, exportRecurrent], [GRU, exportRecurrent], [Bidirectional, exportBidirectional],
  [TimeDistributed, exportTimeDistributed],
]);

/** The exporter of a layer's exact class, or a ConfigError naming the layer, its class and why. */
export function exporterFor(layer: AnyLayer): LayerExporter {
  if (layer instanceof Masking || (layer instanceof Embedding && layer.maskZero)) {
    throw new ConfigError(`toOnnx: ${layer.name} (${layer.constructor.name}) cannot be exported${layer instanceof Masking ? '' : ' with maskZero'}: ONNX's recurrent ops take no mask (sequence_lens only cuts padding at the end of each sequence), so the masked steps would be computed`);
  }
  const exporter = EXPORTERS.get(layer.constructor as LayerClass);
  if (exporter === undefined) {
    throw new ConfigError(`toOnnx: ${layer.name} (${layer.constructor.name}) cannot be exported: no ONNX form for this layer class yet (exportable: ${[...EXPORTERS.keys()].map((c) => c.name).join(', ')})`);
  }
  return exporter as LayerExporter;
}
