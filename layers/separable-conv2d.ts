import type { Padding } from '../core/ops/index.ts';
import { conv2d } from '../core/ops/index.ts';
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
import { depthwise } from './depthwise-conv2d.ts';
import { getInitializer } from './initializers.ts';
import type { CallOptions, Weight, WeightSpec } from './layer.ts';
import { Layer } from './layer.ts';
import { checkImageInput, windowOutputSize } from './spatial.ts';

export interface SeparableConv2DOptions extends ConvOptions, RuleOptions<'depthwise' | 'pointwise'> {
  /** Depthwise output channels per input channel; 1 by default. */
  depthMultiplier?: number;
  depthwiseInitializer?: WeightSpec;
  pointwiseInitializer?: WeightSpec;
}

const OPTIONS = [...CONV_OPTION_KEYS, 'depthMultiplier', 'depthwiseInitializer', 'pointwiseInitializer', ...ruleKeys(['depthwise', 'pointwise'])];

/**
 * Keras's SeparableConv2D: a depthwise convolution (kernel [kh,kw,channels,depthMultiplier]) followed by a 1×1
 * convolution (kernel [1,1,channels·depthMultiplier,filters]), then bias and activation.
 */
export class SeparableConv2D extends Layer {
  readonly filters: number;
  readonly kernelSize: Pair;
  readonly depthMultiplier: number;
  readonly strides: Pair;
  readonly padding: Padding;
  readonly dilationRate: Pair;
  readonly activation: Activation;
  readonly useBias: boolean;
  private readonly depthwiseInitializer: WeightSpec;
  private readonly pointwiseInitializer: WeightSpec;
  private readonly biasInitializer: WeightSpec;
  /** Each weight's regularizer and constraint, by option prefix. */
  readonly rules: Readonly<Record<string, WeightRules>>;
  private depthwiseKernel: Weight | undefined;
  private pointwiseKernel: Weight | undefined;
  private bias: Weight | undefined;

  constructor(filters: number, kernelSize: number | Pair, options: SeparableConv2DOptions = {}) {
    super(options);
    checkOptionKeys(options, OPTIONS, this.name);
    this.filters = positiveInt(filters, 'filters', this.name);
    this.kernelSize = positivePair(kernelSize, 'kernelSize', this.name);
    this.depthMultiplier = positiveInt(options.depthMultiplier ?? 1, 'depthMultiplier', this.name);
    ({ strides: this.strides, padding: this.padding, dilationRate: this.dilationRate, activation: this.activation, useBias: this.useBias, activityRegularizer: this.activityRegularizer } = convSettings(options, this.name));
    this.rules = weightRules(options, ['depthwise', 'pointwise', 'bias'], this.name);
    this.depthwiseInitializer = initializerOption(options.depthwiseInitializer, 'glorotUniform', `${this.name}.depthwiseInitializer`);
    this.pointwiseInitializer = initializerOption(options.pointwiseInitializer, 'glorotUniform', `${this.name}.pointwiseInitializer`);
    this.biasInitializer = initializerOption(options.biasInitializer, 'zeros', `${this.name}.biasInitializer`);
  }

  protected override build(inputShape: Shape): void {
    checkImageInput(inputShape, this.name);
    windowOutputSize(inputShape, dilatedWindow(this.kernelSize, this.dilationRate), this.strides, this.padding, this.name);
    const [kh, kw] = this.kernelSize;
    const channels = inputShape[3];
    this.depthwiseKernel = this.addWeight('depthwise_kernel', [kh, kw, channels, this.depthMultiplier], this.depthwiseInitializer, this.rules.depthwise);
    this.pointwiseKernel = this.addWeight('pointwise_kernel', [1, 1, channels * this.depthMultiplier, this.filters], this.pointwiseInitializer, this.rules.pointwise);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], this.biasInitializer, this.rules.bias);
  }

  protected call(x: Tensor, options: CallOptions): Tensor {
    const spatial = depthwise(x, (this.depthwiseKernel as Weight).value, this);
    return addBiasAndActivate(conv2d(spatial, (this.pointwiseKernel as Weight).value), this.bias, this.activation, options);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, depthMultiplier: this.depthMultiplier, strides: this.strides,
      padding: this.padding, dilationRate: this.dilationRate, activation: this.activation.name, useBias: this.useBias,
      depthwiseInitializer: getInitializer(this.depthwiseInitializer, this.name), pointwiseInitializer: getInitializer(this.pointwiseInitializer, this.name),
      biasInitializer: getInitializer(this.biasInitializer, this.name),
    };
  }
}

markBuiltIn(SeparableConv2D);
