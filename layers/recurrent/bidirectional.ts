import { ConfigError, describeValue } from '../../core/errors.ts';
import { add, concat, div, gather, mul } from '../../core/ops/index.ts';
import { checkOptionKeys, oneOf } from '../../core/options.ts';
import type { Shape } from '../../core/shape.ts';
import type { Tensor } from '../../core/tensor.ts';
import { markBuiltIn } from '../built-in.ts';
import type { CallOptions, LayerOptions, Weight } from '../layer.ts';
import { Layer } from '../layer.ts';
import type { RecurrentWeights } from './cell.ts';
import { Recurrent } from './recurrent.ts';

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

export interface BidirectionalOptions extends LayerOptions {
  /** How the two directions' outputs combine; default 'concat' (on the last axis). */
  mergeMode?: MergeMode;
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

/**
 * Runs a recurrent layer over the sequence in both directions and merges the outputs, as Keras's Bidirectional: a
 * copy named forward_<layer> and a goBackwards copy named backward_<layer>, whose output sequence is reversed back
 * into time order. The weights are this layer's own, named forward_<layer>/kernel, …, backward_<layer>/bias (tfjs's names).
 */
export class Bidirectional extends Layer {
  /** The layer it was given, whose config a saved model keeps. */
  readonly layer: Recurrent;
  readonly forwardLayer: Recurrent;
  readonly backwardLayer: Recurrent;
  readonly mergeMode: MergeMode;
  /** The backwardLayer option as given, if any (a saved model keeps its config). */
  readonly givenBackwardLayer: Recurrent | undefined;
  override supportsMasking = true;
  private own: { forward: RecurrentWeights; backward: RecurrentWeights } | undefined;

  constructor(layer: Recurrent, options: BidirectionalOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'inputShape', 'mergeMode', 'backwardLayer'], this.name);
    if (!(layer instanceof Recurrent)) throw new ConfigError(`${this.name}: layer must be a SimpleRNN, LSTM or GRU, got ${describeValue(layer)}`);
    this.mergeMode = oneOf(options.mergeMode ?? 'concat', MERGE_MODES, 'mergeMode', this.name);
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
      return lazyWeights(kernel, recurrentKernel, bias);
    };
    this.own = { forward: declare(this.forwardLayer), backward: declare(this.backwardLayer) };
  }

  protected call(x: Tensor, options: CallOptions): Tensor {
    const own = this.own as NonNullable<Bidirectional['own']>;
    const [forward] = this.forwardLayer.run(x, own.forward, options);
    let [backward] = this.backwardLayer.run(x, own.backward, options);
    if (this.returnSequences) {
      const time = x.shape[1];
      backward = gather(backward, Array.from({ length: time }, (_, t) => time - 1 - t), 1);
    }
    return MERGE[this.mergeMode](forward, backward);
  }

  override computeMask(_x: Tensor, mask: Tensor | undefined): Tensor | undefined {
    return this.returnSequences ? mask : undefined;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), mergeMode: this.mergeMode, layer: this.layer.getConfig(), backwardLayer: this.backwardLayer.getConfig() };
  }
}

/** RecurrentWeights that read each weight's current value (bound by apply's params, or stored). */
function lazyWeights(kernel: Weight, recurrentKernel: Weight, bias: Weight | undefined): RecurrentWeights {
  return {
    get kernel() { return kernel.value; },
    get recurrentKernel() { return recurrentKernel.value; },
    get bias() { return bias?.value; },
  };
}

markBuiltIn(Bidirectional);
