import type { Padding } from '../core/ops/index.ts';
import { conv2d, reshape } from '../core/ops/index.ts';
import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import type { Pair } from '../core/options.ts';
import { checkOptionKeys, positiveInt, positivePair } from '../core/options.ts';
import { addBiasAndActivate } from './activated.ts';
import type { Activation } from './activations.ts';
import { markBuiltIn } from './built-in.ts';
import type { RuleOptions, WeightRules } from './penalties.ts';
import { ruleKeys, weightRules } from './penalties.ts';
import type { ConvOptions } from './conv-options.ts';
import { CONV_OPTION_KEYS, convSettings, dilatedWindow, initializerOption } from './conv-options.ts';
import { getInitializer } from './initializers.ts';
import type { CallOptions, Weight, WeightSpec } from './layer.ts';
import { Layer } from './layer.ts';
import { checkImageInput, windowOutputSize } from './spatial.ts';

export interface DepthwiseConv2DOptions extends ConvOptions, RuleOptions<'depthwise'> {
  /** Output channels per input channel; 1 by default. */
  depthMultiplier?: number;
  depthwiseInitializer?: WeightSpec;
}

const OPTIONS = [...CONV_OPTION_KEYS, 'depthMultiplier', 'depthwiseInitializer', ...ruleKeys(['depthwise'])];

/**
 * Each input channel convolved with its own depthMultiplier filters, channels-last: kernel [kh,kw,channels,depthMultiplier],
 * output channel c·depthMultiplier + m. It is conv2d with one group per channel, the kernel viewed as [kh,kw,1,channels·m].
 */
export function depthwise(x: Tensor, kernel: Tensor, settings: { strides: Pair; padding: Padding; dilationRate: Pair }): Tensor {
  const [kh, kw, channels, multiplier] = kernel.shape;
  return conv2d(x, reshape(kernel, [kh, kw, 1, channels * multiplier]), {
    strides: settings.strides, padding: settings.padding, dilations: settings.dilationRate, groups: channels,
  });
}

/** Keras's DepthwiseConv2D: a per-channel spatial convolution. */
export class DepthwiseConv2D extends Layer {
  readonly kernelSize: Pair;
  readonly depthMultiplier: number;
  readonly strides: Pair;
  readonly padding: Padding;
  readonly dilationRate: Pair;
  readonly activation: Activation;
  readonly useBias: boolean;
  private readonly depthwiseInitializer: WeightSpec;
  private readonly biasInitializer: WeightSpec;
  /** Each weight's regularizer and constraint, by option prefix. */
  readonly rules: Readonly<Record<string, WeightRules>>;
  private kernel: Weight | undefined;
  private bias: Weight | undefined;

  constructor(kernelSize: number | Pair, options: DepthwiseConv2DOptions = {}) {
    super(options);
    checkOptionKeys(options, OPTIONS, this.name);
    this.kernelSize = positivePair(kernelSize, 'kernelSize', this.name);
    this.depthMultiplier = positiveInt(options.depthMultiplier ?? 1, 'depthMultiplier', this.name);
    ({ strides: this.strides, padding: this.padding, dilationRate: this.dilationRate, activation: this.activation, useBias: this.useBias, activityRegularizer: this.activityRegularizer } = convSettings(options, this.name));
    this.rules = weightRules(options, ['depthwise', 'bias'], this.name);
    this.depthwiseInitializer = initializerOption(options.depthwiseInitializer, 'glorotUniform', `${this.name}.depthwiseInitializer`);
    this.biasInitializer = initializerOption(options.biasInitializer, 'zeros', `${this.name}.biasInitializer`);
  }

  protected override build(inputShape: Shape): void {
    checkImageInput(inputShape, this.name);
    windowOutputSize(inputShape, dilatedWindow(this.kernelSize, this.dilationRate), this.strides, this.padding, this.name);
    const [kh, kw] = this.kernelSize;
    const channels = inputShape[3];
    this.kernel = this.addWeight('depthwise_kernel', [kh, kw, channels, this.depthMultiplier], this.depthwiseInitializer, this.rules.depthwise);
    if (this.useBias) this.bias = this.addWeight('bias', [channels * this.depthMultiplier], this.biasInitializer, this.rules.bias);
  }

  protected call(x: Tensor, options: CallOptions): Tensor {
    return addBiasAndActivate(depthwise(x, (this.kernel as Weight).value, this), this.bias, this.activation, options);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), kernelSize: this.kernelSize, depthMultiplier: this.depthMultiplier, strides: this.strides, padding: this.padding,
      dilationRate: this.dilationRate, activation: this.activation.name, useBias: this.useBias,
      depthwiseInitializer: getInitializer(this.depthwiseInitializer, this.name), biasInitializer: getInitializer(this.biasInitializer, this.name),
    };
  }
}

markBuiltIn(DepthwiseConv2D);
