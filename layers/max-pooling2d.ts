import { maxPool2d } from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import type { Pooling2DOptions } from './pooling2d.ts';
import { Pooling2D } from './pooling2d.ts';
import { markBuiltIn } from './built-in.ts';

export type MaxPooling2DOptions = Pooling2DOptions;

/**
 * The maximum of each poolSize window, channels-last. Where several elements of a window tie for the maximum, the
 * gradient is split equally among them (each gets g/k); PyTorch and TF give it all to one of them. Both are valid
 * subgradients; the split one does not depend on the scan order and is what max and reduce-max do everywhere here.
 */
export class MaxPooling2D extends Pooling2D {
  protected call(x: Tensor): Tensor {
    return maxPool2d(x, { poolSize: this.poolSize, strides: this.strides, padding: this.padding });
  }
}

markBuiltIn(MaxPooling2D);
