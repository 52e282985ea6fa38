import type { DType } from '../dtype.ts';
import { promote } from '../dtype.ts';
import { apply } from '../dispatch.ts';
import { fill } from '../creation.ts';
import { ShapeError, ValueError, describeValue, fmtShape } from '../errors.ts';
import { broadcastShapes, sameShape } from '../shape.ts';
import type { Shape } from '../shape.ts';
import { Tensor } from '../tensor.ts';

/** A plain number where a tensor is expected; it takes the dtype of the tensors around it. */
export type Scalar = number;

/**
 * Prepends size-1 axes, then expands size-1 axes, as NumPy broadcasting does (tinygrad's _broadcasted).
 * `op` names the public op in the error.
 */
export function broadcastTo(x: Tensor, shape: Shape, op: string): Tensor {
  if (sameShape(x.shape, shape)) return x;
  if (x.rank > shape.length) {
    throw new ShapeError(`${op}: cannot broadcast ${fmtShape(x.shape)} to the lower-rank ${fmtShape(shape)}`);
  }
  const raised = x.rank < shape.length ? apply('reshape', [x], { shape: [...new Array<number>(shape.length - x.rank).fill(1), ...x.shape] }) : x;
  if (!raised.shape.every((d, i) => d === shape[i] || d === 1)) {
    throw new ShapeError(`${op}: cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
  }
  return sameShape(raised.shape, shape) ? raised : apply('expand', [raised], { shape });
}

/** Guards an op whose first use of an argument is its shape: a non-tensor gets a ValueError naming the op. */
export function expectTensor(value: unknown, op: string, name = 'x'): Tensor {
  if (!(value instanceof Tensor)) throw new ValueError(`${op}: ${name} must be a Tensor, got ${describeValue(value)}`);
  return value;
}

/** Casts to float64 when dtypes differ, as NumPy promotes. */
export function castTo(x: Tensor, dtype: DType): Tensor {
  return x.dtype === dtype ? x : apply('cast', [x], { dtype });
}

/** Brings tensors and numbers to one dtype and one broadcast shape, ready for an equal-shape primitive. */
export function broadcastAll(op: string, ...values: readonly (Tensor | Scalar)[]): Tensor[] {
  if (alreadyAligned(values)) return values;
  values.forEach((v, i) => {
    if (!(v instanceof Tensor) && typeof v !== 'number') throw new ValueError(`${op}: operand ${i} must be a Tensor or a number, got ${describeValue(v)}`);
  });
  const tensors = values.filter((v): v is Tensor => v instanceof Tensor);
  const dtype = tensors.map((t) => t.dtype).reduce<DType>(promote, tensors[0]?.dtype ?? 'float32');
  const shape = tensors.reduce<number[]>((acc, t) => broadcastShapes(acc, t.shape, op), []);
  return values.map((v) => (v instanceof Tensor ? broadcastTo(castTo(v, dtype), shape, op) : fill(shape, v, dtype)));
}

/** Tensors all of one dtype and shape (the common case inside a model): nothing to cast or broadcast. */
function alreadyAligned(values: readonly (Tensor | Scalar)[]): values is Tensor[] {
  const first = values[0];
  if (!(first instanceof Tensor)) return false;
  for (let i = 1; i < values.length; i++) {
    const v = values[i];
    if (!(v instanceof Tensor) || v.dtype !== first.dtype || !sameShape(v.shape, first.shape)) return false;
  }
  return true;
}
