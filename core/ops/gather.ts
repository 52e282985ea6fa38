import { apply } from '../dispatch.ts';
import { tensor } from '../creation.ts';
import { ShapeError, ValueError, describeValue, fmtShape, prefixError } from '../errors.ts';
import { normalizeAxis, sameShape } from '../shape.ts';
import type { TypedArray } from '../dtype.ts';
import { Tensor } from '../tensor.ts';
import type { NestedArray } from '../tensor.ts';
import { expectTensor } from './broadcast.ts';
import { reshape } from './movement.ts';

/** Integer indices: a tensor of any shape or a (nested) array. */
export type Indices = Tensor | readonly NestedArray[];

/**
 * The entries of x along `axis` at the given indices (repeats allowed): the result is x's shape with that axis
 * replaced by the indices' shape. An Embedding is gather(table, ids) on a [vocab, dim] table. The gradient
 * adds the cotangents of repeated indices together (scatterAdd); the indices get none.
 */
export function gather(x: Tensor, indices: Indices, axis = 0): Tensor {
  expectTensor(x, 'gather');
  const a = normalizeAxis(axis, x.rank, 'gather');
  const idx = checkedIndices(indices, x.shape[a], 'gather', `axis ${a} of ${fmtShape(x.shape)}`);
  const picked = apply('gather', [x, reshape(idx, [idx.size])], { axis: a });
  return reshape(picked, [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)]);
}

/**
 * gather's transpose: a zero tensor whose `axis` has length `size`, into which each slice of updates is added at
 * its index (repeated indices add up). updates has the result's shape with that axis replaced by the indices' shape.
 */
export function scatterAdd(updates: Tensor, indices: Indices, size: number, axis = 0): Tensor {
  expectTensor(updates, 'scatterAdd', 'updates');
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
    throw new ValueError(`scatterAdd: size must be a non-negative integer, got ${describeValue(size)}`);
  }
  const idx = checkedIndices(indices, size, 'scatterAdd', `a result axis of length ${size}`);
  const a = normalizeAxis(axis, updates.rank - idx.rank + 1, 'scatterAdd');
  if (!sameShape(updates.shape.slice(a, a + idx.rank), idx.shape)) {
    throw new ShapeError(`scatterAdd: updates ${fmtShape(updates.shape)} must hold the indices' shape ${fmtShape(idx.shape)} at axis ${a}`);
  }
  const flat = reshape(updates, [...updates.shape.slice(0, a), idx.size, ...updates.shape.slice(a + idx.rank)]);
  return apply('scatterAdd', [flat, reshape(idx, [idx.size])], { axis: a, size });
}

/** The flat position of the first value that is not an integer in [0, n) (NaN included), or -1. */
export function firstInvalidIndex(values: TypedArray, n: number): number {
  return values.findIndex((v) => !Number.isInteger(v) || v < 0 || v >= n);
}

/** indices as a tensor, each an integer in [0, n); arrays become float64 so that every index is exact. */
function checkedIndices(indices: Indices, n: number, op: string, what: string): Tensor {
  if (!(indices instanceof Tensor) && !Array.isArray(indices)) {
    throw new ValueError(`${op}: indices must be a Tensor or an array of integers, got ${describeValue(indices)}`);
  }
  const idx = indices instanceof Tensor ? indices : fromArray(indices, op);
  const bad = firstInvalidIndex(idx.storage, n);
  if (bad >= 0) {
    throw new ValueError(`${op}: every index must be an integer in [0, ${n}) for ${what}, got ${idx.storage[bad]} at flat position ${bad}`);
  }
  return idx;
}

/** tensor(indices), whose errors (a string among them, ragged nesting) then start with the op's name. */
function fromArray(indices: readonly NestedArray[], op: string): Tensor {
  try {
    return tensor(indices as NestedArray, undefined, 'float64');
  } catch (error) {
    throw prefixError(error, op);
  }
}
