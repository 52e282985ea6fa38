import { apply } from '../dispatch.ts';
import type { Tensor } from '../tensor.ts';
import type { Scalar } from './broadcast.ts';
import { broadcastAll } from './broadcast.ts';

/** Comparisons give 1 where true and 0 where false, in the operands' dtype. They have no gradient. */
export function less(a: Tensor | Scalar, b: Tensor | Scalar): Tensor {
  return apply('less', broadcastAll('less', a, b), {});
}

export function greater(a: Tensor | Scalar, b: Tensor | Scalar): Tensor {
  const [x, y] = broadcastAll('greater', a, b);
  return apply('less', [y, x], {});
}

export function lessEqual(a: Tensor | Scalar, b: Tensor | Scalar): Tensor {
  const [x, y] = broadcastAll('lessEqual', a, b);
  return lessOrEqual(x, y);
}

export function greaterEqual(a: Tensor | Scalar, b: Tensor | Scalar): Tensor {
  const [x, y] = broadcastAll('greaterEqual', a, b);
  return lessOrEqual(y, x);
}

/** x <= y as (x < y) + (x == y): the two are never both 1. */
function lessOrEqual(x: Tensor, y: Tensor): Tensor {
  return apply('add', [apply('less', [x, y], {}), apply('equal', [x, y], {})], {});
}

export function equal(a: Tensor | Scalar, b: Tensor | Scalar): Tensor {
  return apply('equal', broadcastAll('equal', a, b), {});
}

/** ifTrue where cond is non-zero, ifFalse elsewhere; all three broadcast together. */
export function where(cond: Tensor | Scalar, ifTrue: Tensor | Scalar, ifFalse: Tensor | Scalar): Tensor {
  return apply('where', broadcastAll('where', cond, ifTrue, ifFalse), {});
}
