import { ShapeError, fmtShape } from '../core/errors.ts';
import { denseForward } from './activated.ts';
import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import type { Activation, ActivationFn } from './activations.ts';
import { getActivation } from './activations.ts';
import { getInitializer } from './initializers.ts';
import type { CallOptions, LayerOptions, Weight, WeightSpec } from './layer.ts';
import { Layer } from './layer.ts';
import { checkOptionKeys, positiveInt, trueOrFalse } from '../core/options.ts';
import { markBuiltIn } from './built-in.ts';
import type { RuleOptions, WeightRules } from './penalties.ts';
import { ruleKeys, weightRules } from './penalties.ts';
import type { RegularizerSpec } from './regularizers.ts';
import { getRegularizer } from './regularizers.ts';

export interface DenseOptions extends LayerOptions, RuleOptions<'kernel' | 'bias'> {
  /** null (Keras's None) or undefined is linear. */
  activation?: string | Activation | ActivationFn | null;
  useBias?: boolean;
  kernelInitializer?: WeightSpec;
  biasInitializer?: WeightSpec;
  /** A penalty on the output, divided by the batch size, added to the training loss. */
  activityRegularizer?: RegularizerSpec | null;
}

const DENSE_OPTIONS = ['name', 'trainable', 'inputShape', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'activityRegularizer', ...ruleKeys(['kernel', 'bias'])];

/** activation(x · kernel + bias) over the last axis: kernel [inputs, units], bias [units]. */
export class Dense extends Layer {
  /** Per step (elementwise, or over the last axis), so a sequence's mask passes through, as in Keras. */
  override supportsMasking = true;

  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  private readonly kernelInitializer: WeightSpec;
  private readonly biasInitializer: WeightSpec;
  /** The kernel's and the bias's regularizer and constraint. */
  readonly rules: Readonly<Record<string, WeightRules>>;
  private kernel: Weight | undefined;
  private bias: Weight | undefined;

  constructor(units: number, options: DenseOptions = {}) {
    super(options);
    checkOptionKeys(options, DENSE_OPTIONS, this.name);
    this.units = positiveInt(units, 'units', this.name);
    this.activation = getActivation(options.activation, this.name);
    this.useBias = trueOrFalse(options.useBias ?? true, 'useBias', this.name);
    this.kernelInitializer = options.kernelInitializer ?? 'glorotUniform';
    this.biasInitializer = options.biasInitializer ?? 'zeros';
    // Resolved now so that a misspelt name fails here, not at the first build.
    getInitializer(this.kernelInitializer, `${this.name}.kernelInitializer`);
    getInitializer(this.biasInitializer, `${this.name}.biasInitializer`);
    this.rules = weightRules(options, ['kernel', 'bias'], this.name);
    this.activityRegularizer = getRegularizer(options.activityRegularizer, `${this.name}.activityRegularizer`);
  }

  protected override build(inputShape: Shape): void {
    if (inputShape.length < 2) throw new ShapeError(`${this.name}: expected input [batch,features], got ${fmtShape(inputShape)}`);
    const inputs = inputShape[inputShape.length - 1];
    this.kernel = this.addWeight('kernel', [inputs, this.units], this.kernelInitializer, this.rules.kernel);
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], this.biasInitializer, this.rules.bias);
  }

  protected call(x: Tensor, options: CallOptions): Tensor {
    return denseForward(x, (this.kernel as Weight).value, this.bias, this.activation, options);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), units: this.units, activation: this.activation.name, useBias: this.useBias,
      kernelInitializer: getInitializer(this.kernelInitializer, this.name), biasInitializer: getInitializer(this.biasInitializer, this.name),
    };
  }
}

markBuiltIn(Dense);
