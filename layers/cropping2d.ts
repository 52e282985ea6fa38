import { ShapeError, fmtShape } from '../core/errors.ts';
import { slice } from '../core/ops/index.ts';
import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import { checkOptionKeys } from '../core/options.ts';
import { markBuiltIn } from './built-in.ts';
import type { LayerOptions } from './layer.ts';
import { Layer } from './layer.ts';
import type { EdgePairs } from './spatial.ts';
import { checkImageInput, edgePairs } from './spatial.ts';

/** Removes rows and columns at the edges of an image batch: cropping n, [h, w] or [[top, bottom], [left, right]]; 0 by default. */
export class Cropping2D extends Layer {
  readonly cropping: EdgePairs;

  constructor(cropping: number | readonly [number, number] | EdgePairs = 0, options: LayerOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'inputShape'], this.name);
    this.cropping = edgePairs(cropping, 'cropping', this.name);
  }

  protected override build(inputShape: Shape): void {
    checkImageInput(inputShape, this.name);
    const [[top, bottom], [left, right]] = this.cropping;
    if (top + bottom >= inputShape[1] || left + right >= inputShape[2]) {
      throw new ShapeError(`${this.name}: cropping [[${top},${bottom}],[${left},${right}]] leaves nothing of input ${fmtShape(inputShape)}`);
    }
  }

  protected call(x: Tensor): Tensor {
    const [n, h, w, c] = x.shape;
    const [[top, bottom], [left, right]] = this.cropping;
    return slice(x, [0, top, left, 0], [n, h - top - bottom, w - left - right, c]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cropping: this.cropping };
  }
}

markBuiltIn(Cropping2D);
