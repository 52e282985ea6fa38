import { zeros } from '../core/creation.ts';
import type { DType } from '../core/dtype.ts';
import { ConfigError, ShapeError, ValueError, describeValue, fmtShape } from '../core/errors.ts';
import { cast } from '../core/ops/index.ts';
import { Rng, checkSeed, rngFrom } from '../core/random.ts';
import { sameShape } from '../core/shape.ts';
import { noGrad } from '../core/tape.ts';
import { Tensor } from '../core/tensor.ts';
import { InputLayer } from '../layers/input-layer.ts';
import type { CallOptions } from '../layers/layer.ts';
import { Layer, autoName, checkSampleShape } from '../layers/layer.ts';
import { checkOptionKeys } from '../core/options.ts';
import type { OptimizerState } from '../optim/index.ts';
import type { CompileOptions, Compiled } from './compile.ts';
import { resolveCompile } from './compile.ts';
import type { EvaluateOptions, PredictOptions } from './inference.ts';
import { checkFiniteData, evaluateBatches, predictBatches } from './inference.ts';
import type { FitOptions } from './fit.ts';
import { fitModel } from './fit.ts';
import { getLearningRate, setLearningRate } from './learning-rate.ts';
import type { History } from './history.ts';
import { summarize } from './summary.ts';
import type { SaveOptions } from './save.ts';
import { saveModelTo } from './io/stores.ts';
import { loadWeightsInto } from './load-weights.ts';
import type { LoadWeightsOptions } from './load-weights.ts';

export type ModelParams = Record<string, Record<string, Tensor>>;

export interface SequentialOptions {
  layers?: readonly Layer[];
  name?: string;
  /** Seeds weight initialisation, and by default shuffling and dropout in fit. Without it the global seed (setSeed) is used. */
  seed?: number;
  /** float32 trains; float64 is for gradient checks. */
  dtype?: DType;
}

/**
 * Where optimisation stopped, so that a second fit() goes on from there as in Keras. `learningRate` is a rate set
 * over the optimizer's rate or schedule (model.learningRate, LearningRateScheduler, ReduceLROnPlateau), or null.
 */
export interface OptimizerProgress {
  readonly state: OptimizerState;
  readonly step: number;
  readonly learningRate: number | null;
}

/** A stack of layers, each feeding the next: add, compile, fit, evaluate, predict. */
export class Sequential {
  readonly name: string;
  readonly dtype: DType;
  readonly seed: number | undefined;
  /** A callback may set it to end fit() after the current batch. */
  stopTraining = false;
  private readonly stack: Layer[] = [];
  private readonly outputShapes = new Map<Layer, readonly number[]>();
  private initRng: Rng | undefined;
  private compiledConfig: Compiled | undefined;
  private fitting = false;
  /** @internal fit() keeps the optimizer's progress here between calls. */
  optimizerProgress: OptimizerProgress | undefined;

  constructor(options: SequentialOptions = {}) {
    checkOptionKeys(options, ['layers', 'name', 'seed', 'dtype'], 'Sequential');
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
      throw new ConfigError(`Sequential: name must be a non-empty string, got ${describeValue(options.name)}`);
    }
    this.name = options.name ?? autoName('Sequential');
    if (options.seed !== undefined) checkSeed(options.seed, this.name);
    if (options.dtype !== undefined && options.dtype !== 'float32' && options.dtype !== 'float64') {
      throw new ConfigError(`${this.name}: dtype must be 'float32' or 'float64', got ${describeValue(options.dtype)}`);
    }
    this.seed = options.seed;
    this.dtype = options.dtype ?? 'float32';
    if (options.layers !== undefined && !Array.isArray(options.layers)) {
      throw new ConfigError(`${this.name}: layers must be an array of layers, got ${describeValue(options.layers)}`);
    }
    for (const layer of options.layers ?? []) this.add(layer);
  }

  /** The layers in order, the InputLayer included. */
  get layers(): readonly Layer[] {
    return this.stack;
  }

  get compiled(): Compiled | undefined {
    return this.compiledConfig;
  }

  /** The shape of one input sample, once known (from an inputShape or the first data seen). */
  get inputShape(): readonly number[] | undefined {
    return this.stack[0] instanceof InputLayer ? this.stack[0].declaredInputShape : undefined;
  }

  /** The output shape of one sample, once built. */
  get outputShape(): readonly number[] | undefined {
    const last = this.stack[this.stack.length - 1];
    return last === undefined ? undefined : this.outputShapes.get(last);
  }

  outputShapeOf(layer: Layer): readonly number[] | undefined {
    return this.outputShapes.get(layer);
  }

  /** Appends a layer. If the input shape is known, the layer is built at once, so a shape mistake shows up here. */
  add(layer: Layer): this {
    if (!(layer instanceof Layer)) throw new ConfigError(`${this.name}.add: expected a Layer, got ${describeValue(layer)}`);
    if (this.compiledConfig !== undefined) {
      throw new ConfigError(`${this.name}.add: cannot add ${layer.name} after compile(); add every layer first, then compile`);
    }
    if (this.stack.includes(layer)) throw new ConfigError(`${this.name}.add: ${layer.name} is already in the model`);
    if (this.stack.some((l) => l.name === layer.name)) throw new ConfigError(`${this.name}.add: a layer named ${layer.name} is already in the model`);
    if (layer instanceof InputLayer && this.stack.length > 0) throw new ConfigError(`${this.name}.add: an InputLayer can only come first`);
    const before = this.stack.length;
    if (this.stack.length === 0 && !(layer instanceof InputLayer) && layer.declaredInputShape !== undefined) {
      this.stack.push(new InputLayer({ inputShape: layer.declaredInputShape }));
    }
    this.stack.push(layer);
    const input = this.inputShape;
    if (input !== undefined) {
      const start = this.stack.findIndex((l) => !this.outputShapes.has(l));
      try {
        this.buildFrom(start, start === 0 ? input : this.outputShapes.get(this.stack[start - 1]) as readonly number[]);
      } catch (error) {
        // A refused layer leaves the model as it was; kept, it would fail every later add and predict.
        this.stack.length = before;
        throw error;
      }
    }
    return this;
  }

  /** Builds every layer for samples of `sampleShape` with a dry run on one zero sample, recording each output shape. */
  build(sampleShape: readonly number[]): void {
    if (this.stack.length === 0) throw new ConfigError(`${this.name}: the model has no layers; add some first`);
    checkSampleShape(sampleShape, `${this.name}.build`);
    const added = !(this.stack[0] instanceof InputLayer);
    if (added) this.stack.unshift(new InputLayer({ inputShape: sampleShape }));
    try {
      this.buildFrom(0, sampleShape);
    } catch (error) {
      // Kept, an InputLayer for data the model refused would refuse the right data next time.
      if (added) this.stack.shift();
      throw error;
    }
  }

  private buildFrom(start: number, sampleShape: readonly number[]): void {
    this.initRng ??= this.seed === undefined ? rngFrom(undefined) : new Rng(this.seed);
    const fresh = this.stack.slice(start).filter((l) => !l.built);
    let h = zeros([1, ...sampleShape], this.dtype);
    try {
      noGrad(() => {
        for (const layer of this.stack.slice(start)) {
          layer.ensureBuilt(h.shape, this.dtype, this.initRng);
          h = layer.apply(h);
          this.outputShapes.set(layer, h.shape.slice(1));
        }
      });
    } catch (error) {
      // Undo the dry run: a layer built for shapes that failed further on would refuse the right input later.
      for (const layer of fresh) {
        layer.resetBuild();
        this.outputShapes.delete(layer);
      }
      throw error;
    }
  }

  compile(options: CompileOptions): void {
    if (this.fitting) throw this.busy('compile');
    const last = this.stack[this.stack.length - 1];
    if (last === undefined) throw new ConfigError(`${this.name}.compile: the model has no layers; add some first`);
    this.compiledConfig = resolveCompile(options, last, this.name);
    this.optimizerProgress = undefined;
  }

  /** Checks that x is a batch of samples the model takes, building the model from it if no input shape was given. */
  checkInput(x: unknown, where: string, argument = 'x'): Tensor {
    if (!(x instanceof Tensor)) throw new ValueError(`${this.name}.${where}: ${argument} must be a Tensor, got ${describeValue(x)}`);
    if (x.rank === 0) throw new ShapeError(`${this.name}.${where}: ${argument} must have a batch axis, got a scalar`);
    if (this.stack.length === 0) throw new ConfigError(`${this.name}.${where}: the model has no layers; add some first`);
    const expected = this.inputShape;
    if (expected === undefined) {
      if (x.shape.slice(1).includes(0)) {
        throw new ShapeError(`${this.name}.${where}: ${argument} must have positive dimensions after the batch axis, got ${fmtShape(x.shape)}`);
      }
      this.build(x.shape.slice(1));
    } else if (!sameShape(x.shape.slice(1), expected)) {
      const first = this.stack.find((l) => !(l instanceof InputLayer));
      throw new ShapeError(`${this.name}.${where}: ${argument} must have shape [batch,${expected.join(',')}] (the input of ${first?.name ?? 'the model'}), got ${fmtShape(x.shape)}`);
    }
    checkFiniteData(x, `${this.name}.${where}`, argument);
    return x;
  }

  /** Runs the layers on a batch; `params` replaces the trainable weights (that is what grad differentiates). */
  forward(x: Tensor, options: CallOptions & { params?: ModelParams } = {}): Tensor {
    const { params, logits = false, ...rest } = options;
    let h = x.dtype === this.dtype ? x : cast(x, this.dtype);
    const lastIndex = this.stack.length - 1;
    this.stack.forEach((layer, i) => {
      h = layer.apply(h, { ...rest, logits: logits && i === lastIndex, params: params?.[layer.name] });
    });
    return h;
  }

  /** The trainable weights as {layerName: {weightName: tensor}}. */
  trainableParams(): ModelParams {
    const params: ModelParams = {};
    for (const layer of this.stack) {
      const weights = layer.trainableWeights;
      if (weights.length > 0) params[layer.name] = Object.fromEntries(weights.map((w) => [w.name, w.value]));
    }
    return params;
  }

  /** Stores new trainable weights, as fit does after every step. */
  assignParams(params: ModelParams): void {
    for (const layer of this.stack) {
      const values = params[layer.name];
      if (values === undefined) continue;
      for (const weight of layer.weights) if (values[weight.name] !== undefined) weight.assign(values[weight.name]);
    }
  }

  /**
   * One fit at a time: a second fit while one runs (a missing await, or a fit from a callback) is refused, since both
   * would step the same weights in turn. evaluate and predict are synchronous, so from a callback they run between
   * two steps and see one consistent set of weights: that is allowed.
   */
  async fit(x: Tensor, y: Tensor, options: FitOptions = {}): Promise<History> {
    if (this.fitting) throw this.busy('fit');
    this.fitting = true;
    try {
      return await fitModel(this, this.requireCompiled('fit'), x, y, options);
    } finally {
      this.fitting = false;
    }
  }

  private busy(where: string): ConfigError {
    return new ConfigError(`${this.name}.${where}: ${this.name} is already training: a fit() on it has not finished. Await each fit before calling fit or compile again, and do not call them from a fit's callbacks`);
  }

  /**
   * The rate the next training step will use. Setting a number replaces the optimizer's rate or schedule with that
   * constant from the next step on (also during fit, from a callback); null goes back to the optimizer's own.
   */
  get learningRate(): number {
    return getLearningRate(this);
  }

  set learningRate(rate: number | null) {
    setLearningRate(this, rate);
  }

  /** The compiled loss and metrics over (x, y), batched, without recording gradients. */
  evaluate(x: Tensor, y: Tensor, options: EvaluateOptions = {}): Record<string, number> {
    return evaluateBatches(this, this.requireCompiled('evaluate'), x, y, options, 'evaluate');
  }

  /** The model's outputs (probabilities when it ends in softmax), batched, without recording gradients. */
  predict(x: Tensor, options: PredictOptions = {}): Tensor {
    return predictBatches(this, x, options);
  }

  /** A table of layers, output shapes and parameter counts; printed with printFn and returned. */
  summary(printFn: ((text: string) => void) | null = console.log): string {
    const text = summarize(this);
    printFn?.(text);
    return text;
  }

  /**
   * Writes dir/model.json and dir/weights.bin in the TensorFlow.js LayersModel format, crash-safely; with
   * includeOptimizer also the optimizer's state, so that loadModel(dir) resumes training exactly. `dir` may also
   * be 'indexeddb://name' or 'downloads://name' (see io/stores.ts).
   */
  async save(dir: string, options: SaveOptions = {}): Promise<void> {
    return saveModelTo(this, dir, options);
  }

  /**
   * Sets this model's weights from a directory model.save wrote (Keras's load_weights): weights only, layers matched
   * in order and weights by name and shape. All or nothing: on any error the weights are unchanged.
   */
  async loadWeights(dir: string, options: LoadWeightsOptions = {}): Promise<void> {
    return loadWeightsInto(this, dir, options);
  }

  /** Every weight, layer by layer, in the order setWeights takes them. */
  getWeights(): Tensor[] {
    this.requireBuilt('getWeights');
    return this.stack.flatMap((layer) => layer.weights.map((w) => w.value));
  }

  /** Replaces every weight; all shapes are checked before any weight changes. */
  setWeights(values: readonly Tensor[]): void {
    this.requireBuilt('setWeights');
    const weights = this.stack.flatMap((layer) => layer.weights);
    if (!Array.isArray(values) || values.length !== weights.length) {
      throw new ValueError(`${this.name}.setWeights: expected ${weights.length} tensors, got ${Array.isArray(values) ? values.length : describeValue(values)}`);
    }
    weights.forEach((w, i) => {
      const v = values[i];
      if (!(v instanceof Tensor) || !sameShape(v.shape, w.shape)) {
        throw new ShapeError(`${this.name}.setWeights: weight ${i} (${w.layerName}.${w.name}) must have shape ${fmtShape(w.shape)}, got ${v instanceof Tensor ? fmtShape(v.shape) : describeValue(v)}`);
      }
    });
    weights.forEach((w, i) => w.assign(values[i]));
  }

  /** Weights exist once every layer is built; before that getWeights would give [] and setWeights would be lost. */
  private requireBuilt(where: string): void {
    const unbuilt = this.stack.find((l) => !l.built);
    if (this.stack.length === 0 || unbuilt !== undefined) {
      throw new ConfigError(`${this.name}.${where}: the model is not built yet${unbuilt === undefined ? ' (it has no layers)' : ` (${unbuilt.name} has no weights yet)`}; give the first layer an inputShape, or call build, predict or fit first`);
    }
  }

  private requireCompiled(where: string): Compiled {
    if (this.compiledConfig === undefined) {
      throw new ConfigError(`${this.name}.${where}: the model is not compiled; call compile({optimizer, loss}) first`);
    }
    return this.compiledConfig;
  }
}
