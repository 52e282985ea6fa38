import { ConfigError, ValueError, describeValue } from '../core/errors.ts';
import { firstInvalidIndex } from '../core/ops/gather.ts';
import { unravelIndex } from '../core/shape.ts';
import { equal, gather, sub } from '../core/ops/index.ts';
import { checkOptionKeys, positiveInt, trueOrFalse } from '../core/options.ts';
import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import { markBuiltIn } from './built-in.ts';
import { getInitializer, randomUniform } from './initializers.ts';
import type { LayerOptions, Weight, WeightSpec } from './layer.ts';
import { Layer } from './layer.ts';
import type { RuleOptions, WeightRules } from './penalties.ts';
import { ruleKeys, weightRules } from './penalties.ts';
import type { RegularizerSpec } from './regularizers.ts';
import { getRegularizer } from './regularizers.ts';

export interface EmbeddingOptions extends LayerOptions, RuleOptions<'embeddings'> {
  /** Keras's default: uniform in [-0.05, 0.05). */
  embeddingsInitializer?: WeightSpec;
  /** A penalty on the output, divided by the batch size, added to the training loss. */
  activityRegularizer?: RegularizerSpec | null;
  /** Id 0 is padding: the output's mask is ids != 0, for the layers after it (a recurrent layer skips those steps). */
  maskZero?: boolean;
  /** The sequence length (Keras's input_length): sets the input shape [inputLength] when inputShape is not given. */
  inputLength?: number | readonly number[];
}

const EMBEDDING_OPTIONS = ['name', 'trainable', 'inputShape', 'embeddingsInitializer', 'activityRegularizer', 'maskZero', 'inputLength', ...ruleKeys(['embeddings'])];

/** inputLength as a list of lengths, if it is one or a list of positive integers. */
function lengths(inputLength: unknown): readonly number[] | undefined {
  const list = typeof inputLength === 'number' ? [inputLength] : inputLength;
  return Array.isArray(list) && list.length > 0 && list.every((n) => Number.isInteger(n) && n > 0) ? list : undefined;
}

/**
 * Ids to vectors: a row of the [inputDim, outputDim] table `embeddings` per id, by gather (its gradient adds the rows
 * of repeated ids, scatterAdd). Ids come as a float tensor holding integers in [0, inputDim), any shape [batch, ...];
 * the output is [batch, ..., outputDim].
 */
export class Embedding extends Layer {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly maskZero: boolean;
  readonly inputLength: number | readonly number[] | undefined;
  /** The embeddings' regularizer and constraint. */
  readonly rules: Readonly<Record<string, WeightRules>>;
  private readonly embeddingsInitializer: WeightSpec;
  private embeddings: Weight | undefined;

  constructor(inputDim: number, outputDim: number, options: EmbeddingOptions = {}) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new ConfigError(`Embedding: options must be an object, got ${describeValue(options)}`);
    }
    super({ ...options, inputShape: options.inputShape ?? lengths(options.inputLength) });
    checkOptionKeys(options, EMBEDDING_OPTIONS, this.name);
    this.inputDim = positiveInt(inputDim, 'inputDim', this.name);
    this.outputDim = positiveInt(outputDim, 'outputDim', this.name);
    this.maskZero = trueOrFalse(options.maskZero ?? false, 'maskZero', this.name);
    this.inputLength = options.inputLength ?? undefined;
    if (this.inputLength !== undefined && lengths(this.inputLength) === undefined) {
      throw new ConfigError(`${this.name}: inputLength must be a positive integer or a list of them, got ${describeValue(this.inputLength)}`);
    }
    this.embeddingsInitializer = options.embeddingsInitializer ?? randomUniform({ minval: -0.05, maxval: 0.05 });
    getInitializer(this.embeddingsInitializer, `${this.name}.embeddingsInitializer`);
    this.rules = weightRules(options, ['embeddings'], this.name);
    this.activityRegularizer = getRegularizer(options.activityRegularizer, `${this.name}.activityRegularizer`);
  }

  protected override build(_inputShape: Shape): void {
    this.embeddings = this.addWeight('embeddings', [this.inputDim, this.outputDim], this.embeddingsInitializer, this.rules.embeddings);
  }

  protected call(ids: Tensor): Tensor {
    this.checkIds(ids);
    return gather((this.embeddings as Weight).value, ids);
  }

  /** With maskZero, a step is real where its id is not 0. */
  override computeMask(ids: Tensor): Tensor | undefined {
    return this.maskZero ? sub(1, equal(ids, 0)) : undefined;
  }

  /** Every id must be an integer in [0, inputDim): the error names the first bad one and where it is. */
  private checkIds(ids: Tensor): void {
    const n = this.inputDim;
    const bad = firstInvalidIndex(ids.storage, n);
    if (bad < 0) return;
    const position = unravelIndex(bad, ids.shape);
    throw new ValueError(`${this.name}: ids must be integers in [0, ${n}) (inputDim ${n}), got ${ids.storage[bad]} at position [${position.join(',')}] of the input`);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), inputDim: this.inputDim, outputDim: this.outputDim, maskZero: this.maskZero,
      embeddingsInitializer: getInitializer(this.embeddingsInitializer, this.name),
      ...(this.inputLength === undefined ? {} : { inputLength: this.inputLength }),
    };
  }
}

markBuiltIn(Embedding);
