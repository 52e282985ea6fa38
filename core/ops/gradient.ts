import { apply } from '../dispatch.ts';
import type { DType } from '../dtype.ts';
import type { Tensor } from '../tensor.ts';

/** The same values, but no gradient flows back through them. */
export function stopGradient(x: Tensor): Tensor {
  return apply('stopGradient', [x], {});
}

/** Converts to another dtype; the gradient is cast back. */
export function cast(x: Tensor, dtype: DType): Tensor {
  return x.dtype === dtype ? x : apply('cast', [x], { dtype });
}
