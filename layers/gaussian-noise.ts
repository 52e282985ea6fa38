import { randomNormal } from '../core/creation.ts';
import { ValueError, describeValue } from '../core/errors.ts';
import { add } from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import { markBuiltIn } from './built-in.ts';
import type { CallOptions } from './layer.ts';
import type { RandomLayerOptions } from './random-layer.ts';
import { RandomLayer } from './random-layer.ts';

export type GaussianNoiseOptions = RandomLayerOptions;

/** Keras's GaussianNoise: in training, x plus zero-mean normal noise of standard deviation stddev; otherwise the identity. */
export class GaussianNoise extends RandomLayer {
  /** Per step (elementwise, or over the last axis), so a sequence's mask passes through, as in Keras. */
  override supportsMasking = true;

  readonly stddev: number;

  constructor(stddev: number, options: GaussianNoiseOptions = {}) {
    super(options);
    if (typeof stddev !== 'number' || !(stddev >= 0 && Number.isFinite(stddev))) {
      throw new ValueError(`${this.name}: stddev must be a finite number >= 0, got ${describeValue(stddev)}`);
    }
    this.stddev = stddev;
  }

  protected call(x: Tensor, options: CallOptions): Tensor {
    if (!options.training || this.stddev === 0) return x;
    return add(x, randomNormal(x.shape, { seed: this.generator(options), stddev: this.stddev, dtype: x.dtype }));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), stddev: this.stddev };
  }
}

markBuiltIn(GaussianNoise);
