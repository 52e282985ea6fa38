import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import { markBuiltIn } from './built-in.ts';
import { Dropout } from './dropout.ts';
import { checkImageInput } from './spatial.ts';

/**
 * Keras's SpatialDropout2D, channels-last: in training, drops whole feature maps (one draw per sample and channel)
 * with probability `rate` and scales the rest by 1 / (1 - rate); otherwise the identity.
 */
export class SpatialDropout2D extends Dropout {
  protected override build(inputShape: Shape): void {
    checkImageInput(inputShape, this.name);
  }

  protected override noiseShape(x: Tensor): readonly number[] {
    return [x.shape[0], 1, 1, x.shape[3]];
  }
}

markBuiltIn(SpatialDropout2D);
