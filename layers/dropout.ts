import { randomUniform } from '../core/creation.ts';
import { ValueError, describeValue } from '../core/errors.ts';
import { div, less, mul } from '../core/ops/index.ts';
import { Rng, checkSeed } from '../core/random.ts';
import type { Tensor } from '../core/tensor.ts';
import type { CallOptions, LayerOptions } from './layer.ts';
import { Layer } from './layer.ts';
import { checkOptionKeys } from '../core/options.ts';
import { markBuiltIn } from './built-in.ts';

export interface DropoutOptions extends LayerOptions {
  /** Fixes this layer's masks; otherwise they come from the step's generator, which the model seeds. */
  seed?: number;
}

/** In training, zeroes each value with probability `rate` and scales the rest by 1 / (1 - rate); otherwise the identity. */
export class Dropout extends Layer {
  readonly rate: number;
  readonly seed: number | undefined;
  private readonly seededRng: Rng | undefined;

  constructor(rate: number, options: DropoutOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'inputShape', 'seed'], this.name);
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new ValueError(`${this.name}: rate must be a number in [0, 1), got ${describeValue(rate)}`);
    }
    if (options.seed !== undefined) checkSeed(options.seed, this.name);
    this.rate = rate;
    this.seed = options.seed;
    this.seededRng = options.seed === undefined ? undefined : new Rng(options.seed);
  }

  protected call(x: Tensor, options: CallOptions): Tensor {
    if (!options.training || this.rate === 0) return x;
    const draws = randomUniform(this.noiseShape(x), { seed: this.seededRng ?? options.rng, dtype: x.dtype });
    return div(mul(x, less(this.rate, draws)), 1 - this.rate);
  }

  /** The shape of the mask, broadcast over x: one draw per value here. */
  protected noiseShape(x: Tensor): readonly number[] {
    return x.shape;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed ?? null };
  }
}

markBuiltIn(Dropout);
