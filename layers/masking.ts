import { ConfigError, ShapeError, describeValue, fmtShape } from '../core/errors.ts';
import { equal, expandDims, max, mul, sub } from '../core/ops/index.ts';
import { checkOptionKeys } from '../core/options.ts';
import type { Tensor } from '../core/tensor.ts';
import { markBuiltIn } from './built-in.ts';
import type { LayerOptions } from './layer.ts';
import { Layer } from './layer.ts';

export interface MaskingOptions extends LayerOptions {
  /** A step whose features all equal it is padding. Keras's default is 0. */
  maskValue?: number;
}

/**
 * Marks padded time steps of [batch, time, ...features]: a step is real when any of its features differs from
 * maskValue. The output is the input with padded steps zeroed, and carries the mask [batch, time] to the next layers.
 */
export class Masking extends Layer {
  override supportsMasking = true;
  readonly maskValue: number;

  constructor(options: MaskingOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'inputShape', 'maskValue'], this.name);
    const { maskValue = 0 } = options;
    if (typeof maskValue !== 'number' || Number.isNaN(maskValue)) throw new ConfigError(`${this.name}: maskValue must be a number, got ${describeValue(maskValue)}`);
    this.maskValue = maskValue;
  }

  protected call(x: Tensor): Tensor {
    return mul(x, expandDims(this.stepMask(x), -1));
  }

  /** The steps' own mask; a mask from before is replaced, as in Keras. */
  override computeMask(x: Tensor): Tensor {
    return this.stepMask(x);
  }

  /** 1 where any feature of the step differs from maskValue: [batch, time]. */
  private stepMask(x: Tensor): Tensor {
    if (x.rank < 3) throw new ShapeError(`${this.name}: expected input [batch,time,features], got ${fmtShape(x.shape)}`);
    const differs = sub(1, equal(x, this.maskValue));
    return max(differs, Array.from({ length: x.rank - 2 }, (_, i) => i + 2));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maskValue: this.maskValue };
  }
}

markBuiltIn(Masking);
