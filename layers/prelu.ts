import { ConfigError, describeValue } from '../core/errors.ts';
import { less, mul, where } from '../core/ops/index.ts';
import { checkOptionKeys } from '../core/options.ts';
import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import { markBuiltIn } from './built-in.ts';
import { getInitializer } from './initializers.ts';
import type { LayerOptions, Weight, WeightSpec } from './layer.ts';
import { Layer } from './layer.ts';

export interface PReLUOptions extends LayerOptions {
  /** Default 'zeros'. */
  alphaInitializer?: WeightSpec;
  /** Axes (the batch axis is 0) along which one alpha is shared, like [1, 2] for one alpha per channel of an image. */
  sharedAxes?: number | readonly number[] | null;
}

/** Keras's PReLU: x for x > 0, alpha·x otherwise, with a learned alpha per sample position (size 1 on sharedAxes). */
export class PReLU extends Layer {
  /** Per step (elementwise, or over the last axis), so a sequence's mask passes through, as in Keras. */
  override supportsMasking = true;

  readonly sharedAxes: readonly number[] | null;
  private readonly alphaInitializer: WeightSpec;
  private alpha: Weight | undefined;

  constructor(options: PReLUOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'inputShape', 'alphaInitializer', 'sharedAxes'], this.name);
    const { sharedAxes = null } = options;
    const axes = typeof sharedAxes === 'number' ? [sharedAxes] : sharedAxes;
    if (axes !== null && (!Array.isArray(axes) || !axes.every((a) => Number.isInteger(a) && a >= 1))) {
      throw new ConfigError(`${this.name}: sharedAxes must be axes >= 1 (0 is the batch), or null, got ${describeValue(sharedAxes)}`);
    }
    this.sharedAxes = axes === null ? null : Object.freeze([...axes]);
    this.alphaInitializer = options.alphaInitializer ?? 'zeros';
    getInitializer(this.alphaInitializer, `${this.name}.alphaInitializer`);
  }

  protected override build(inputShape: Shape): void {
    const shared = this.sharedAxes ?? [];
    const outside = shared.find((a) => a >= inputShape.length);
    if (outside !== undefined) throw new ConfigError(`${this.name}: sharedAxes has axis ${outside}, but the input ${describeValue(inputShape)} has rank ${inputShape.length}`);
    this.alpha = this.addWeight('alpha', inputShape.slice(1).map((d, i) => (shared.includes(i + 1) ? 1 : d)), this.alphaInitializer);
  }

  protected call(x: Tensor): Tensor {
    return where(less(0, x), x, mul(x, (this.alpha as Weight).value));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alphaInitializer: getInitializer(this.alphaInitializer, this.name), sharedAxes: this.sharedAxes };
  }
}

markBuiltIn(PReLU);
