import type { DType, TypedArray } from '../dtype.ts';
import type { Prim, PrimParams } from '../primitives.ts';
import type { Shape } from '../shape.ts';

/** What a kernel gets besides its inputs: the output shape and dtype, already validated. */
export interface KernelOutput {
  shape: Shape;
  dtype: DType;
}

/**
 * A kernel computes one primitive on plain typed arrays. It knows nothing of tensors or the tape.
 * It may return one of its inputs when the result has the same bytes (reshape): tensors are immutable.
 */
export type Kernel<P extends Prim> = (
  inputs: readonly TypedArray[],
  shapes: readonly Shape[],
  params: PrimParams[P],
  out: KernelOutput,
) => TypedArray;

export type KernelTable = { [P in Prim]: Kernel<P> };
