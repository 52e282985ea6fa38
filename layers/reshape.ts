import { ShapeError, ValueError, describeValue, fmtShape } from '../core/errors.ts';
import { reshape } from '../core/ops/index.ts';
import { checkOptionKeys } from '../core/options.ts';
import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import { markBuiltIn } from './built-in.ts';
import type { LayerOptions } from './layer.ts';
import { Layer } from './layer.ts';

/** Keras's Reshape: each sample to targetShape (without the batch axis); one entry may be -1, inferred from the size. */
export class Reshape extends Layer {
  readonly targetShape: readonly number[];
  private resolved: number[] = [];

  constructor(targetShape: readonly number[], options: LayerOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'inputShape'], this.name);
    if (!Array.isArray(targetShape) || targetShape.some((d) => !Number.isInteger(d) || (d <= 0 && d !== -1)) || targetShape.filter((d) => d === -1).length > 1) {
      throw new ValueError(`${this.name}: targetShape must be positive integers, one of them possibly -1, without the batch axis, got ${describeValue(targetShape)}`);
    }
    this.targetShape = Object.freeze([...targetShape]);
  }

  protected override build(inputShape: Shape): void {
    const size = inputShape.slice(1).reduce((n, d) => n * d, 1);
    const known = this.targetShape.reduce((n, d) => (d === -1 ? n : n * d), 1);
    const inferred = size / known;
    if (this.targetShape.includes(-1) ? !Number.isInteger(inferred) : known !== size) {
      throw new ShapeError(`${this.name}: cannot reshape samples of shape ${fmtShape(inputShape.slice(1))} (${size} values) to ${fmtShape(this.targetShape)}`);
    }
    this.resolved = this.targetShape.map((d) => (d === -1 ? inferred : d));
  }

  protected call(x: Tensor): Tensor {
    return reshape(x, [x.shape[0], ...this.resolved]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), targetShape: this.targetShape };
  }
}

markBuiltIn(Reshape);
