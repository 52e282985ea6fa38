import { checkOptionKeys } from '../core/options.ts';
import { Rng, checkSeed } from '../core/random.ts';
import type { CallOptions, LayerOptions } from './layer.ts';
import { Layer } from './layer.ts';

export interface RandomLayerOptions extends LayerOptions {
  /** Fixes this layer's draws; otherwise they come from the step's generator, which the model seeds. */
  seed?: number;
}

/** A layer that draws random numbers in training (Dropout, GaussianNoise): its own seeded generator, or the step's. */
export abstract class RandomLayer extends Layer {
  readonly seed: number | undefined;
  private readonly seededRng: Rng | undefined;

  constructor(options: RandomLayerOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'inputShape', 'seed'], this.name);
    if (options.seed !== undefined) checkSeed(options.seed, this.name);
    this.seed = options.seed;
    this.seededRng = options.seed === undefined ? undefined : new Rng(options.seed);
  }

  /** The generator this call draws from. */
  protected generator(options: CallOptions): Rng | undefined {
    return this.seededRng ?? options.rng;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), seed: this.seed ?? null };
  }
}
