import { ConfigError, describeValue } from '../../core/errors.ts';
import { add, concat, div, gather, mul } from '../../core/ops/index.ts';
import { checkOptionKeys, oneOf } from '../../core/options.ts';
import type { Shape } from '../../core/shape.ts';
import type { Tensor } from '../../core/tensor.ts';
import { markBuiltIn } from '../built-in.ts';
import type { CallOptions, LayerOptions } from '../layer.ts';
import { Layer } from '../layer.ts';
import type { RecurrentWeights } from './cell.ts';
import { weightsOf } from './cell.ts';
import { Recurrent } from './recurrent.ts';

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

/** What a Bidirectional returns: one merged tensor, or a list with returnState (states after the outputs) or mergeMode null. */
export type BidirectionalOutput<R extends boolean, M extends MergeMode | null> = R extends true ? Tensor[] : M extends null ? Tensor[] : Tensor;

export interface BidirectionalOptions<M extends MergeMode | null = MergeMode | null> extends LayerOptions {
  /** How the two directions' outputs combine; default 'concat' (on the last axis); null returns both, [forward, backward]. */
  mergeMode?: M;
  /** The layer for the backward direction; default a copy of the layer with goBackwards flipped. */
  backwardLayer?: Recurrent;
}

const MERGE_MODES: readonly MergeMode[] = ['concat', 'sum', 'mul', 'ave'];

const MERGE: Readonly<Record<MergeMode, (a: Tensor, b: Tensor) => Tensor>> = {
  concat: (a, b) => concat([a, b], -1),
  sum: add,
  mul,
  ave: (a, b) => div(add(a, b), 2),
};

/** The options, with the wrapped layer's inputShape when they give none (as Keras), so the wrapper can start a Sequential. */
function withInnerShape<T extends LayerOptions>(options: T, layer: unknown): T {
  if (options === null || typeof options !== 'object' || options.inputShape !== undefined || !(layer instanceof Recurrent)) return options;
  return layer.declaredInputShape === undefined ? options : { ...options, inputShape: layer.declaredInputShape };
}

/**
 * Runs a recurrent layer over the sequence in both directions and merges the outputs, as Keras's Bidirectional: a
 * copy named forward_<layer> and a goBackwards copy named backward_<layer>, whose output sequence is reversed back
 * into time order. The weights are this layer's own, named forward_<layer>/kernel, …, backward_<layer>/bias (tfjs's names).
 * With the layer's returnState the outputs are [merged, ...forward states, ...backward states], as Keras.
 */
export class Bidirectional<R extends boolean = false, M extends MergeMode | null = MergeMode> extends Layer<BidirectionalOutput<R, M>> {
  /** The layer it was given, whose config a saved model keeps. */
  readonly layer: Recurrent<R>;
  readonly forwardLayer: Recurrent;
  readonly backwardLayer: Recurrent;
  readonly mergeMode: M;
  /** The backwardLayer option as given, if any (a saved model keeps its config). */
  readonly givenBackwardLayer: Recurrent | undefined;
  override supportsMasking = true;
  private own: { forward: RecurrentWeights; backward: RecurrentWeights } | undefined;

  constructor(layer: Recurrent<R>, options: BidirectionalOptions<M> = {}) {
    super(withInnerShape(options, layer));
    checkOptionKeys(options, ['name', 'trainable', 'inputShape', 'mergeMode', 'backwardLayer'], this.name);
    if (!(layer instanceof Recurrent)) throw new ConfigError(`${this.name}: layer must be a SimpleRNN, LSTM or GRU, got ${describeValue(layer)}`);
    this.mergeMode = (options.mergeMode === null ? null : oneOf(options.mergeMode ?? 'concat', MERGE_MODES, 'mergeMode', this.name)) as M;
    this.layer = layer;
    this.forwardLayer = layer.copy({ name: `forward_${layer.name}`, goBackwards: layer.goBackwards });
    const backward = options.backwardLayer;
    this.givenBackwardLayer = backward;
    if (backward === undefined) {
      this.backwardLayer = layer.copy({ name: `backward_${layer.name}`, goBackwards: !layer.goBackwards });
    } else {
      if (!(backward instanceof Recurrent)) throw new ConfigError(`${this.name}: backwardLayer must be a SimpleRNN, LSTM or GRU, got ${describeValue(backward)}`);
      if (backward.goBackwards === layer.goBackwards || backward.returnSequences !== layer.returnSequences || backward.returnState !== layer.returnState) {
        throw new ConfigError(`${this.name}: backwardLayer must have the opposite goBackwards and the same returnSequences and returnState as the layer`);
      }
      this.backwardLayer = backward.copy({ name: `backward_${backward.name}`, goBackwards: backward.goBackwards });
    }
  }

  get returnSequences(): boolean {
    return this.forwardLayer.returnSequences;
  }

  protected override build(inputShape: Shape): void {
    const declare = (layer: Recurrent): RecurrentWeights => {
      layer.checkInput(inputShape, this.name);
      const [kernel, recurrentKernel, bias] = layer.weightSpecs(inputShape[2]).map((s) => this.addWeight(`${layer.name}/${s.name}`, s.shape, s.initializer, s.rules));
      return weightsOf(kernel, recurrentKernel, bias);
    };
    this.own = { forward: declare(this.forwardLayer), backward: declare(this.backwardLayer) };
  }

  protected call(x: Tensor, options: CallOptions): BidirectionalOutput<R, M> {
    const own = this.own as NonNullable<Bidirectional['own']>;
    const [forward, ...forwardStates] = this.forwardLayer.run(x, own.forward, options);
    let [backward, ...backwardStates] = this.backwardLayer.run(x, own.backward, options);
    if (this.returnSequences) {
      const time = x.shape[1];
      backward = gather(backward, Array.from({ length: time }, (_, t) => time - 1 - t), 1);
    }
    const mode: MergeMode | null = this.mergeMode;
    const outputs = mode === null ? [forward, backward] : [MERGE[mode](forward, backward)];
    if (this.layer.returnState) outputs.push(...forwardStates, ...backwardStates);
    return (outputs.length === 1 ? outputs[0] : outputs) as BidirectionalOutput<R, M>;
  }

  override computeMask(_x: Tensor, mask: Tensor | undefined): Tensor | undefined {
    return this.returnSequences ? mask : undefined;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), mergeMode: this.mergeMode, layer: this.layer.getConfig(), backwardLayer: this.backwardLayer.getConfig() };
  }
}

markBuiltIn(Bidirectional);
