import { ValueError, describeValue } from '../core/errors.ts';
import { mean, variance } from '../core/ops/index.ts';
import { checkOptionKeys, trueOrFalse } from '../core/options.ts';
import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import { markBuiltIn } from './built-in.ts';
import { getInitializer } from './initializers.ts';
import type { LayerOptions, Weight, WeightSpec } from './layer.ts';
import { Layer } from './layer.ts';
import { keptShape, normalize, resolveAxes } from './normalize.ts';

export interface LayerNormalizationOptions extends LayerOptions {
  /** The axis or axes normalized over, per sample. Default -1. */
  axis?: number | readonly number[];
  /** Added to the variance before the square root. Default 1e-3. */
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: WeightSpec;
  gammaInitializer?: WeightSpec;
}

const OPTIONS = ['name', 'trainable', 'inputShape', 'axis', 'epsilon', 'center', 'scale', 'betaInitializer', 'gammaInitializer'] as const;

/**
 * Keras's LayerNormalization: per sample, gamma · (x - mean) / √(variance + epsilon) + beta, with the mean and
 * population variance over `axis`; gamma and beta have the shape of those axes. The same in training and inference.
 */
export class LayerNormalization extends Layer {
  /** Per step (elementwise, or over the last axis), so a sequence's mask passes through, as in Keras. */
  override supportsMasking = true;

  readonly axis: number | readonly number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private readonly betaInitializer: WeightSpec;
  private readonly gammaInitializer: WeightSpec;
  private gamma: Weight | undefined;
  private beta: Weight | undefined;
  private axes: number[] = [];

  constructor(options: LayerNormalizationOptions = {}) {
    super(options);
    checkOptionKeys(options, OPTIONS, this.name);
    const { axis = -1, epsilon = 1e-3 } = options;
    const list = typeof axis === 'number' ? [axis] : axis;
    if (!Array.isArray(list) || list.length === 0 || !list.every((a) => Number.isInteger(a))) {
      throw new ValueError(`${this.name}: axis must be an integer or a non-empty list of integers, got ${describeValue(axis)}`);
    }
    if (typeof epsilon !== 'number' || !(epsilon > 0 && Number.isFinite(epsilon))) throw new ValueError(`${this.name}: epsilon must be a positive number, got ${describeValue(epsilon)}`);
    this.axis = typeof axis === 'number' ? axis : Object.freeze([...axis]);
    this.epsilon = epsilon;
    this.center = trueOrFalse(options.center ?? true, 'center', this.name);
    this.scale = trueOrFalse(options.scale ?? true, 'scale', this.name);
    this.betaInitializer = options.betaInitializer ?? 'zeros';
    this.gammaInitializer = options.gammaInitializer ?? 'ones';
    getInitializer(this.betaInitializer, `${this.name}.betaInitializer`);
    getInitializer(this.gammaInitializer, `${this.name}.gammaInitializer`);
  }

  protected override build(inputShape: Shape): void {
    this.axes = resolveAxes(typeof this.axis === 'number' ? [this.axis] : this.axis, inputShape.length, this.name);
    const shape = this.axes.map((a) => inputShape[a]);
    if (this.scale) this.gamma = this.addWeight('gamma', shape, this.gammaInitializer);
    if (this.center) this.beta = this.addWeight('beta', shape, this.betaInitializer);
  }

  protected call(x: Tensor): Tensor {
    return normalize(x, mean(x, this.axes, true), variance(x, this.axes, true), this.epsilon, keptShape(x.shape, this.axes), this.gamma, this.beta);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), axis: this.axis, epsilon: this.epsilon, center: this.center, scale: this.scale,
      betaInitializer: getInitializer(this.betaInitializer, this.name), gammaInitializer: getInitializer(this.gammaInitializer, this.name),
    };
  }
}

markBuiltIn(LayerNormalization);
