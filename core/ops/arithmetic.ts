import { apply } from '../dispatch.ts';
import type { Tensor } from '../tensor.ts';
import type { Scalar } from './broadcast.ts';
import { broadcastAll } from './broadcast.ts';
import { less, where } from './compare.ts';

export function add(a: Tensor | Scalar, b: Tensor | Scalar): Tensor {
  return apply('add', broadcastAll('add', a, b), {});
}

export function mul(a: Tensor | Scalar, b: Tensor | Scalar): Tensor {
  return apply('mul', broadcastAll('mul', a, b), {});
}

export function sub(a: Tensor | Scalar, b: Tensor | Scalar): Tensor {
  const [x, y] = broadcastAll('sub', a, b);
  return apply('add', [x, apply('neg', [y], {})], {});
}

/** a / b as a · (1/b). */
export function div(a: Tensor | Scalar, b: Tensor | Scalar): Tensor {
  const [x, y] = broadcastAll('div', a, b);
  return apply('mul', [x, apply('reciprocal', [y], {})], {});
}

/** Elementwise max; at a tie the gradient goes to a. */
export function maximum(a: Tensor | Scalar, b: Tensor | Scalar): Tensor {
  const [x, y] = broadcastAll('maximum', a, b);
  return where(less(x, y), y, x);
}

/** Elementwise min; at a tie the gradient goes to a. */
export function minimum(a: Tensor | Scalar, b: Tensor | Scalar): Tensor {
  const [x, y] = broadcastAll('minimum', a, b);
  return where(less(y, x), y, x);
}
