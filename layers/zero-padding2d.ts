import { pad } from '../core/ops/index.ts';
import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import { checkOptionKeys } from '../core/options.ts';
import { markBuiltIn } from './built-in.ts';
import type { LayerOptions } from './layer.ts';
import { Layer } from './layer.ts';
import type { EdgePairs } from './spatial.ts';
import { checkImageInput, edgePairs } from './spatial.ts';

/** Zeros around an image batch [batch,height,width,channels]: padding n, [h, w] or [[top, bottom], [left, right]]; 1 by default. */
export class ZeroPadding2D extends Layer {
  readonly padding: EdgePairs;

  constructor(padding: number | readonly [number, number] | EdgePairs = 1, options: LayerOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'inputShape'], this.name);
    this.padding = edgePairs(padding, 'padding', this.name);
  }

  protected override build(inputShape: Shape): void {
    checkImageInput(inputShape, this.name);
  }

  protected call(x: Tensor): Tensor {
    return pad(x, [[0, 0], this.padding[0], this.padding[1], [0, 0]]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), padding: this.padding };
  }
}

markBuiltIn(ZeroPadding2D);
