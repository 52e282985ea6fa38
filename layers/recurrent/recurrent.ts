import { randomUniform } from '../../core/creation.ts';
import { ConfigError, ShapeError, describeValue, fmtShape } from '../../core/errors.ts';
import { div, less } from '../../core/ops/index.ts';
import { checkOptionKeys, positiveInt, trueOrFalse } from '../../core/options.ts';
import type { Shape } from '../../core/shape.ts';
import type { Tensor } from '../../core/tensor.ts';
import type { Activation, ActivationFn } from '../activations.ts';
import { getActivation } from '../activations.ts';
import { getInitializer } from '../initializers.ts';
import type { CallOptions, LayerOptions, WeightSpec } from '../layer.ts';
import { Layer } from '../layer.ts';
import type { RuleOptions, WeightRules } from '../penalties.ts';
import { ruleKeys, weightRules } from '../penalties.ts';
import type { RegularizerSpec } from '../regularizers.ts';
import { getRegularizer } from '../regularizers.ts';
import type { Cell, RecurrentWeights } from './cell.ts';
import { weightsOf } from './cell.ts';
import { runLoop } from './loop.ts';

/** What a recurrent layer returns: the output, or with returnState the list [output, ...states]. */
export type RecurrentOutput<R extends boolean> = R extends true ? Tensor[] : Tensor;

/**
 * The options SimpleRNN, LSTM and GRU share, with Keras's names and defaults. R is returnState's type, so that
 * `new LSTM(8, { returnState: true }).apply(x)` is typed as a list.
 */
export interface RecurrentOptions<R extends boolean = boolean> extends LayerOptions, RuleOptions<'kernel' | 'recurrent' | 'bias'> {
  /** On candidates and outputs; default tanh. null is linear. */
  activation?: string | Activation | ActivationFn | null;
  useBias?: boolean;
  kernelInitializer?: WeightSpec;
  /** Default orthogonal. */
  recurrentInitializer?: WeightSpec;
  biasInitializer?: WeightSpec;
  /** Output every step's h [batch, time, units] instead of the last one [batch, units]. */
  returnSequences?: boolean;
  /** Return [output, h] (LSTM: [output, h, c]), the output and the final states, instead of the output alone. */
  returnState?: R;
  /** Process the sequence from its end; with returnSequences the output is in that reversed order, as Keras. */
  goBackwards?: boolean;
  /** Fraction of the input features dropped in training, one mask per sequence. */
  dropout?: number;
  /** Fraction of h dropped in the recurrent product in training, one mask per sequence. */
  recurrentDropout?: number;
  activityRegularizer?: RegularizerSpec | null;
}

/** A weight the layer declares: Bidirectional declares the same under prefixed names. */
export interface RecurrentWeightSpec {
  readonly name: 'kernel' | 'recurrent_kernel' | 'bias';
  readonly shape: readonly number[];
  readonly initializer: WeightSpec;
  readonly rules: WeightRules;
}

export const RECURRENT_OPTIONS: readonly string[] = [
  'name', 'trainable', 'inputShape', 'activation', 'useBias', 'kernelInitializer', 'recurrentInitializer', 'biasInitializer',
  'returnSequences', 'returnState', 'goBackwards', 'dropout', 'recurrentDropout', 'activityRegularizer', ...ruleKeys(['kernel', 'recurrent', 'bias']),
];

function rate(value: unknown, name: string, where: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) throw new ConfigError(`${where}: ${name} must be a number in [0, 1), got ${describeValue(value)}`);
  return value;
}

/** 1/(1 − rate) where a uniform draw exceeds rate, else 0: a dropout mask of `shape`, or none outside training. */
function dropoutMask(shape: readonly number[], dropRate: number, x: Tensor, options: CallOptions): Tensor | undefined {
  if (!options.training || dropRate === 0) return undefined;
  return div(less(dropRate, randomUniform(shape, { seed: options.rng, dtype: x.dtype })), 1 - dropRate);
}

/**
 * The base of SimpleRNN, LSTM and GRU: options, weights (kernel [features, k·units], recurrent_kernel [units, k·units],
 * bias) and masks; the loop over time is loop.ts, the step a subclass's cell. Input [batch, time, features]. The
 * output is one tensor, or with returnState the list [output, ...states].
 */
export abstract class Recurrent<R extends boolean = boolean> extends Layer<RecurrentOutput<R>> {
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly returnState: R;
  readonly goBackwards: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  /** The kernel's, the recurrent kernel's and the bias's regularizer and constraint. */
  readonly rules: Readonly<Record<string, WeightRules>>;
  protected readonly kernelInitializer: WeightSpec;
  protected readonly recurrentInitializer: WeightSpec;
  protected readonly biasInitializer: WeightSpec;
  override supportsMasking = true;
  private own: RecurrentWeights | undefined;
  /** The options it was made with, for copies (Bidirectional's). */
  private readonly options: RecurrentOptions;

  constructor(units: number, options: RecurrentOptions<R>, validKeys: readonly string[]) {
    super(options);
    checkOptionKeys(options, validKeys, this.name);
    this.options = options;
    this.units = positiveInt(units, 'units', this.name);
    this.activation = getActivation(options.activation === undefined ? 'tanh' : options.activation, this.name);
    this.useBias = trueOrFalse(options.useBias ?? true, 'useBias', this.name);
    this.returnSequences = trueOrFalse(options.returnSequences ?? false, 'returnSequences', this.name);
    this.returnState = trueOrFalse(options.returnState ?? false, 'returnState', this.name) as R;
    this.goBackwards = trueOrFalse(options.goBackwards ?? false, 'goBackwards', this.name);
    this.dropout = rate(options.dropout ?? 0, 'dropout', this.name);
    this.recurrentDropout = rate(options.recurrentDropout ?? 0, 'recurrentDropout', this.name);
    this.kernelInitializer = options.kernelInitializer ?? 'glorotUniform';
    this.recurrentInitializer = options.recurrentInitializer ?? 'orthogonal';
    this.biasInitializer = options.biasInitializer ?? 'zeros';
    for (const key of ['kernelInitializer', 'recurrentInitializer', 'biasInitializer'] as const) getInitializer(this[key], `${this.name}.${key}`);
    this.rules = weightRules(options, ['kernel', 'recurrent', 'bias'], this.name);
    this.activityRegularizer = getRegularizer(options.activityRegularizer, `${this.name}.activityRegularizer`);
  }

  /** @internal A new unbuilt layer of the same class and options, with these changed (Bidirectional's two copies). */
  copy(changes: { name: string; goBackwards: boolean }): Recurrent {
    const { inputShape: _, ...options } = this.options;
    return new (this.constructor as new (units: number, options: RecurrentOptions) => Recurrent)(this.units, { ...options, ...changes });
  }

  /** The step function, with this layer's activations. */
  protected abstract get cell(): Cell;

  /** The bias's shape: [k·units] (GRU with resetAfter: [2, 3·units]). */
  protected biasShape(): number[] {
    return [this.cell.gates * this.units];
  }

  /** The bias's initializer (LSTM's unitForgetBias puts ones on the forget gate). */
  protected biasInit(): WeightSpec {
    return this.biasInitializer;
  }

  /** @internal The weights for inputs of `features` features, in Keras's order. */
  weightSpecs(features: number): RecurrentWeightSpec[] {
    const width = this.cell.gates * this.units;
    return [
      { name: 'kernel', shape: [features, width], initializer: this.kernelInitializer, rules: this.rules.kernel },
      { name: 'recurrent_kernel', shape: [this.units, width], initializer: this.recurrentInitializer, rules: this.rules.recurrent },
      ...(this.useBias ? [{ name: 'bias' as const, shape: this.biasShape(), initializer: this.biasInit(), rules: this.rules.bias }] : []),
    ];
  }

  /** @internal Checks an input shape, [batch, time, features], for the layer named `who`. */
  checkInput(inputShape: Shape, who = this.name): void {
    if (inputShape.length !== 3) throw new ShapeError(`${who}: expected input [batch,time,features], got ${fmtShape(inputShape)}`);
  }

  protected override build(inputShape: Shape): void {
    this.checkInput(inputShape);
    const [kernel, recurrentKernel, bias] = this.weightSpecs(inputShape[2]).map((s) => this.addWeight(s.name, s.shape, s.initializer, s.rules));
    this.own = weightsOf(kernel, recurrentKernel, bias);
  }

  /**
   * @internal The output and the final states [output, h] (LSTM: [output, h, c]) for x, computed with `weights`:
   * Bidirectional runs its two copies through this with its own weights.
   */
  run(x: Tensor, weights: RecurrentWeights, options: CallOptions): Tensor[] {
    const { output, states } = runLoop(x, weights, this.cell, this.units, {
      returnSequences: this.returnSequences,
      goBackwards: this.goBackwards,
      ...(options.mask === undefined ? {} : { mask: options.mask }),
      ...optional('inputMask', dropoutMask([x.shape[0], x.shape[2]], this.dropout, x, options)),
      ...optional('recurrentMask', dropoutMask([x.shape[0], this.units], this.recurrentDropout, x, options)),
    });
    return [output, ...states];
  }

  protected call(x: Tensor, options: CallOptions): RecurrentOutput<R> {
    const outputs = this.run(x, this.own as RecurrentWeights, options);
    return (this.returnState ? outputs : outputs[0]) as RecurrentOutput<R>;
  }

  /** The sequence mask passes on only with the time axis, when every step is returned (the states carry none). */
  override computeMask(_x: Tensor, mask: Tensor | undefined): Tensor | undefined {
    return this.returnSequences ? mask : undefined;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), units: this.units, activation: this.activation.name, useBias: this.useBias,
      kernelInitializer: getInitializer(this.kernelInitializer, this.name), recurrentInitializer: getInitializer(this.recurrentInitializer, this.name),
      biasInitializer: getInitializer(this.biasInitializer, this.name), returnSequences: this.returnSequences, returnState: this.returnState,
      goBackwards: this.goBackwards, dropout: this.dropout, recurrentDropout: this.recurrentDropout,
    };
  }
}

function optional<K extends string>(key: K, value: Tensor | undefined): Partial<Record<K, Tensor>> {
  return (value === undefined ? {} : { [key]: value }) as Partial<Record<K, Tensor>>;
}
