import { Concatenate } from '../../layers/merge/concatenate.ts';
import { Add, Average, Maximum, Minimum, Multiply, Subtract } from '../../layers/merge/elementwise.ts';
import type { BuiltinSpec } from './layers.ts';

// The merge layers in the tfjs / Keras format: the elementwise ones have only name and trainable; Concatenate its axis.

const ELEMENTWISE = { Add, Subtract, Multiply, Average, Maximum, Minimum };

export const MERGE_SPECS: readonly BuiltinSpec[] = [
  ...Object.entries(ELEMENTWISE).map(([className, cls]): BuiltinSpec => ({
    className,
    cls,
    toJson: () => ({}),
    fromJson: (r) => new cls(r.common),
  })),
  {
    className: 'Concatenate',
    cls: Concatenate,
    toJson: (layer) => ({ axis: (layer as Concatenate).axis }),
    fromJson: (r) => new Concatenate({ ...r.common, axis: r.number('axis', -1) }),
  },
];
