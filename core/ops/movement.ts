import { apply } from '../dispatch.ts';
import { promote } from '../dtype.ts';
import type { DType } from '../dtype.ts';
import { ShapeError, ValueError, describeValue, fmtShape } from '../errors.ts';
import { checkShape, normalizeAxis, sameShape, sizeOf } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { broadcastTo, castTo, expectTensor } from './broadcast.ts';

export type PadPairs = readonly (readonly [number, number])[];

/** A new shape with the same number of elements; one dimension may be -1 and is then inferred. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  expectTensor(x, 'reshape');
  if (!Array.isArray(shape)) throw new ShapeError(`reshape: a shape must be an array of integers, got ${describeValue(shape)}`);
  const inferred = shape.indexOf(-1);
  let target = [...shape];
  if (inferred >= 0) {
    const known = sizeOf(shape.filter((_, i) => i !== inferred));
    if (shape.lastIndexOf(-1) !== inferred || known === 0 || x.size % known !== 0) {
      throw new ShapeError(`reshape: cannot infer the -1 in ${fmtShape(shape)} for ${fmtShape(x.shape)} (${x.size} elements)`);
    }
    target[inferred] = x.size / known;
  }
  target = checkShape(target, 'reshape');
  return sameShape(target, x.shape) ? x : apply('reshape', [x], { shape: target });
}

/** Collapses the axes from startAxis to the last into one: flatten(x, 1) keeps the batch axis. */
export function flatten(x: Tensor, startAxis = 0): Tensor {
  expectTensor(x, 'flatten');
  if (x.rank === 0) return reshape(x, [1]);
  const start = normalizeAxis(startAxis, x.rank, 'flatten');
  return reshape(x, [...x.shape.slice(0, start), sizeOf(x.shape.slice(start))]);
}

/** Output axis i is input axis perm[i]. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  return permuteAs(x, perm, 'permute');
}

/** Reverses the axes, or permutes them by perm. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  expectTensor(x, 'transpose');
  return permuteAs(x, perm ?? x.shape.map((_, i) => x.rank - 1 - i), 'transpose');
}

/** permute under the name of the public op that was called, so that its errors name that op. */
function permuteAs(x: Tensor, perm: readonly number[], op: string): Tensor {
  expectTensor(x, op);
  if (!Array.isArray(perm)) throw new ShapeError(`${op}: perm must be an array of axes, got ${describeValue(perm)}`);
  const normalized = perm.map((p) => normalizeAxis(p, x.rank, op));
  if (normalized.length !== x.rank || new Set(normalized).size !== x.rank) {
    throw new ShapeError(`${op}: [${perm.join(',')}] is not a permutation of the ${x.rank} axes of ${fmtShape(x.shape)}`);
  }
  return normalized.every((p, i) => p === i) ? x : apply('permute', [x], { perm: normalized });
}

/** NumPy-style broadcast to shape: new axes on the left, size-1 axes repeated. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  return broadcastTo(x, checkShape(shape, 'expand'), 'expand');
}

/** pads[i] = [before, after] for axis i, filled with value. */
export function pad(x: Tensor, pads: PadPairs, value = 0): Tensor {
  expectTensor(x, 'pad');
  if (!Array.isArray(pads) || !pads.every((p) => Array.isArray(p) && p.length === 2)) {
    throw new ShapeError(`pad: expected ${x.rank} [before, after] pairs for shape ${fmtShape(x.shape)}, got ${JSON.stringify(pads) ?? describeValue(pads)}`);
  }
  if (pads.length !== x.rank) throw new ShapeError(`pad: expected ${x.rank} [before, after] pairs for shape ${fmtShape(x.shape)}, got ${pads.length}`);
  return pads.every(([lo, hi]) => lo === 0 && hi === 0) ? x : apply('pad', [x], { pads, value });
}

/** The block that starts at begin with the given size; a size of -1 runs to the end of that axis. */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  expectTensor(x, 'slice');
  if (!Array.isArray(begin) || (size !== undefined && !Array.isArray(size))) {
    throw new ShapeError(`slice: begin and size must be arrays of ${x.rank} integers for shape ${fmtShape(x.shape)}, got begin ${describeValue(begin)} and size ${describeValue(size)}`);
  }
  if (begin.length !== x.rank || (size !== undefined && size.length !== x.rank)) {
    throw new ShapeError(`slice: begin and size need ${x.rank} entries for shape ${fmtShape(x.shape)}, got begin [${begin.join(',')}]${size ? ` and size [${size.join(',')}]` : ''}`);
  }
  const sizes = x.shape.map((d, i) => (size === undefined || size[i] === -1 ? d - begin[i] : size[i]));
  return apply('slice', [x], { begin, size: sizes });
}

/** Joins tensors along an existing axis; dtypes promote to float64 if they differ. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors)) throw new ValueError(`concat: tensors must be an array of tensors, got ${describeValue(tensors)}`);
  const first = tensors[0];
  if (first === undefined) throw new ValueError('concat: needs at least one tensor');
  tensors.forEach((t, i) => expectTensor(t, 'concat', `tensors[${i}]`));
  const dtype = tensors.map((t) => t.dtype).reduce<DType>(promote, first.dtype);
  const normalized = normalizeAxis(axis, first.rank, 'concat');
  return apply('concat', tensors.map((t) => castTo(t, dtype)), { axis: normalized });
}
