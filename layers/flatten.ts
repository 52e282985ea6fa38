import { ShapeError, fmtShape } from '../core/errors.ts';
import { flatten } from '../core/ops/index.ts';
import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import type { LayerOptions } from './layer.ts';
import { Layer } from './layer.ts';
import { checkOptionKeys } from '../core/options.ts';
import { markBuiltIn } from './built-in.ts';

/** [batch, d1, d2, …] -> [batch, d1·d2·…]. */
export class Flatten extends Layer {
  constructor(options: LayerOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'inputShape'], this.name);
  }

  protected override build(inputShape: Shape): void {
    if (inputShape.length < 2) throw new ShapeError(`${this.name}: expected input with a batch axis and at least one more, got ${fmtShape(inputShape)}`);
  }

  protected call(x: Tensor): Tensor {
    return flatten(x, 1);
  }
}

markBuiltIn(Flatten);
