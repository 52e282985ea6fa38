import { apply } from '../dispatch.ts';
import { ShapeError, fmtShape } from '../errors.ts';
import { broadcastShapes, sizeOf } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { broadcastTo, castTo, expectTensor } from './broadcast.ts';
import { reshape } from './movement.ts';

/**
 * Matrix product over the last two axes, with NumPy rules: batch axes broadcast,
 * and a 1-D operand is a row (left) or column (right) vector whose axis is dropped from the result.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  expectTensor(a, 'matmul', 'a');
  expectTensor(b, 'matmul', 'b');
  if (a.rank === 0 || b.rank === 0) {
    throw new ShapeError(`matmul: operands must have rank >= 1, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const dtype = a.dtype === b.dtype ? a.dtype : 'float64';
  const left = a.rank === 1 ? reshape(castTo(a, dtype), [1, a.shape[0]]) : castTo(a, dtype);
  const right = b.rank === 1 ? reshape(castTo(b, dtype), [b.shape[0], 1]) : castTo(b, dtype);
  const [m, k] = left.shape.slice(-2);
  const [k2, n] = right.shape.slice(-2);
  if (k !== k2) throw new ShapeError(`matmul: inner dimensions differ: ${fmtShape(a.shape)} and ${fmtShape(b.shape)} (${k} vs ${k2})`);
  const batch = broadcastShapes(left.shape.slice(0, -2), right.shape.slice(0, -2), 'matmul');
  let product: Tensor;
  if (right.rank === 2) {
    // A batch against one matrix is one big matrix product: fold the batch into the rows.
    const rows = reshape(left, [sizeOf(batch) * m, k]);
    product = reshape(apply('matmul', [rows, right], { transposeA: false, transposeB: false }), [...batch, m, n]);
  } else {
    const x = broadcastTo(left, [...batch, m, k], 'matmul');
    const y = broadcastTo(right, [...batch, k, n], 'matmul');
    product = apply('matmul', [x, y], { transposeA: false, transposeB: false });
  }
  const outShape = [...batch, ...(a.rank === 1 ? [] : [m]), ...(b.rank === 1 ? [] : [n])];
  return reshape(product, outShape);
}
