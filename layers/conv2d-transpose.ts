import type { Padding } from '../core/ops/index.ts';
import { conv2dTranspose } from '../core/ops/index.ts';
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
import { CONV_OPTION_KEYS, convSettings, initializerOption } from './conv-options.ts';
import { getInitializer } from './initializers.ts';
import type { CallOptions, Weight, WeightSpec } from './layer.ts';
import { Layer } from './layer.ts';
import { checkImageInput } from './spatial.ts';

export interface Conv2DTransposeOptions extends Omit<ConvOptions, 'dilationRate'>, RuleOptions<'kernel'> {
  kernelInitializer?: WeightSpec;
}

// No dilationRate or outputPadding: the transposed convolution op has neither (a saved model with them is refused).
const OPTIONS = [...CONV_OPTION_KEYS.filter((k) => k !== 'dilationRate'), 'kernelInitializer', ...ruleKeys(['kernel'])];

/**
 * Transposed convolution (Keras's Conv2DTranspose, the gradient of Conv2D with respect to its input), channels-last:
 * kernel [kh,kw,filters,channels]. Output size per axis: size·stride with 'same', size·stride + max(k − stride, 0) with 'valid'.
 */
export class Conv2DTranspose extends Layer {
  readonly filters: number;
  readonly kernelSize: Pair;
  readonly strides: Pair;
  readonly padding: Padding;
  readonly activation: Activation;
  readonly useBias: boolean;
  private readonly kernelInitializer: WeightSpec;
  private readonly biasInitializer: WeightSpec;
  /** Each weight's regularizer and constraint, by option prefix. */
  readonly rules: Readonly<Record<string, WeightRules>>;
  private kernel: Weight | undefined;
  private bias: Weight | undefined;

  constructor(filters: number, kernelSize: number | Pair, options: Conv2DTransposeOptions = {}) {
    super(options);
    checkOptionKeys(options, OPTIONS, this.name);
    this.filters = positiveInt(filters, 'filters', this.name);
    this.kernelSize = positivePair(kernelSize, 'kernelSize', this.name);
    ({ strides: this.strides, padding: this.padding, activation: this.activation, useBias: this.useBias, activityRegularizer: this.activityRegularizer } = convSettings(options, this.name));
    this.rules = weightRules(options, ['kernel', 'bias'], this.name);
    this.kernelInitializer = initializerOption(options.kernelInitializer, 'glorotUniform', `${this.name}.kernelInitializer`);
    this.biasInitializer = initializerOption(options.biasInitializer, 'zeros', `${this.name}.biasInitializer`);
  }

  protected override build(inputShape: Shape): void {
    checkImageInput(inputShape, this.name);
    const [kh, kw] = this.kernelSize;
    this.kernel = this.addWeight('kernel', [kh, kw, this.filters, inputShape[3]], this.kernelInitializer, this.rules.kernel);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], this.biasInitializer, this.rules.bias);
  }

  protected call(x: Tensor, options: CallOptions): Tensor {
    const spread = conv2dTranspose(x, (this.kernel as Weight).value, { strides: this.strides, padding: this.padding });
    return addBiasAndActivate(spread, this.bias, this.activation, options);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, padding: this.padding,
      activation: this.activation.name, useBias: this.useBias,
      kernelInitializer: getInitializer(this.kernelInitializer, this.name), biasInitializer: getInitializer(this.biasInitializer, this.name),
    };
  }
}

markBuiltIn(Conv2DTranspose);
