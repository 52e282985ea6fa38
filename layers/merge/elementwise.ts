import { add, div, maximum, minimum, mul, sub } from '../../core/ops/index.ts';
import { checkOptionKeys } from '../../core/options.ts';
import type { Tensor } from '../../core/tensor.ts';
import { markBuiltIn } from '../built-in.ts';
import type { LayerOptions } from '../layer.ts';
import { MergeLayer } from './merge-layer.ts';

// The elementwise merges: one op folded over inputs of one shape.

type MergeOptions = Pick<LayerOptions, 'name' | 'trainable'>;

abstract class FoldMerge extends MergeLayer {
  constructor(options: MergeOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable'], this.name);
  }
}

/** a + b + … */
export class Add extends FoldMerge {
  protected merge(inputs: readonly Tensor[]): Tensor {
    return inputs.reduce((a, b) => add(a, b));
  }
}

/** a − b, of exactly two inputs. */
export class Subtract extends FoldMerge {
  protected override readonly arity = { min: 2, max: 2 };

  protected merge([a, b]: readonly Tensor[]): Tensor {
    return sub(a, b);
  }
}

/** a ⊙ b ⊙ … */
export class Multiply extends FoldMerge {
  protected merge(inputs: readonly Tensor[]): Tensor {
    return inputs.reduce((a, b) => mul(a, b));
  }
}

/** (a + b + …) / n */
export class Average extends FoldMerge {
  protected merge(inputs: readonly Tensor[]): Tensor {
    return div(inputs.reduce((a, b) => add(a, b)), inputs.length);
  }
}

/** The elementwise largest; at a tie the gradient goes to the earlier input. */
export class Maximum extends FoldMerge {
  protected merge(inputs: readonly Tensor[]): Tensor {
    return inputs.reduce((a, b) => maximum(a, b));
  }
}

/** The elementwise smallest. */
export class Minimum extends FoldMerge {
  protected merge(inputs: readonly Tensor[]): Tensor {
    return inputs.reduce((a, b) => minimum(a, b));
  }
}

for (const cls of [Add, Subtract, Multiply, Average, Maximum, Minimum]) markBuiltIn(cls);
