import { avgPool2d } from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import type { Pooling2DOptions } from './pooling2d.ts';
import { Pooling2D } from './pooling2d.ts';
import { markBuiltIn } from './built-in.ts';

export type AveragePooling2DOptions = Pooling2DOptions;

/** The mean of each poolSize window, channels-last; with 'same' padding only the real pixels are counted, as in Keras. */
export class AveragePooling2D extends Pooling2D {
  protected call(x: Tensor): Tensor {
    return avgPool2d(x, { poolSize: this.poolSize, strides: this.strides, padding: this.padding });
  }
}

markBuiltIn(AveragePooling2D);
