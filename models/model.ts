import type { DType } from '../core/dtype.ts';
import { ConfigError, ShapeError, ValueError, describeValue, fmtShape } from '../core/errors.ts';
import { checkSeed } from '../core/random.ts';
import { sameShape } from '../core/shape.ts';
import { Tensor } from '../core/tensor.ts';
import type { AnyLayer, CallOptions } from '../layers/layer.ts';
import { autoName } from '../layers/layer.ts';
import type { SymbolicTensor } from '../layers/symbolic.ts';
import { applySymbolic } from '../layers/symbolic.ts';
import type { OptimizerState } from '../optim/index.ts';
import type { CompileOptions, Compiled } from './compile.ts';
import { resolveCompile } from './compile.ts';
import type { EvaluateOptions } from './inference.ts';
import { evaluateBatches } from './inference.ts';
import type { DatasetLike, TrainBatch } from './dataset-elements.ts';
import { datasetArguments, isDataset } from './dataset-elements.ts';
import type { DatasetInferenceOptions } from './dataset-inference.ts';
import { evaluateDataset } from './dataset-inference.ts';
import type { FitOptions } from './fit.ts';
import { fitModel } from './fit.ts';
import type { TrainOnBatchOptions } from './on-batch.ts';
import { testOnBatch, trainOnBatch } from './on-batch.ts';
import { getLearningRate, setLearningRate } from './learning-rate.ts';
import type { History } from './history.ts';
import type { SaveOptions } from './save.ts';
import { saveModelTo } from './io/stores.ts';
import { loadWeightsInto } from './load-weights.ts';
import type { LoadWeightsOptions } from './load-weights.ts';
import { summarize } from './summary.ts';
import type { ModelJson } from './serialization/format.ts';

export type ModelParams = Record<string, Record<string, Tensor>>;

/**
 * Where optimisation stopped, so that a second fit() goes on from there as in Keras. `learningRate` is a rate set
 * over the optimizer's rate or schedule (model.learningRate, LearningRateScheduler, ReduceLROnPlateau), or null.
 */
export interface OptimizerProgress {
  readonly state: OptimizerState;
  readonly step: number;
  readonly learningRate: number | null;
}

/** One or several tensors, as fit, evaluate and predict take them: one per input or output of the model. */
export type TensorOrList = Tensor | readonly Tensor[];

/**
 * What a forward pass takes besides the inputs: `params` replaces the trainable weights (what grad differentiates);
 * `outputMasks`, if given, receives the mask of each output (undefined where none), which weights its loss.
 */
export type ForwardOptions = CallOptions & { params?: ModelParams; outputMasks?: (Tensor | undefined)[] };

export interface ModelOptions {
  name?: string;
  /** Seeds weight initialisation, and by default shuffling and dropout in fit. Without it the global seed (setSeed) is used. */
  seed?: number;
  /** float32 trains; float64 is for gradient checks. */
  dtype?: DType;
}

/**
 * The one engine under Sequential and Functional: compile, fit, evaluate, save, weights and the learning rate.
 * A subclass is a graph of layers with inputs and outputs; the engine sees it through forwardAll and checkInputs.
 */
export abstract class Model {
  readonly name: string;
  readonly dtype: DType;
  readonly seed: number | undefined;
  /** A callback may set it to end fit() after the current batch. */
  stopTraining = false;
  /** @internal False during an epoch's end that fit does not validate (validationFreq): monitors of val_ keys skip it. */
  validatedEpoch = true;
  private progress: OptimizerProgress | undefined;
  /** False only while the progress is the one fit's step stored and nobody has read it since (see Weight.heldByFitOnly). */
  private progressHandedOut = true;
  private compiledConfig: Compiled | undefined;
  private fitting = false;

  constructor(options: ModelOptions, className: string) {
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
      throw new ConfigError(`${className}: name must be a non-empty string, got ${describeValue(options.name)}`);
    }
    this.name = options.name ?? autoName(className);
    if (options.seed !== undefined) checkSeed(options.seed, this.name);
    if (options.dtype !== undefined && options.dtype !== 'float32' && options.dtype !== 'float64') {
      throw new ConfigError(`${this.name}: dtype must be 'float32' or 'float64', got ${describeValue(options.dtype)}`);
    }
    this.seed = options.seed;
    this.dtype = options.dtype ?? 'float32';
  }

  /** Every layer with its place in the model, in order; a nested model's layers included. */
  abstract get layers(): readonly AnyLayer[];

  /** The names of the outputs (the layers that make them), which name per-output losses and logs. */
  abstract get outputNames(): readonly string[];

  /** The shape of one sample of each output, once built. */
  abstract get outputShapes(): readonly (readonly number[])[] | undefined;

  /** The output shape of one sample of a layer of the model, once built. */
  abstract outputShapeOf(layer: AnyLayer): readonly number[] | undefined;

  /** The layer whose activation may fold into each output's loss (its output feeds nothing else), if any. */
  protected abstract fusableLayers(): readonly (AnyLayer | undefined)[];

  /** @internal The modelTopology of model.json. */
  abstract topologyJson(where: string): ModelJson['modelTopology'];

  /** @internal Checks one batch per input, building the model from them if it can. */
  abstract checkInputs(x: unknown, where: string, argument?: string): Tensor[];

  /** @internal The outputs for one batch per input; `logits` stops each fused output layer before its activation. */
  abstract forwardAll(inputs: readonly Tensor[], options?: ForwardOptions): Tensor[];

  get compiled(): Compiled | undefined {
    return this.compiledConfig;
  }

  /** @internal fit() keeps the optimizer's progress here between calls; a callback may read or replace it. */
  get optimizerProgress(): OptimizerProgress | undefined {
    this.progressHandedOut = true;
    return this.progress;
  }

  set optimizerProgress(progress: OptimizerProgress | undefined) {
    this.storeProgress(progress, false);
  }

  /** @internal The progress as fit's step reads it, which does not hand its tensors out (unlike optimizerProgress). */
  peekProgress(): OptimizerProgress | undefined {
    return this.progress;
  }

  /** @internal Whether only fit holds the progress's tensors: its last step made them, and nobody has read them since. */
  get progressHeldByFitOnly(): boolean {
    return !this.progressHandedOut;
  }

  /** @internal Stores a progress; `heldByFitOnly` when fit's step made its tensors and nobody else was given them. */
  storeProgress(progress: OptimizerProgress | undefined, heldByFitOnly: boolean): void {
    this.progress = progress;
    this.progressHandedOut = !heldByFitOnly;
  }

  /** Used as a layer of a functional model: the symbolic output (a model with one output). */
  apply(x: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor {
    const outputs = this.applyMany(x);
    if (outputs.length !== 1) throw new ConfigError(`${this.name}: has ${outputs.length} outputs; use applyMany to get them all`);
    return outputs[0];
  }

  /** Used as a layer of a functional model: one symbolic tensor per output. */
  applyMany(x: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor[] {
    return applySymbolic(this, x, (inputs, masks) => {
      // tf.keras carries masks into a nested model's graph; semiflow does not yet, and refuses rather than drop one.
      if (masks.some((m) => m !== undefined)) throw new ConfigError(`${this.name}: a mask cannot flow into a model used as a layer yet; apply its layers directly, or consume the mask before it`);
      const outputs = this.forwardAll(this.checkInputs(inputs instanceof Tensor ? [inputs] : inputs, 'apply'));
      return { outputs, masks: outputs.map(() => undefined) };
    });
  }

  compile(options: CompileOptions): void {
    if (this.fitting) throw this.busy('compile');
    if (this.layers.length === 0) throw new ConfigError(`${this.name}.compile: the model has no layers; add some first`);
    this.compiledConfig = resolveCompile(options, this.fusableLayers(), this.outputNames, this.name);
    this.optimizerProgress = undefined;
  }

  /**
   * One fit at a time: a second fit while one runs (a missing await, or a fit from a callback) is refused, since both
   * would step the same weights in turn. evaluate and predict are synchronous, so from a callback they run between
   * two steps and see one consistent set of weights: that is allowed.
   */
  fit(x: TensorOrList, y: TensorOrList, options?: FitOptions): Promise<History>;
  /** Training from a dataset of batches: { xs, ys } or [x, y] or [x, y, sampleWeight] (see data/). */
  fit(dataset: DatasetLike<TrainBatch>, options?: FitOptions): Promise<History>;
  async fit(x: TensorOrList | DatasetLike<TrainBatch>, second?: TensorOrList | FitOptions, third?: FitOptions): Promise<History> {
    if (this.fitting) throw this.busy('fit');
    this.fitting = true;
    try {
      const [y, options] = datasetArguments(x, second, third);
      return await fitModel(this, this.requireCompiled('fit'), x, y, options as FitOptions);
    } finally {
      this.fitting = false;
    }
  }

  /**
   * One optimizer step on exactly this batch (Keras's trainOnBatch), going on from the optimizer state of fit or
   * of earlier calls; returns the batch's loss and metrics, from before the step. Dropout is seeded by the model's seed.
   */
  trainOnBatch(x: TensorOrList, y: TensorOrList, options: TrainOnBatchOptions = {}): Record<string, number> {
    if (this.fitting) throw this.busy('trainOnBatch');
    return trainOnBatch(this, this.requireCompiled('trainOnBatch'), x, y, options);
  }

  /** The loss and metrics of exactly this batch, in one pass, without training (Keras's testOnBatch). */
  testOnBatch(x: TensorOrList, y: TensorOrList): Record<string, number> {
    return testOnBatch(this, this.requireCompiled('testOnBatch'), x, y);
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

  /** The compiled loss and metrics over (x, y), batched, without recording gradients; for a dataset, a promise of them. */
  evaluate(x: TensorOrList, y: TensorOrList, options?: EvaluateOptions): Record<string, number>;
  evaluate(dataset: DatasetLike<TrainBatch>, options?: DatasetInferenceOptions): Promise<Record<string, number>>;
  evaluate(x: TensorOrList | DatasetLike<TrainBatch>, second?: TensorOrList | DatasetInferenceOptions, third?: EvaluateOptions): Record<string, number> | Promise<Record<string, number>> {
    if (!isDataset(x)) return evaluateBatches(this, this.requireCompiled('evaluate'), x, second as TensorOrList, third ?? {}, 'evaluate');
    return (async () => {
      const [y, options] = datasetArguments(x, second, third);
      if (y !== undefined) throw new ValueError(`${this.name}.evaluate: given a dataset, the targets come in its batches ({ xs, ys } or [x, y]); call evaluate(dataset, options), got a second argument ${describeValue(y)}`);
      return evaluateDataset(this, this.requireCompiled('evaluate'), x, options as DatasetInferenceOptions, 'evaluate');
    })();
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

  /** The trainable weights as {layerName: {weightName: tensor}}. */
  trainableParams(): ModelParams {
    const params: ModelParams = {};
    for (const layer of this.layers) {
      const weights = layer.trainableWeights;
      if (weights.length > 0) params[layer.name] = Object.fromEntries(weights.map((w) => [w.name, w.value]));
    }
    return params;
  }

  /** Stores new trainable weights {layer: {weight: tensor}}, the tree trainableParams gives. */
  assignParams(params: ModelParams): void {
    for (const layer of this.layers) {
      const values = params[layer.name];
      if (values === undefined) continue;
      for (const weight of layer.weights) if (values[weight.name] !== undefined) weight.assign(values[weight.name]);
    }
  }

  /** Every weight, layer by layer, in the order setWeights takes them. */
  getWeights(): Tensor[] {
    this.requireBuilt('getWeights');
    return this.layers.flatMap((layer) => layer.weights.map((w) => w.value));
  }

  /** Replaces every weight; all shapes are checked before any weight changes. */
  setWeights(values: readonly Tensor[]): void {
    this.requireBuilt('setWeights');
    const weights = this.layers.flatMap((layer) => layer.weights);
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
    const unbuilt = this.layers.find((l) => !l.built);
    if (this.layers.length === 0 || unbuilt !== undefined) {
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
