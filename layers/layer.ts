import type { DType } from '../core/dtype.ts';
import { atSite } from '../core/debug-numerics.ts';
import { ConfigError, ShapeError, ValueError, describeValue, fmtShape, prefixError } from '../core/errors.ts';
import { Rng, rngFrom } from '../core/random.ts';
import type { Shape } from '../core/shape.ts';
import { sameShape } from '../core/shape.ts';
import { Tensor } from '../core/tensor.ts';
import type { Initializer } from './initializers.ts';
import { getInitializer } from './initializers.ts';
import { isBuiltInCall } from './built-in.ts';
import { userCode } from '../core/buffer-scope.ts';
import type { SymbolicTensor } from './symbolic.ts';
import { applySymbolic, isSymbolic } from './symbolic.ts';
import { maskForCall, outputMasks } from './mask-flow.ts';
import type { Constraint } from './constraints.ts';
import { recordPenalties } from './penalties.ts';
import type { Regularizer } from './regularizers.ts';

/** What every call receives: whether it is a training step, and the generator of that step's randomness. */
export interface CallOptions {
  training?: boolean;
  /** Dropout and other random layers draw from it; the model derives one per step from its seed. */
  rng?: Rng;
  /** Stop before the final activation: the model asks for logits when it fuses softmax with the loss. */
  logits?: boolean;
  /**
   * Which time steps of a sequence input are real: [batch, time] in the input's float dtype, 1 for a real step and
   * 0 for padding. Set by the model from the previous layer's computeMask (Embedding with maskZero, Masking).
   */
  mask?: Tensor;
}

/** apply() also takes the weights to compute with, which is how grad differentiates a layer. */
export interface ApplyOptions extends CallOptions {
  params?: Readonly<Record<string, Tensor>>;
}

export interface LayerOptions {
  name?: string;
  trainable?: boolean;
  /** The shape of one sample, without the batch axis. On the first layer of a Sequential it adds an InputLayer. */
  inputShape?: readonly number[];
}

export type WeightSpec = string | Initializer;

/** What a layer's call returns: one tensor, or several (an LSTM with returnState gives [output, h, c]). */
export type LayerOutput = Tensor | Tensor[];

/** The symbolic form of a layer's output: one SymbolicTensor for a Tensor, a list for a list. */
export type SymbolicOutput<Out extends LayerOutput> = Out extends Tensor ? SymbolicTensor : SymbolicTensor[];

/**
 * A named weight of a layer. `value` is what call() computes with: the stored tensor, or the one bound
 * for the current apply(), which is how the tape sees the weights without the layer knowing about grad.
 */
export class Weight {
  private stored: Tensor;
  private bound: Tensor | undefined;
  /**
   * False only while the stored tensor is one that fit's step made and stored with assignFromStep, and nobody has
   * read it since: then nobody else can hold its array, and the next step may update it in place.
   */
  private handedOut = true;

  constructor(
    readonly layerName: string, readonly name: string, initial: Tensor, readonly trainable: boolean,
    /** Its penalty in the training loss, and its projection after each step (see penalties.ts). */
    readonly regularizer?: Regularizer, readonly constraint?: Constraint,
  ) {
    this.stored = initial;
  }

  get value(): Tensor {
    if (this.bound !== undefined) return this.bound;
    this.handedOut = true;
    return this.stored;
  }

  /** @internal The stored tensor as fit's step reads it, which does not hand it out (unlike `value`). */
  peek(): Tensor {
    return this.stored;
  }

  /** @internal Whether only fit holds the stored tensor's array: its last step made it, and nobody has read it since. */
  get heldByFitOnly(): boolean {
    return !this.handedOut;
  }

  /** @internal Counts the stored tensor as handed out (user code was given it, bound or stored). */
  handOut(): void {
    this.handedOut = true;
  }

  get shape(): readonly number[] {
    return this.stored.shape;
  }

  /** Replaces the stored tensor; the shape and dtype must not change. */
  assign(value: Tensor): void {
    if (!(value instanceof Tensor)) throw new ValueError(`${this.layerName}: weight ${this.name} must be a Tensor, got ${describeValue(value)}`);
    if (!sameShape(value.shape, this.stored.shape)) {
      throw new ShapeError(`${this.layerName}: weight ${this.name} has shape ${fmtShape(this.stored.shape)}, got ${fmtShape(value.shape)}`);
    }
    this.stored = value.dtype === this.stored.dtype ? value : value.cast(this.stored.dtype);
    this.handedOut = true;
  }

  /** @internal Stores a tensor that fit's step made and nobody else was given (see heldByFitOnly). */
  assignFromStep(value: Tensor): void {
    this.assign(value);
    this.handedOut = false;
  }

  /** Runs fn with `value` reading `tensor`; without one, what an enclosing call bound stays (a wrapper binds its inner layer's weights). */
  withBound<T>(tensor: Tensor | undefined, fn: () => T): T {
    const previous = this.bound;
    this.bound = tensor ?? previous;
    try {
      return fn();
    } finally {
      this.bound = previous;
    }
  }
}

/** Checks a weight before a layer creates it: it throws to refuse. */
export type WeightCheck = (layer: string, weight: string, shape: readonly number[]) => void;

/** The check in force, if any: a loader's weight budget (models/serialization/load-budget.ts). */
let weightCheck: WeightCheck | undefined;

/** Runs fn with `check` called before every weight a layer creates, so a check can refuse before any allocation. */
export function withWeightCheck<T>(check: WeightCheck, fn: () => T): T {
  const outer = weightCheck;
  weightCheck = check;
  try {
    return fn();
  } finally {
    weightCheck = outer;
  }
}

const nameCounts = new Map<string, number>();

/** dense_1, dense_2, conv2d_1, …: Keras's snake_case class name with a per-process counter. */
export function autoName(className: string): string {
  const base = className.replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  const count = (nameCounts.get(base) ?? 0) + 1;
  nameCounts.set(base, count);
  return `${base}_${count}`;
}

/**
 * The base of every layer. A subclass declares weights in build() with addWeight() and composes core ops in
 * call(); the tape differentiates call(), so a layer never has a backward pass. The output shape comes from a dry run.
 * `Out` is what call returns: a Tensor (the default), or a list for a layer with several outputs, or a union of
 * both when its options decide (LSTM's returnState); apply's type follows it, so one-output layers need no casts.
 */
export abstract class Layer<Out extends LayerOutput = Tensor> {
  readonly name: string;
  trainable: boolean;
  /** A penalty on the layer's output, added to the training loss (the layers that take the option set it). */
  activityRegularizer: Regularizer | undefined;
  readonly declaredInputShape: readonly number[] | undefined;
  private readonly weightList: Weight[] = [];
  private sampleShape: readonly number[] | undefined;
  private buildDtype: DType = 'float32';
  private buildRng: Rng | undefined;

  constructor(options: LayerOptions = {}) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new ConfigError(`${new.target.name}: options must be an object, got ${describeValue(options)}`);
    }
    const { name, trainable = true, inputShape } = options;
    if (name !== undefined && (typeof name !== 'string' || !/^[A-Za-z_][\w.-]*$/.test(name))) {
      throw new ConfigError(`${new.target.name}: name must be letters, digits, '_', '.' or '-', starting with a letter or '_', got ${describeValue(name)}`);
    }
    this.name = name ?? autoName(new.target.name);
    if (typeof trainable !== 'boolean') throw new ConfigError(`${this.name}: trainable must be true or false, got ${describeValue(trainable)}`);
    this.trainable = trainable;
    if (inputShape !== undefined) this.declaredInputShape = checkSampleShape(inputShape, this.name);
  }

  /**
   * Whether the layer accepts a mask (Keras's supports_masking). A model refuses to hand a mask to a layer without
   * it (a ConfigError at build), since ignoring the mask would treat the padded steps as data.
   */
  supportsMasking = false;

  /**
   * The mask of this layer's output, given its input and the input's mask: the input's mask when the layer supports
   * masking, none otherwise. Layers that make a mask (Embedding) or change the time axis override it. A layer with
   * several outputs gives the mask of its first; the others carry none (as Keras's RNN states).
   */
  computeMask(_x: Tensor, mask: Tensor | undefined): Tensor | undefined {
    return this.supportsMasking ? mask : undefined;
  }

  /** Declares the layer's weights from the input shape (batch axis first). Layers without weights skip it. */
  protected build(_inputShape: Shape): void {}

  /** The forward computation, composed of core ops. */
  protected abstract call(x: Tensor, options: CallOptions): Out;

  /** Creates a weight; call it from build(). The initializer gets the model's seeded generator. */
  protected addWeight(
    name: string, shape: readonly number[], initializer: WeightSpec = 'glorotUniform',
    { trainable = true, regularizer, constraint }: { trainable?: boolean; regularizer?: Regularizer; constraint?: Constraint } = {},
  ): Weight {
    if (this.weightList.some((w) => w.name === name)) throw new ConfigError(`${this.name}: a weight named ${name} already exists`);
    const init = getInitializer(initializer, `${this.name}.${name}`);
    weightCheck?.(this.name, name, shape);
    const weight = new Weight(this.name, name, init.create(shape, this.buildDtype, rngFrom(this.buildRng)), trainable, regularizer, constraint);
    this.weightList.push(weight);
    return weight;
  }

  /** Builds a layer this one wraps (call it from build()): with the dtype and seeded generator of this build. */
  protected buildSublayer(layer: AnyLayer, inputShape: Shape): void {
    layer.ensureBuilt(inputShape, this.buildDtype, this.buildRng);
  }

  get built(): boolean {
    return this.sampleShape !== undefined;
  }

  /** The shape of one input sample (no batch axis), known once built. */
  get inputShape(): readonly number[] | undefined {
    return this.sampleShape;
  }

  /** The layer's weights; a wrapper (TimeDistributed) gives those of the layer it wraps, which it trains and saves as its own. */
  get weights(): readonly Weight[] {
    return this.weightList;
  }

  /** The current weights by name: the tree that grad differentiates and apply({params}) accepts. */
  get params(): Record<string, Tensor> {
    return Object.fromEntries(this.weights.map((w) => [w.name, w.value]));
  }

  /** The weights that training updates: none when the layer is frozen. */
  get trainableWeights(): readonly Weight[] {
    return this.trainable ? this.weights.filter((w) => w.trainable) : [];
  }

  get parameterCount(): number {
    return this.weights.reduce((n, w) => n + w.peek().size, 0);
  }

  /** Builds the layer for inputs shaped like `inputShape` (batch first), with weights drawn from rng in dtype. */
  ensureBuilt(inputShape: Shape, dtype: DType = 'float32', rng?: Rng): void {
    if (this.built) return;
    if (inputShape.length === 0) throw new ShapeError(`${this.name}: expected input with a batch axis, got a scalar`);
    // A zero-size sample axis would build zero-size weights and fill the output with bias alone.
    if (inputShape.slice(1).includes(0)) throw new ShapeError(`${this.name}: expected input whose dimensions after the batch axis are all positive, got ${fmtShape(inputShape)}`);
    if (this.declaredInputShape !== undefined) this.checkSample(inputShape, this.declaredInputShape);
    this.buildDtype = dtype;
    this.buildRng = rng;
    try {
      this.build(inputShape);
    } catch (error) {
      // Weights declared before the failure would make the next build fail on their names.
      this.resetBuild();
      throw error;
    } finally {
      this.buildRng = undefined;
    }
    this.sampleShape = Object.freeze(inputShape.slice(1));
  }

  /** @internal Forgets the build (weights and input shape), so the next input builds the layer afresh; a model undoes a failed dry run with it. */
  resetBuild(): void {
    this.weightList.length = 0;
    this.sampleShape = undefined;
  }

  /**
   * Runs the layer on a batch: builds on first use, checks the input shape, binds `params` if given. On a symbolic
   * tensor (the functional API) it records the call and returns the symbolic output (a list for a list) instead.
   */
  apply(x: SymbolicTensor | readonly SymbolicTensor[]): SymbolicOutput<Out>;
  apply(x: Tensor, options?: ApplyOptions): Out;
  apply(x: Tensor | SymbolicTensor | readonly SymbolicTensor[], options: ApplyOptions = {}): Out | SymbolicOutput<Out> {
    if (isSymbolic(x)) return this.applyToSymbolic(x);
    if (!(x instanceof Tensor)) throw new ValueError(`${this.name}: expected a Tensor input, got ${describeValue(x)}`);
    if (options === null || typeof options !== 'object') throw new ConfigError(`${this.name}: apply options must be an object, got ${describeValue(options)}`);
    this.ensureBuilt(x.shape, x.dtype);
    this.checkSample(x.shape, this.sampleShape as readonly number[]);
    const { params, ...callOptions } = options;
    if (params !== undefined) this.checkParams(params);
    const builtIn = isBuiltInCall(this.call);
    // User code may keep the weights it computes with, bound or stored: fit must not update their arrays in place.
    if (!builtIn) for (const w of this.weights) w.handOut();
    const call = builtIn ? (): Out => this.call(x, callOptions)
      : () => userCode([x, ...this.weights.map((w) => w.value)], () => this.call(x, callOptions));
    const bindAll = this.weights.reduceRight<() => Out>(
      (inner, w) => () => w.withBound(params?.[w.name], inner),
      () => this.checkOutput(call(), x),
    );
    try {
      return atSite(`layer ${this.name}`, bindAll);
    } catch (error) {
      throw prefixError(error, this.name);
    }
  }

  /**
   * The dry run of a symbolic call builds an unbuilt layer with throwaway weights and forgets them again, so that
   * the model that takes the layer initialises it from its own seed, in the order of its graph.
   */
  private applyToSymbolic(x: SymbolicTensor | readonly SymbolicTensor[]): SymbolicOutput<Out> {
    const fresh = !this.built;
    let many = false;
    try {
      const outputs = applySymbolic(this, x, (inputs, masks) => {
        if (fresh && inputs instanceof Tensor) this.ensureBuilt(inputs.shape, inputs.dtype, new Rng(0));
        const sources = (Array.isArray(x) ? x as readonly SymbolicTensor[] : [x as SymbolicTensor]).map((t) => t.operationName);
        const mask = maskForCall(this, masks, !(inputs instanceof Tensor), sources);
        const out = (this.apply as (t: unknown, o: ApplyOptions) => LayerOutput)(inputs, mask === undefined ? {} : { mask });
        many = Array.isArray(out);
        return { outputs: out, masks: outputMasks(this, inputs, masks, Array.isArray(out) ? out.length : 1) };
      });
      return (many ? outputs : outputs[0]) as SymbolicOutput<Out>;
    } finally {
      if (fresh) this.resetBuild();
    }
  }

  /**
   * The contract of call(): a Tensor (or a non-empty list of them) with one row per input row, so no sample is
   * silently dropped or invented. The activity regularizer sees every output, as in Keras.
   */
  private checkOutput(output: unknown, x: Tensor): Out {
    const list = Array.isArray(output) && output.length > 0 ? output as unknown[] : [output];
    for (const t of list) {
      if (!(t instanceof Tensor)) {
        throw new ValueError(`${this.name}: call() must return a Tensor or a list of them, got ${describeValue(output)}`);
      }
      if (t.rank === 0 || t.shape[0] !== x.shape[0]) {
        throw new ShapeError(`${this.name}: call() must return one row per input row (batch ${x.shape[0]}, input ${fmtShape(x.shape)}), got ${t.rank === 0 ? 'a scalar' : `shape ${fmtShape(t.shape)}`}`);
      }
      recordPenalties(this, t);
    }
    return output as Out;
  }

  /** What a saved model needs to rebuild the layer; subclasses add their options. */
  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable };
  }

  private checkSample(shape: Shape, expected: readonly number[]): void {
    if (shape.length !== expected.length + 1 || !sameShape(shape.slice(1), expected)) {
      throw new ShapeError(`${this.name}: expected input of shape [batch,${expected.join(',')}], got ${fmtShape(shape)}`);
    }
  }

  private checkParams(params: Readonly<Record<string, Tensor>>): void {
    for (const key of Object.keys(params)) {
      const weight = this.weights.find((w) => w.name === key);
      if (weight === undefined) {
        throw new ConfigError(`${this.name}: has no weight named ${key}; its weights are ${this.weights.map((w) => w.name).join(', ') || 'none'}`);
      }
      const given = params[key];
      if (!(given instanceof Tensor) || !sameShape(given.shape, weight.shape)) {
        throw new ShapeError(`${this.name}: weight ${key} must have shape ${fmtShape(weight.shape)}, got ${given instanceof Tensor ? fmtShape(given.shape) : describeValue(given)}`);
      }
    }
  }
}

/** A layer of any output: what models and tools that take every kind of layer accept. */
export type AnyLayer = Layer<LayerOutput>;

/** Validates a per-sample shape: positive integers. */
export function checkSampleShape(shape: readonly number[], where: string): readonly number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new ShapeError(`${where}: inputShape must be positive integers without the batch axis, like [28,28,1], got ${Array.isArray(shape) ? fmtShape(shape) : describeValue(shape)}`);
  }
  return Object.freeze([...shape]);
}
