import { expand, reshape } from '../core/ops/index.ts';
import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import type { Pair } from '../core/options.ts';
import { checkOptionKeys, oneOf, positivePair } from '../core/options.ts';
import { markBuiltIn } from './built-in.ts';
import type { LayerOptions } from './layer.ts';
import { Layer } from './layer.ts';
import { checkImageInput } from './spatial.ts';

export interface UpSampling2DOptions extends LayerOptions {
  /** 'nearest' only (Keras's default); 'bilinear' is not implemented. */
  interpolation?: 'nearest';
}

/** Repeats each pixel size[0] times down and size[1] times across (nearest neighbour); size 2 by default. */
export class UpSampling2D extends Layer {
  readonly size: Pair;
  readonly interpolation: 'nearest';

  constructor(size: number | Pair = 2, options: UpSampling2DOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'inputShape', 'interpolation'], this.name);
    this.size = positivePair(size, 'size', this.name);
    this.interpolation = oneOf(options.interpolation ?? 'nearest', ['nearest'] as const, 'interpolation', this.name);
  }

  protected override build(inputShape: Shape): void {
    checkImageInput(inputShape, this.name);
  }

  /** [n,h,w,c] viewed as [n,h,1,w,1,c], broadcast to [n,h,sh,w,sw,c], read as [n,h·sh,w·sw,c]. */
  protected call(x: Tensor): Tensor {
    const [n, h, w, c] = x.shape;
    const [sh, sw] = this.size;
    return reshape(expand(reshape(x, [n, h, 1, w, 1, c]), [n, h, sh, w, sw, c]), [n, h * sh, w * sw, c]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), size: this.size, interpolation: this.interpolation };
  }
}

markBuiltIn(UpSampling2D);
