import type { Padding, PaddingName } from '../core/ops/index.ts';
import { paddingOf } from '../core/ops/window.ts';
import type { Shape } from '../core/shape.ts';
import type { LayerOptions } from './layer.ts';
import { Layer } from './layer.ts';
import type { Pair } from '../core/options.ts';
import { checkOptionKeys, positivePair } from '../core/options.ts';
import { checkImageInput, windowOutputSize } from './spatial.ts';

export interface Pooling2DOptions extends LayerOptions {
  /** Defaults to poolSize. */
  strides?: number | Pair;
  padding?: PaddingName;
}

const POOL_OPTIONS = ['name', 'trainable', 'inputShape', 'strides', 'padding'] as const;

/** What MaxPooling2D and AveragePooling2D share: Keras's poolSize (default 2), strides and padding, channels-last. */
export abstract class Pooling2D extends Layer {
  readonly poolSize: Pair;
  readonly strides: Pair;
  readonly padding: Padding;

  constructor(poolSize: number | Pair = 2, options: Pooling2DOptions = {}) {
    super(options);
    checkOptionKeys(options, POOL_OPTIONS, this.name);
    this.poolSize = positivePair(poolSize, 'poolSize', this.name);
    this.strides = positivePair(options.strides ?? this.poolSize, 'strides', this.name);
    this.padding = paddingOf(options.padding ?? 'valid', this.name);
  }

  protected override build(inputShape: Shape): void {
    checkImageInput(inputShape, this.name);
    windowOutputSize(inputShape, this.poolSize, this.strides, this.padding, this.name);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }
}
