import { apply } from '../dispatch.ts';
import { promote } from '../dtype.ts';
import { Tensor } from '../tensor.ts';
import type { Scalar } from './broadcast.ts';
import { broadcastAll, castTo } from './broadcast.ts';
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

/**
 * a / b as a · (1/b). When no gradient can reach b (it is not on a tape), 1/b is taken before b is
 * broadcast: the same values, but a divisor such as a per-row sum gets one reciprocal per row instead of
 * one per element. A traced b keeps the broadcast-first order, whose gradient rounds as it always has.
 */
export function div(a: Tensor | Scalar, b: Tensor | Scalar): Tensor {
  if (b instanceof Tensor && b.entry === undefined && (a instanceof Tensor || typeof a === 'number')) {
    const dtype = a instanceof Tensor ? promote(a.dtype, b.dtype) : b.dtype;
    const [x, y] = broadcastAll('div', a, apply('reciprocal', [castTo(b, dtype)], {}));
    return apply('mul', [x, y], {});
  }
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
