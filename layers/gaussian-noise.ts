import { randomNormal } from '../core/creation.ts';
import { ValueError, describeValue } from '../core/errors.ts';
import { add } from '../core/ops/index.ts';
import { checkOptionKeys } from '../core/options.ts';
import { Rng, checkSeed } from '../core/random.ts';
import type { Tensor } from '../core/tensor.ts';
import { markBuiltIn } from './built-in.ts';
import type { CallOptions, LayerOptions } from './layer.ts';
import { Layer } from './layer.ts';

export interface GaussianNoiseOptions extends LayerOptions {
  /** Fixes this layer's noise; otherwise it comes from the step's generator, which the model seeds. */
  seed?: number;
}

/** Keras's GaussianNoise: in training, x plus zero-mean normal noise of standard deviation stddev; otherwise the identity. */
export class GaussianNoise extends Layer {
  readonly stddev: number;
  readonly seed: number | undefined;
  private readonly seededRng: Rng | undefined;

  constructor(stddev: number, options: GaussianNoiseOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'inputShape', 'seed'], this.name);
    if (typeof stddev !== 'number' || !(stddev >= 0 && Number.isFinite(stddev))) {
      throw new ValueError(`${this.name}: stddev must be a finite number >= 0, got ${describeValue(stddev)}`);
    }
    if (options.seed !== undefined) checkSeed(options.seed, this.name);
    this.stddev = stddev;
    this.seed = options.seed;
    this.seededRng = options.seed === undefined ? undefined : new Rng(options.seed);
  }

  protected call(x: Tensor, options: CallOptions): Tensor {
    if (!options.training || this.stddev === 0) return x;
    return add(x, randomNormal(x.shape, { seed: this.seededRng ?? options.rng, stddev: this.stddev, dtype: x.dtype }));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), stddev: this.stddev, seed: this.seed ?? null };
  }
}

markBuiltIn(GaussianNoise);
