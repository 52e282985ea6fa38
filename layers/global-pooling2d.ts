import { max, mean } from '../core/ops/index.ts';
import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import type { LayerOptions } from './layer.ts';
import { Layer } from './layer.ts';
import { checkOptionKeys, trueOrFalse } from '../core/options.ts';
import { checkImageInput } from './spatial.ts';
import { markBuiltIn } from './built-in.ts';

export interface GlobalPooling2DOptions extends LayerOptions {
  /** Keep height and width as size-1 axes: [batch,1,1,channels] instead of [batch,channels]. Default false. */
  keepdims?: boolean;
}

/** A reduction over height and width of a channels-last image batch. */
abstract class GlobalPooling2D extends Layer {
  readonly keepdims: boolean;

  constructor(options: GlobalPooling2DOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'inputShape', 'keepdims'], this.name);
    this.keepdims = trueOrFalse(options.keepdims ?? false, 'keepdims', this.name);
  }

  protected override build(inputShape: Shape): void {
    checkImageInput(inputShape, this.name);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), keepdims: this.keepdims };
  }
}

/** The mean over height and width: [batch,h,w,c] -> [batch,c]. */
export class GlobalAveragePooling2D extends GlobalPooling2D {
  protected call(x: Tensor): Tensor {
    return mean(x, [1, 2], this.keepdims);
  }
}

/** The maximum over height and width: [batch,h,w,c] -> [batch,c]; tied maxima share the gradient equally. */
export class GlobalMaxPooling2D extends GlobalPooling2D {
  protected call(x: Tensor): Tensor {
    return max(x, [1, 2], this.keepdims);
  }
}

markBuiltIn(GlobalAveragePooling2D);
markBuiltIn(GlobalMaxPooling2D);
