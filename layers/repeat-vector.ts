import { ShapeError, fmtShape } from '../core/errors.ts';
import { expandDims, tile } from '../core/ops/index.ts';
import { checkOptionKeys, positiveInt } from '../core/options.ts';
import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import { markBuiltIn } from './built-in.ts';
import type { LayerOptions } from './layer.ts';
import { Layer } from './layer.ts';

/** Keras's RepeatVector: [batch, features] -> [batch, n, features], each sample repeated n times. */
export class RepeatVector extends Layer {
  readonly n: number;

  constructor(n: number, options: LayerOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'inputShape'], this.name);
    this.n = positiveInt(n, 'n', this.name);
  }

  protected override build(inputShape: Shape): void {
    if (inputShape.length !== 2) throw new ShapeError(`${this.name}: expected input of rank 2 [batch,features], got ${fmtShape(inputShape)}`);
  }

  protected call(x: Tensor): Tensor {
    return tile(expandDims(x, 1), [1, this.n, 1]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), n: this.n };
  }
}

markBuiltIn(RepeatVector);
