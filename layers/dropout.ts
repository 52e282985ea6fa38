import { randomUniform } from '../core/creation.ts';
import { ValueError, describeValue } from '../core/errors.ts';
import { div, less, mul } from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import type { CallOptions } from './layer.ts';
import type { RandomLayerOptions } from './random-layer.ts';
import { RandomLayer } from './random-layer.ts';
import { markBuiltIn } from './built-in.ts';

export type DropoutOptions = RandomLayerOptions;

/** In training, zeroes each value with probability `rate` and scales the rest by 1 / (1 - rate); otherwise the identity. */
export class Dropout extends RandomLayer {
  /** Per step (elementwise, or over the last axis), so a sequence's mask passes through, as in Keras. */
  override supportsMasking = true;

  readonly rate: number;

  constructor(rate: number, options: DropoutOptions = {}) {
    super(options);
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new ValueError(`${this.name}: rate must be a number in [0, 1), got ${describeValue(rate)}`);
    }
    this.rate = rate;
  }

  protected call(x: Tensor, options: CallOptions): Tensor {
    if (!options.training || this.rate === 0) return x;
    const draws = randomUniform(this.noiseShape(x), { seed: this.generator(options), dtype: x.dtype });
    return div(mul(x, less(this.rate, draws)), 1 - this.rate);
  }

  /** The shape of the mask, broadcast over x: one draw per value here. */
  protected noiseShape(x: Tensor): readonly number[] {
    return x.shape;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate };
  }
}

markBuiltIn(Dropout);
