import type { Padding, PaddingName } from '../core/ops/index.ts';
import { paddingOf } from '../core/ops/window.ts';
import { maxPool2d } from '../core/ops/index.ts';
import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import type { LayerOptions } from './layer.ts';
import { Layer } from './layer.ts';
import type { Pair } from '../core/options.ts';
import { checkOptionKeys, positivePair } from '../core/options.ts';
import { checkImageInput, windowOutputSize } from './spatial.ts';
import { markBuiltIn } from './built-in.ts';

export interface MaxPooling2DOptions extends LayerOptions {
  /** Defaults to poolSize. */
  strides?: number | Pair;
  padding?: PaddingName;
}

const POOL_OPTIONS = ['name', 'trainable', 'inputShape', 'strides', 'padding'] as const;

/**
 * The maximum of each poolSize window, channels-last. Where several elements of a window tie for the maximum, the
 * gradient is split equally among them (each gets g/k); PyTorch and TF give it all to one of them. Both are valid
 * subgradients; the split one does not depend on the scan order and is what max and reduce-max do everywhere here.
 */
export class MaxPooling2D extends Layer {
  readonly poolSize: Pair;
  readonly strides: Pair;
  readonly padding: Padding;

  constructor(poolSize: number | Pair = 2, options: MaxPooling2DOptions = {}) {
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

  protected call(x: Tensor): Tensor {
    return maxPool2d(x, { poolSize: this.poolSize, strides: this.strides, padding: this.padding });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }
}

markBuiltIn(MaxPooling2D);
