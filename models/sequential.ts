import { zeros } from '../core/creation.ts';
import { ConfigError, ShapeError, ValueError, describeValue, fmtShape } from '../core/errors.ts';
import { cast } from '../core/ops/index.ts';
import { Rng, rngFrom } from '../core/random.ts';
import { sameShape } from '../core/shape.ts';
import { noGrad } from '../core/tape.ts';
import { Tensor } from '../core/tensor.ts';
import { InputLayer } from '../layers/input-layer.ts';
import { Layer, checkSampleShape } from '../layers/layer.ts';
import type { AnyLayer, ApplyOptions } from '../layers/layer.ts';
import { maskForCall } from '../layers/mask-flow.ts';
import { checkOptionKeys } from '../core/options.ts';
import type { PredictOptions } from './inference.ts';
import { checkFiniteData, predictBatches } from './inference.ts';
import { wholeBatch } from './on-batch.ts';
import type { DatasetLike, PredictBatch } from './dataset-elements.ts';
import type { DatasetInferenceOptions } from './dataset-inference.ts';
import { predictAny } from './dataset-inference.ts';
import type { ForwardOptions, ModelOptions } from './model.ts';
import { Model } from './model.ts';
import type { ModelJson } from './serialization/format.ts';
import { topologyToJson } from './serialization/topology.ts';

export type { ModelParams, OptimizerProgress } from './model.ts';

export interface SequentialOptions extends ModelOptions {
  layers?: readonly AnyLayer[];
}

/** A stack of layers, each feeding the next: add, compile, fit, evaluate, predict. */
export class Sequential extends Model {
  private readonly stack: AnyLayer[] = [];
  private readonly shapes = new Map<AnyLayer, readonly number[]>();
  /** The mask each layer's output carries in the dry run, where one flows (so a later add continues the flow). */
  private readonly dryMasks = new Map<AnyLayer, Tensor>();
  private initRng: Rng | undefined;

  constructor(options: SequentialOptions = {}) {
    checkOptionKeys(options, ['layers', 'name', 'seed', 'dtype'], 'Sequential');
    super(options, 'Sequential');
    if (options.layers !== undefined && !Array.isArray(options.layers)) {
      throw new ConfigError(`${this.name}: layers must be an array of layers, got ${describeValue(options.layers)}`);
    }
    for (const layer of options.layers ?? []) this.add(layer);
  }

  /** The layers in order, the InputLayer included. */
  get layers(): readonly AnyLayer[] {
    return this.stack;
  }

  get outputNames(): readonly string[] {
    const last = this.stack[this.stack.length - 1];
    return last === undefined ? [] : [last.name];
  }

  get outputShapes(): readonly (readonly number[])[] | undefined {
    const shape = this.outputShape;
    return shape === undefined ? undefined : [shape];
  }

  protected fusableLayers(): readonly (AnyLayer | undefined)[] {
    return [this.stack[this.stack.length - 1]];
  }

  /** The shape of one input sample, once known (from an inputShape or the first data seen). */
  get inputShape(): readonly number[] | undefined {
    return this.stack[0] instanceof InputLayer ? this.stack[0].declaredInputShape : undefined;
  }

  /** The output shape of one sample, once built. */
  get outputShape(): readonly number[] | undefined {
    const last = this.stack[this.stack.length - 1];
    return last === undefined ? undefined : this.shapes.get(last);
  }

  outputShapeOf(layer: AnyLayer): readonly number[] | undefined {
    return this.shapes.get(layer);
  }

  /** Appends a layer. If the input shape is known, the layer is built at once, so a shape mistake shows up here. */
  add(layer: AnyLayer): this {
    if (!(layer instanceof Layer)) throw new ConfigError(`${this.name}.add: expected a Layer, got ${describeValue(layer)}`);
    if (this.compiled !== undefined) {
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
      const start = this.stack.findIndex((l) => !this.shapes.has(l));
      try {
        this.buildFrom(start, start === 0 ? input : this.shapes.get(this.stack[start - 1]) as readonly number[]);
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
    let mask = start === 0 ? undefined : this.dryMasks.get(this.stack[start - 1]);
    try {
      noGrad(() => {
        for (const layer of this.stack.slice(start)) {
          layer.ensureBuilt(h.shape, this.dtype, this.initRng);
          [h, mask] = this.step(layer, h, mask, {});
          this.shapes.set(layer, h.shape.slice(1));
          if (mask === undefined) this.dryMasks.delete(layer);
          else this.dryMasks.set(layer, mask);
        }
      });
    } catch (error) {
      // Undo the dry run: a layer built for shapes that failed further on would refuse the right input later.
      for (const layer of fresh) {
        layer.resetBuild();
        this.shapes.delete(layer);
        this.dryMasks.delete(layer);
      }
      throw error;
    }
  }

  /**
   * One layer on h with the mask that reaches it; gives its output and the mask it passes on. A layer with several
   * outputs is refused, as in tf.keras: a stack has one tensor between layers.
   */
  private step(layer: AnyLayer, h: Tensor, mask: Tensor | undefined, options: ApplyOptions): [Tensor, Tensor | undefined] {
    const given = mask === undefined ? undefined : maskForCall(layer, [mask], false, [this.stack[this.stack.indexOf(layer) - 1].name]);
    const out = layer.apply(h, given === undefined ? options : { ...options, mask: given });
    if (Array.isArray(out)) {
      throw new ConfigError(`${this.name}: ${layer.name} gives ${out.length} outputs, but every layer of a Sequential must give one tensor; use a functional model (input(), layer.apply, model({ inputs, outputs })) for layers with several outputs`);
    }
    return [out, layer.computeMask(h, given)];
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

  /** @internal One input, which may come as a list of one; any other list is refused as not a Tensor. */
  checkInputs(x: unknown, where: string, argument = 'x'): Tensor[] {
    return [this.checkInput(Array.isArray(x) && x.length === 1 ? x[0] : x, where, argument)];
  }

  /** @internal */
  topologyJson(where: string): ModelJson['modelTopology'] {
    return topologyToJson(this, where);
  }

  /** @internal */
  forwardAll(inputs: readonly Tensor[], options: ForwardOptions = {}): Tensor[] {
    return [this.forward(inputs[0], options)];
  }

  /** Runs the layers on a batch; `params` replaces the trainable weights (that is what grad differentiates). */
  forward(x: Tensor, options: ForwardOptions = {}): Tensor {
    const { params, logits = false, outputMasks, ...rest } = options;
    let h = x.dtype === this.dtype ? x : cast(x, this.dtype);
    const lastIndex = this.stack.length - 1;
    let mask: Tensor | undefined;
    this.stack.forEach((layer, i) => {
      [h, mask] = this.step(layer, h, mask, { ...rest, logits: logits && i === lastIndex, params: params?.[layer.name] });
    });
    outputMasks?.push(mask);
    return h;
  }

  /** The model's outputs (probabilities when it ends in softmax), batched, without recording gradients; for a dataset, a promise of them. */
  predict(x: Tensor, options?: PredictOptions): Tensor;
  predict(dataset: DatasetLike<PredictBatch>, options?: DatasetInferenceOptions): Promise<Tensor>;
  predict(x: Tensor | DatasetLike<PredictBatch>, options: PredictOptions | DatasetInferenceOptions = {}): Tensor | Promise<Tensor> {
    const outputs = predictAny(this, x, options);
    return outputs instanceof Promise ? outputs.then((outs) => outs[0]) : outputs[0];
  }

  /** The outputs for exactly this batch, in one pass (Keras's predictOnBatch). */
  predictOnBatch(x: Tensor): Tensor {
    return predictBatches(this, x, { batchSize: wholeBatch(x), verbose: 0 }, 'predictOnBatch')[0];
  }
}
