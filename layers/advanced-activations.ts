import { ConfigError, ValueError, describeValue } from '../core/errors.ts';
import { leakyRelu, less, minimum, mul, softmax, stopGradient, sub, where } from '../core/ops/index.ts';
import { checkOptionKeys } from '../core/options.ts';
import type { Tensor } from '../core/tensor.ts';
import { markBuiltIn } from './built-in.ts';
import type { LayerOptions } from './layer.ts';
import { Layer } from './layer.ts';

// Keras's activation layers with arguments. Like the activation functions, their kinks get gradient 0 from the
// linear piece below (relu at 0), and a clip at maxValue gradient 0.

const ACTIVATION_OPTIONS = ['name', 'trainable', 'inputShape'] as const;

function finite(value: unknown, name: string, where: string, min = -Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new ValueError(`${where}: ${name} must be a finite number${min > -Infinity ? ` >= ${min}` : ''}, got ${describeValue(value)}`);
  }
  return value;
}

export interface LeakyReLUOptions extends LayerOptions {
  /** The slope below 0. Default 0.3, as Keras's and tfjs's layer (the leakyRelu op defaults to 0.2). */
  alpha?: number;
}

/** x for x > 0, alpha·x otherwise. */
export class LeakyReLU extends Layer {
  /** Per step (elementwise, or over the last axis), so a sequence's mask passes through, as in Keras. */
  override supportsMasking = true;

  readonly alpha: number;

  constructor(options: LeakyReLUOptions = {}) {
    super(options);
    checkOptionKeys(options, [...ACTIVATION_OPTIONS, 'alpha'], this.name);
    this.alpha = finite(options.alpha ?? 0.3, 'alpha', this.name);
  }

  protected call(x: Tensor): Tensor {
    return leakyRelu(x, this.alpha);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

export interface ReLUOptions extends LayerOptions {
  /** The output is clipped at maxValue (>= 0). Default none. */
  maxValue?: number | null;
  /** The slope below threshold. Default 0. */
  negativeSlope?: number;
  /** Default 0. */
  threshold?: number;
}

/** Keras's ReLU: x for x > threshold, negativeSlope·(x - threshold) otherwise, then min(·, maxValue). */
export class ReLU extends Layer {
  /** Per step (elementwise, or over the last axis), so a sequence's mask passes through, as in Keras. */
  override supportsMasking = true;

  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(options: ReLUOptions = {}) {
    super(options);
    checkOptionKeys(options, [...ACTIVATION_OPTIONS, 'maxValue', 'negativeSlope', 'threshold'], this.name);
    const { maxValue = null } = options;
    this.maxValue = maxValue === null ? null : finite(maxValue, 'maxValue', this.name, 0);
    this.negativeSlope = finite(options.negativeSlope ?? 0, 'negativeSlope', this.name, 0);
    this.threshold = finite(options.threshold ?? 0, 'threshold', this.name);
  }

  protected call(x: Tensor): Tensor {
    const y = where(less(this.threshold, x), x, mul(sub(x, this.threshold), this.negativeSlope));
    return this.maxValue === null ? y : where(less(y, this.maxValue), y, stopGradient(minimum(y, this.maxValue)));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maxValue: this.maxValue, negativeSlope: this.negativeSlope, threshold: this.threshold };
  }
}

export interface SoftmaxOptions extends LayerOptions {
  /** Default -1. */
  axis?: number;
}

/** exp(x) / Σ exp(x) along axis. */
export class Softmax extends Layer {
  /** Per step (elementwise, or over the last axis), so a sequence's mask passes through, as in Keras. */
  override supportsMasking = true;

  readonly axis: number;

  constructor(options: SoftmaxOptions = {}) {
    super(options);
    checkOptionKeys(options, [...ACTIVATION_OPTIONS, 'axis'], this.name);
    const { axis = -1 } = options;
    if (!Number.isInteger(axis)) throw new ConfigError(`${this.name}: axis must be an integer, got ${describeValue(axis)}`);
    this.axis = axis;
  }

  protected call(x: Tensor): Tensor {
    return softmax(x, this.axis);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

markBuiltIn(LeakyReLU);
markBuiltIn(ReLU);
markBuiltIn(Softmax);
