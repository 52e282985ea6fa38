import type { Tensor } from '../core/tensor.ts';
import type { LayerOptions } from './layer.ts';
import { Layer, checkSampleShape } from './layer.ts';
import { checkOptionKeys } from '../core/options.ts';
import { markBuiltIn } from './built-in.ts';

/** The first layer of a Sequential: fixes the shape of one sample, and apply() rejects data that does not have it. */
export class InputLayer extends Layer {
  constructor(options: LayerOptions & { inputShape: readonly number[] }) {
    checkSampleShape(options?.inputShape, 'InputLayer');
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'inputShape'], this.name);
  }

  protected call(x: Tensor): Tensor {
    return x;
  }
}

markBuiltIn(InputLayer);
