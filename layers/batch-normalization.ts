import { userCode } from '../core/buffer-scope.ts';
import { ValueError, describeValue } from '../core/errors.ts';
import { add, div, mul, neg, reciprocal, reshape, sqrt, sum } from '../core/ops/index.ts';
import { checkOptionKeys, trueOrFalse } from '../core/options.ts';
import type { Shape } from '../core/shape.ts';
import { sizeOf } from '../core/shape.ts';
import { noGrad } from '../core/tape.ts';
import type { Tensor } from '../core/tensor.ts';
import { markBuiltIn } from './built-in.ts';
import { getInitializer } from './initializers.ts';
import type { CallOptions, LayerOptions, Weight, WeightSpec } from './layer.ts';
import { Layer } from './layer.ts';
import { keptShape, resolveAxes } from './normalize.ts';

export interface BatchNormalizationOptions extends LayerOptions {
  /** The feature axis, kept; every other axis is averaged over. Default -1 (channels last). */
  axis?: number;
  /** How much of the moving statistics each training step keeps. Default 0.99. */
  momentum?: number;
  /** Added to the variance before the square root. Default 1e-3. */
  epsilon?: number;
  /** Add the learned offset beta. Default true. */
  center?: boolean;
  /** Multiply by the learned scale gamma. Default true. */
  scale?: boolean;
  betaInitializer?: WeightSpec;
  gammaInitializer?: WeightSpec;
  movingMeanInitializer?: WeightSpec;
  movingVarianceInitializer?: WeightSpec;
}

type InitializerKey = 'beta' | 'gamma' | 'movingMean' | 'movingVariance';

const OPTIONS = [
  'name', 'trainable', 'inputShape', 'axis', 'momentum', 'epsilon', 'center', 'scale',
  'betaInitializer', 'gammaInitializer', 'movingMeanInitializer', 'movingVarianceInitializer',
] as const;

/**
 * Keras's BatchNormalization: gamma · (x - m) / √(v + epsilon) + beta per feature. In a training step (m, v) are
 * the batch's mean and population variance over every axis but `axis`, and the moving statistics become
 * moving · momentum + batch · (1 - momentum); otherwise (m, v) are the moving statistics. A frozen layer
 * (trainable false) always uses the moving statistics, as in Keras 2.1+.
 */
export class BatchNormalization extends Layer {
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private readonly initializers: Readonly<Record<InitializerKey, WeightSpec>>;
  private gamma: Weight | undefined;
  private beta: Weight | undefined;
  private movingMean: Weight | undefined;
  private movingVariance: Weight | undefined;
  private featureAxis = -1;

  constructor(options: BatchNormalizationOptions = {}) {
    super(options);
    checkOptionKeys(options, OPTIONS, this.name);
    const { axis = -1, momentum = 0.99, epsilon = 1e-3 } = options;
    if (!Number.isInteger(axis)) throw new ValueError(`${this.name}: axis must be an integer, got ${describeValue(axis)}`);
    if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) throw new ValueError(`${this.name}: momentum must be a number in [0, 1], got ${describeValue(momentum)}`);
    if (typeof epsilon !== 'number' || !(epsilon > 0 && Number.isFinite(epsilon))) throw new ValueError(`${this.name}: epsilon must be a positive number, got ${describeValue(epsilon)}`);
    this.axis = axis;
    this.momentum = momentum;
    this.epsilon = epsilon;
    this.center = trueOrFalse(options.center ?? true, 'center', this.name);
    this.scale = trueOrFalse(options.scale ?? true, 'scale', this.name);
    this.initializers = {
      beta: options.betaInitializer ?? 'zeros', gamma: options.gammaInitializer ?? 'ones',
      movingMean: options.movingMeanInitializer ?? 'zeros', movingVariance: options.movingVarianceInitializer ?? 'ones',
    };
    for (const [key, spec] of Object.entries(this.initializers)) getInitializer(spec, `${this.name}.${key}Initializer`);
  }

  protected override build(inputShape: Shape): void {
    [this.featureAxis] = resolveAxes([this.axis], inputShape.length, this.name);
    const features = [inputShape[this.featureAxis]];
    if (this.scale) this.gamma = this.addWeight('gamma', features, this.initializers.gamma);
    if (this.center) this.beta = this.addWeight('beta', features, this.initializers.beta);
    this.movingMean = this.addWeight('moving_mean', features, this.initializers.movingMean, { trainable: false });
    this.movingVariance = this.addWeight('moving_variance', features, this.initializers.movingVariance, { trainable: false });
  }

  protected call(x: Tensor, options: CallOptions): Tensor {
    const broadcast = keptShape(x.shape, [this.featureAxis]);
    const movingMean = this.movingMean as Weight;
    const movingVariance = this.movingVariance as Weight;
    if (!options.training || !this.trainable) {
      // x·s + (beta − mean·s) with s = gamma / √(variance + epsilon): the per-feature work is done before broadcasting.
      const mu = reshape(movingMean.value, broadcast);
      const s = this.scaleOf(reshape(movingVariance.value, broadcast), broadcast);
      return this.shifted(mul(x, s), broadcast, neg(mul(mu, s)));
    }
    const axes = x.shape.flatMap((_, i) => (i === this.featureAxis ? [] : [i]));
    const count = sizeOf(axes.map((a) => x.shape[a]));
    // d = x − mean, variance = Σd² / count (two passes, as variance() does), y = d·s + beta: each step with the fewest
    // full-size tensors, since a training step's elementwise work over the feature maps is most of BN's cost.
    const batchMean = div(sum(x, axes, true), count);
    const centered = add(x, neg(batchMean));
    const batchVariance = div(sum(mul(centered, centered), axes, true), count);
    this.updateMoving(movingMean, batchMean);
    this.updateMoving(movingVariance, batchVariance);
    return this.shifted(mul(centered, this.scaleOf(batchVariance, broadcast)), broadcast);
  }

  /** gamma / √(variance + epsilon), per feature. */
  private scaleOf(variance: Tensor, broadcast: readonly number[]): Tensor {
    const inverse = reciprocal(sqrt(add(variance, this.epsilon)));
    return this.gamma === undefined ? inverse : mul(inverse, reshape(this.gamma.value, broadcast));
  }

  /** y + beta, or y + offset + beta; offset and beta are per feature and added together before they broadcast. */
  private shifted(y: Tensor, broadcast: readonly number[], offset?: Tensor): Tensor {
    const beta = this.beta === undefined ? undefined : reshape(this.beta.value, broadcast);
    const total = offset === undefined ? beta : beta === undefined ? offset : add(offset, beta);
    return total === undefined ? y : add(y, total);
  }

  /** moving · momentum + batch · (1 - momentum), off the tape and outside the buffer pool, since the layer keeps it. */
  private updateMoving(moving: Weight, batch: Tensor): void {
    const next = noGrad(() => userCode([batch], () => add(mul(moving.value, this.momentum), mul(reshape(batch, moving.shape), 1 - this.momentum))));
    moving.assign(next);
  }

  override getConfig(): Record<string, unknown> {
    const init = (key: InitializerKey) => getInitializer(this.initializers[key], this.name);
    return {
      ...super.getConfig(), axis: this.axis, momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale,
      betaInitializer: init('beta'), gammaInitializer: init('gamma'), movingMeanInitializer: init('movingMean'), movingVarianceInitializer: init('movingVariance'),
    };
  }
}

markBuiltIn(BatchNormalization);
