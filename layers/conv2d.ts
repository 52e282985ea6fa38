import type { Padding, PaddingName } from '../core/ops/index.ts';
import { paddingOf } from '../core/ops/window.ts';
import { conv2d } from '../core/ops/index.ts';
import { addBiasAndActivate } from './activated.ts';
import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import type { Activation, ActivationFn } from './activations.ts';
import { getActivation } from './activations.ts';
import { getInitializer } from './initializers.ts';
import type { CallOptions, LayerOptions, Weight, WeightSpec } from './layer.ts';
import { Layer } from './layer.ts';
import type { Pair } from '../core/options.ts';
import { checkOptionKeys, positiveInt, positivePair, trueOrFalse } from '../core/options.ts';
import { checkImageInput, windowOutputSize } from './spatial.ts';
import { markBuiltIn } from './built-in.ts';

export interface Conv2DOptions extends LayerOptions {
  strides?: number | Pair;
  padding?: PaddingName;
  /** null (Keras's None) or undefined is linear. */
  activation?: string | Activation | ActivationFn | null;
  useBias?: boolean;
  kernelInitializer?: WeightSpec;
  biasInitializer?: WeightSpec;
}

const CONV_OPTIONS = ['name', 'trainable', 'inputShape', 'strides', 'padding', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer'] as const;

/** 2-D convolution, channels-last: input [batch,height,width,channels], kernel [kh,kw,channels,filters]. */
export class Conv2D extends Layer {
  readonly filters: number;
  readonly kernelSize: Pair;
  readonly strides: Pair;
  readonly padding: Padding;
  readonly activation: Activation;
  readonly useBias: boolean;
  private readonly kernelInitializer: WeightSpec;
  private readonly biasInitializer: WeightSpec;
  private kernel: Weight | undefined;
  private bias: Weight | undefined;

  constructor(filters: number, kernelSize: number | Pair, options: Conv2DOptions = {}) {
    super(options);
    checkOptionKeys(options, CONV_OPTIONS, this.name);
    this.filters = positiveInt(filters, 'filters', this.name);
    this.kernelSize = positivePair(kernelSize, 'kernelSize', this.name);
    this.strides = positivePair(options.strides ?? 1, 'strides', this.name);
    this.padding = paddingOf(options.padding ?? 'valid', this.name);
    this.activation = getActivation(options.activation, this.name);
    this.useBias = trueOrFalse(options.useBias ?? true, 'useBias', this.name);
    this.kernelInitializer = options.kernelInitializer ?? 'glorotUniform';
    this.biasInitializer = options.biasInitializer ?? 'zeros';
    // Resolved now so that a misspelt name fails here, not at the first build.
    getInitializer(this.kernelInitializer, `${this.name}.kernelInitializer`);
    getInitializer(this.biasInitializer, `${this.name}.biasInitializer`);
  }

  protected override build(inputShape: Shape): void {
    checkImageInput(inputShape, this.name);
    windowOutputSize(inputShape, this.kernelSize, this.strides, this.padding, this.name);
    const [kh, kw] = this.kernelSize;
    this.kernel = this.addWeight('kernel', [kh, kw, inputShape[3], this.filters], this.kernelInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], this.biasInitializer);
  }

  protected call(x: Tensor, options: CallOptions): Tensor {
    const convolved = conv2d(x, (this.kernel as Weight).value, { strides: this.strides, padding: this.padding });
    return addBiasAndActivate(convolved, this.bias, this.activation, options);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides,
      padding: this.padding, activation: this.activation.name, useBias: this.useBias,
      kernelInitializer: getInitializer(this.kernelInitializer, this.name), biasInitializer: getInitializer(this.biasInitializer, this.name),
    };
  }
}

markBuiltIn(Conv2D);
