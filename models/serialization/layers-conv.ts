import { ConfigError, describeValue } from '../../core/errors.ts';
import type { Padding } from '../../core/ops/index.ts';
import type { Activation } from '../../layers/activations.ts';
import { Conv2D } from '../../layers/conv2d.ts';
import { Conv2DTranspose } from '../../layers/conv2d-transpose.ts';
import { Cropping2D } from '../../layers/cropping2d.ts';
import { DepthwiseConv2D } from '../../layers/depthwise-conv2d.ts';
import type { Layer } from '../../layers/layer.ts';
import { SeparableConv2D } from '../../layers/separable-conv2d.ts';
import type { EdgePairs } from '../../layers/spatial.ts';
import { UpSampling2D } from '../../layers/up-sampling2d.ts';
import { ZeroPadding2D } from '../../layers/zero-padding2d.ts';
import { activationFromJson, activationToJson } from './activations.ts';
import type { BuiltinSpec, Reader } from './layers.ts';
import { channelsLast, initializerJson, initializerOption, isNull, ones } from './layers.ts';
import type { JsonObject, JsonValue } from './names.ts';
import { rulesFromJson, rulesToJson } from './regularizers.ts';
import type { WeightRules } from '../../layers/penalties.ts';

// The tfjs / Keras configs of the convolution and image-geometry layers (issue 15). layers.ts spreads CONV_BUILTINS
// into its registry; the helpers it shares are used inside functions only, so the import cycle is harmless.

interface ConvLike {
  readonly strides: readonly [number, number];
  readonly padding: Padding;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly rules: Readonly<Record<string, WeightRules>>;
}

/** The keys every convolution writes, in tfjs's spelling. */
function convJson(layer: Layer & ConvLike, where: string, dilationRate?: readonly [number, number]): JsonObject {
  return {
    strides: [...layer.strides], padding: layer.padding, data_format: 'channels_last',
    ...(dilationRate === undefined ? {} : { dilation_rate: [...dilationRate] }),
    activation: activationToJson(layer.activation, where), use_bias: layer.useBias,
    bias_initializer: initializerJson(layer, 'biasInitializer'), ...rulesToJson(layer.rules, layer.activityRegularizer),
  };
}

/** The options every convolution reads back. */
function convOptions(r: Reader, withDilation: boolean, prefixes: readonly string[]) {
  r.unsupported({ data_format: channelsLast, ...(withDilation ? {} : { dilation_rate: ones, output_padding: isNull }) });
  return {
    ...r.common, ...rulesFromJson(r.config, [...prefixes, 'bias'], r.where), strides: r.pair('strides', 1), padding: r.padding(), activation: activationFromJson(r.config.activation, r.where),
    useBias: r.boolean('use_bias', true), ...initializerOption(r, 'bias_initializer', 'biasInitializer'),
    ...(withDilation ? { dilationRate: r.pair('dilation_rate', 1) } : {}),
  };
}

/** Padding or cropping amounts as [[top, bottom], [left, right]]; Keras also accepts n and [h, w], which the layer reads. */
function edgesJson(edges: EdgePairs): JsonValue {
  return edges.map((pair) => [...pair]);
}

function edgesFrom(r: Reader, key: string, fallback: number): number | [number, number] | [[number, number], [number, number]] {
  const value = r.value(key, fallback);
  const ints = (v: JsonValue): v is number => typeof v === 'number';
  if (ints(value)) return value;
  if (Array.isArray(value) && value.length === 2) {
    const [a, b] = value;
    if (ints(a) && ints(b)) return [a, b];
    if (Array.isArray(a) && Array.isArray(b) && a.length === 2 && b.length === 2 && [...a, ...b].every(ints)) {
      return [[a[0] as number, a[1] as number], [b[0] as number, b[1] as number]];
    }
  }
  throw new ConfigError(`${r.where}: ${key} must be n, [h, w] or [[top, bottom], [left, right]], got ${describeValue(value)}`);
}

export const CONV_BUILTINS: readonly BuiltinSpec[] = [
  {
    className: 'Conv2D',
    cls: Conv2D,
    toJson: (layer, where) => {
      const conv = layer as Conv2D;
      return {
        filters: conv.filters, kernel_size: [...conv.kernelSize], ...convJson(conv, where, conv.dilationRate),
        // tfjs's Conv2D has no groups: written only when > 1, where tfjs then refuses the kernel's shape instead of misreading it.
        ...(conv.groups > 1 ? { groups: conv.groups } : {}),
        kernel_initializer: initializerJson(layer, 'kernelInitializer'),
      };
    },
    fromJson: (r) => new Conv2D(r.number('filters'), r.pair('kernel_size'), {
      ...convOptions(r, true, ['kernel']), groups: r.number('groups', 1), ...initializerOption(r, 'kernel_initializer', 'kernelInitializer'),
    }),
  },
  {
    className: 'Conv2DTranspose',
    cls: Conv2DTranspose,
    toJson: (layer, where) => {
      const conv = layer as Conv2DTranspose;
      return {
        filters: conv.filters, kernel_size: [...conv.kernelSize], ...convJson(conv, where),
        kernel_initializer: initializerJson(layer, 'kernelInitializer'),
      };
    },
    fromJson: (r) => new Conv2DTranspose(r.number('filters'), r.pair('kernel_size'), {
      ...convOptions(r, false, ['kernel']), ...initializerOption(r, 'kernel_initializer', 'kernelInitializer'),
    }),
  },
  {
    className: 'DepthwiseConv2D',
    cls: DepthwiseConv2D,
    toJson: (layer, where) => {
      const conv = layer as DepthwiseConv2D;
      return {
        kernel_size: [...conv.kernelSize], depth_multiplier: conv.depthMultiplier, ...convJson(conv, where, conv.dilationRate),
        depthwise_initializer: initializerJson(layer, 'depthwiseInitializer'),
      };
    },
    fromJson: (r) => {
      return new DepthwiseConv2D(r.pair('kernel_size'), {
        ...convOptions(r, true, ['depthwise']), depthMultiplier: r.number('depth_multiplier', 1),
        ...initializerOption(r, 'depthwise_initializer', 'depthwiseInitializer'),
      });
    },
  },
  {
    className: 'SeparableConv2D',
    cls: SeparableConv2D,
    toJson: (layer, where) => {
      const conv = layer as SeparableConv2D;
      return {
        filters: conv.filters, kernel_size: [...conv.kernelSize], depth_multiplier: conv.depthMultiplier, ...convJson(conv, where, conv.dilationRate),
        depthwise_initializer: initializerJson(layer, 'depthwiseInitializer'), pointwise_initializer: initializerJson(layer, 'pointwiseInitializer'),
      };
    },
    fromJson: (r) => {
      return new SeparableConv2D(r.number('filters'), r.pair('kernel_size'), {
        ...convOptions(r, true, ['depthwise', 'pointwise']), depthMultiplier: r.number('depth_multiplier', 1),
        ...initializerOption(r, 'depthwise_initializer', 'depthwiseInitializer'), ...initializerOption(r, 'pointwise_initializer', 'pointwiseInitializer'),
      });
    },
  },
  {
    className: 'ZeroPadding2D',
    cls: ZeroPadding2D,
    toJson: (layer) => ({ padding: edgesJson((layer as ZeroPadding2D).padding), data_format: 'channels_last' }),
    fromJson: (r) => {
      r.unsupported({ data_format: channelsLast });
      return new ZeroPadding2D(edgesFrom(r, 'padding', 1), r.common);
    },
  },
  {
    className: 'Cropping2D',
    cls: Cropping2D,
    toJson: (layer) => ({ cropping: edgesJson((layer as Cropping2D).cropping), data_format: 'channels_last' }),
    fromJson: (r) => {
      r.unsupported({ data_format: channelsLast });
      return new Cropping2D(edgesFrom(r, 'cropping', 0), r.common);
    },
  },
  {
    className: 'UpSampling2D',
    cls: UpSampling2D,
    toJson: (layer) => ({ size: [...(layer as UpSampling2D).size], data_format: 'channels_last', interpolation: 'nearest' }),
    fromJson: (r) => {
      r.unsupported({ data_format: channelsLast, interpolation: (v) => v === 'nearest' });
      return new UpSampling2D(r.pair('size', 2), r.common);
    },
  },
];
