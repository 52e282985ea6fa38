import { ConfigError, ShapeError, describeValue, fmtShape } from '../../core/errors.ts';
import { concat } from '../../core/ops/index.ts';
import { checkOptionKeys } from '../../core/options.ts';
import type { Tensor } from '../../core/tensor.ts';
import { markBuiltIn } from '../built-in.ts';
import type { LayerOptions } from '../layer.ts';
import { MergeLayer } from './merge-layer.ts';
import type { MaskList } from '../mask-flow.ts';
import { ones } from '../../core/creation.ts';

export interface ConcatenateOptions extends Pick<LayerOptions, 'name' | 'trainable'> {
  /** The axis to join along, counting the batch axis as 0; negative counts from the end. Keras's default is −1. */
  axis?: number;
}

/** Joins the inputs along `axis`; every other axis must agree. */
export class Concatenate extends MergeLayer {
  readonly axis: number;

  constructor(options: ConcatenateOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'axis'], this.name);
    const { axis = -1 } = options;
    if (!Number.isInteger(axis) || axis === 0) {
      throw new ConfigError(`${this.name}: axis must be a nonzero integer (axis 0 is the batch), got ${describeValue(axis)}`);
    }
    this.axis = axis;
  }

  /** The axis as a non-negative index for inputs of `rank`. */
  private axisFor(rank: number): number {
    const axis = this.axis < 0 ? rank + this.axis : this.axis;
    if (axis <= 0 || axis >= rank) throw new ShapeError(`${this.name}: axis ${this.axis} is out of range for inputs of rank ${rank} (the batch axis cannot be joined)`);
    return axis;
  }

  protected override checkShapes(shapes: readonly (readonly number[])[]): void {
    const axis = this.axisFor(shapes[0].length);
    const other = shapes.findIndex((s) => s.length !== shapes[0].length || s.some((d, i) => i !== axis && d !== shapes[0][i]));
    if (other >= 0) {
      throw new ShapeError(`${this.name}: expected inputs that agree on every axis but ${this.axis}, got ${fmtShape(shapes[0])} (input 0) and ${fmtShape(shapes[other])} (input ${other})`);
    }
  }

  /** Joined along the time axis (1), the masks join too, a missing one counting as all real; otherwise they combine as in every merge. */
  override mergeMasks(inputs: readonly Tensor[], masks: MaskList): Tensor | undefined {
    if (inputs[0].rank < 3 || this.axisFor(inputs[0].rank) !== 1) return super.mergeMasks(inputs, masks);
    const dtype = (masks.find((m) => m !== undefined) as Tensor).dtype;
    return concat(masks.map((m, i) => m ?? ones(inputs[i].shape.slice(0, 2), dtype)), 1);
  }

  protected merge(inputs: readonly Tensor[]): Tensor {
    return concat(inputs, this.axisFor(inputs[0].rank));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

markBuiltIn(Concatenate);
