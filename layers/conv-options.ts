import { ConfigError, describeValue } from '../core/errors.ts';
import type { Padding, PaddingName } from '../core/ops/index.ts';
import { paddingOf } from '../core/ops/window.ts';
import type { Pair } from '../core/options.ts';
import { positivePair, trueOrFalse } from '../core/options.ts';
import type { Activation, ActivationFn } from './activations.ts';
import { getActivation } from './activations.ts';
import { getInitializer } from './initializers.ts';
import type { LayerOptions, WeightSpec } from './layer.ts';
import type { RuleOptions } from './penalties.ts';
import { ruleKeys } from './penalties.ts';
import type { Regularizer, RegularizerSpec } from './regularizers.ts';
import { getRegularizer } from './regularizers.ts';

/** The options every convolution layer shares, with Keras's defaults. */
export interface ConvOptions extends LayerOptions, RuleOptions<'bias'> {
  /** 1 by default. */
  strides?: number | Pair;
  /** 'valid' (default) or 'same', in any case. */
  padding?: PaddingName;
  /** Spacing between kernel taps; 1 by default. Keras refuses strides > 1 together with a rate > 1, and so does semiflow. */
  dilationRate?: number | Pair;
  /** null (Keras's None) or undefined is linear. */
  activation?: string | Activation | ActivationFn | null;
  useBias?: boolean;
  biasInitializer?: WeightSpec;
  /** A penalty on the output, divided by the batch size, added to the training loss. */
  activityRegularizer?: RegularizerSpec | null;
}

export const CONV_OPTION_KEYS = [
  'name', 'trainable', 'inputShape', 'strides', 'padding', 'dilationRate', 'activation', 'useBias', 'biasInitializer', 'activityRegularizer', ...ruleKeys(['bias']),
];

export interface ConvSettings {
  readonly strides: Pair;
  readonly padding: Padding;
  readonly dilationRate: Pair;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly activityRegularizer: Regularizer | undefined;
}

export function convSettings(options: ConvOptions, where: string): ConvSettings {
  const strides = positivePair(options.strides ?? 1, 'strides', where);
  const dilationRate = positivePair(options.dilationRate ?? 1, 'dilationRate', where);
  if (strides.some((s) => s > 1) && dilationRate.some((d) => d > 1)) {
    throw new ConfigError(`${where}: strides > 1 cannot be combined with dilationRate > 1 (as in Keras), got strides [${strides.join(',')}] and dilationRate [${dilationRate.join(',')}]`);
  }
  return {
    strides, dilationRate,
    padding: paddingOf(options.padding ?? 'valid', where),
    activation: getActivation(options.activation, where),
    useBias: trueOrFalse(options.useBias ?? true, 'useBias', where),
    activityRegularizer: getRegularizer(options.activityRegularizer, `${where}.activityRegularizer`),
  };
}

/** An initializer option resolved now, so that a misspelt name fails in the constructor, not at the first build. */
export function initializerOption(spec: WeightSpec | undefined, fallback: WeightSpec, where: string): WeightSpec {
  const chosen = spec ?? fallback;
  getInitializer(chosen, where);
  return chosen;
}

/** The extent of a dilated window: (k − 1)·d + 1 taps wide. */
export function dilatedWindow(kernel: Pair, dilation: Pair): Pair {
  return [(kernel[0] - 1) * dilation[0] + 1, (kernel[1] - 1) * dilation[1] + 1];
}
