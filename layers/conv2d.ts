import { ShapeError, fmtShape } from '../core/errors.ts';
import type { Padding } from '../core/ops/index.ts';
import { convForward } from './activated.ts';
import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import type { Activation } from './activations.ts';
import { getInitializer } from './initializers.ts';
import type { CallOptions, Weight, WeightSpec } from './layer.ts';
import { Layer } from './layer.ts';
import type { Pair } from '../core/options.ts';
import { checkOptionKeys, positiveInt, positivePair } from '../core/options.ts';
import type { ConvOptions } from './conv-options.ts';
import { CONV_OPTION_KEYS, convSettings, dilatedWindow, initializerOption } from './conv-options.ts';
import { checkImageInput, windowOutputSize } from './spatial.ts';
import { markBuiltIn } from './built-in.ts';
import type { RuleOptions, WeightRules } from './penalties.ts';
import { ruleKeys, weightRules } from './penalties.ts';

export interface Conv2DOptions extends ConvOptions, RuleOptions<'kernel'> {
  /** Channel groups (Keras's groups): input and output channels split into blocks, block g seeing only input block g; 1 by default. */
  groups?: number;
  kernelInitializer?: WeightSpec;
}

const CONV_OPTIONS = [...CONV_OPTION_KEYS, 'groups', 'kernelInitializer', ...ruleKeys(['kernel'])];

/** 2-D convolution, channels-last: input [batch,height,width,channels], kernel [kh,kw,channels/groups,filters]. */
export class Conv2D extends Layer {
  readonly filters: number;
  readonly kernelSize: Pair;
  readonly strides: Pair;
  readonly padding: Padding;
  readonly dilationRate: Pair;
  readonly groups: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  private readonly kernelInitializer: WeightSpec;
  private readonly biasInitializer: WeightSpec;
  /** Each weight's regularizer and constraint, by option prefix. */
  readonly rules: Readonly<Record<string, WeightRules>>;
  private kernel: Weight | undefined;
  private bias: Weight | undefined;

  constructor(filters: number, kernelSize: number | Pair, options: Conv2DOptions = {}) {
    super(options);
    checkOptionKeys(options, CONV_OPTIONS, this.name);
    this.filters = positiveInt(filters, 'filters', this.name);
    this.kernelSize = positivePair(kernelSize, 'kernelSize', this.name);
    ({ strides: this.strides, padding: this.padding, dilationRate: this.dilationRate, activation: this.activation, useBias: this.useBias, activityRegularizer: this.activityRegularizer } = convSettings(options, this.name));
    this.rules = weightRules(options, ['kernel', 'bias'], this.name);
    this.groups = positiveInt(options.groups ?? 1, 'groups', this.name);
    if (this.filters % this.groups !== 0) throw new ShapeError(`${this.name}: filters (${this.filters}) must be a multiple of groups (${this.groups})`);
    this.kernelInitializer = initializerOption(options.kernelInitializer, 'glorotUniform', `${this.name}.kernelInitializer`);
    this.biasInitializer = initializerOption(options.biasInitializer, 'zeros', `${this.name}.biasInitializer`);
  }

  protected override build(inputShape: Shape): void {
    checkImageInput(inputShape, this.name);
    if (inputShape[3] % this.groups !== 0) {
      throw new ShapeError(`${this.name}: input ${fmtShape(inputShape)} has ${inputShape[3]} channels, which do not split into ${this.groups} groups`);
    }
    windowOutputSize(inputShape, dilatedWindow(this.kernelSize, this.dilationRate), this.strides, this.padding, this.name);
    const [kh, kw] = this.kernelSize;
    this.kernel = this.addWeight('kernel', [kh, kw, inputShape[3] / this.groups, this.filters], this.kernelInitializer, this.rules.kernel);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], this.biasInitializer, this.rules.bias);
  }

  protected call(x: Tensor, options: CallOptions): Tensor {
    const conv = { strides: this.strides, padding: this.padding, dilations: this.dilationRate, groups: this.groups };
    return convForward(x, (this.kernel as Weight).value, this.bias, this.activation, options, conv);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, padding: this.padding,
      dilationRate: this.dilationRate, groups: this.groups, activation: this.activation.name, useBias: this.useBias,
      kernelInitializer: getInitializer(this.kernelInitializer, this.name), biasInitializer: getInitializer(this.biasInitializer, this.name),
    };
  }
}

markBuiltIn(Conv2D);
