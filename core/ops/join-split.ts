import { ShapeError, ValueError, describeValue, fmtShape } from '../errors.ts';
import { show } from '../options.ts';
import { normalizeAxis, sameShape } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { expectTensor } from './broadcast.ts';
import { concat, expand, reshape, slice } from './movement.ts';
import { expandDims } from './unit-axes.ts';

/** Joins tensors of one shape along a new axis (axis in [-(rank + 1), rank]). */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new ValueError(`stack: tensors must be a non-empty array of tensors, got ${Array.isArray(tensors) ? 'an empty array' : describeValue(tensors)}`);
  }
  tensors.forEach((t, i) => expectTensor(t, 'stack', `tensors[${i}]`));
  const odd = tensors.findIndex((t) => !sameShape(t.shape, tensors[0].shape));
  if (odd >= 0) throw new ShapeError(`stack: every tensor must have shape ${fmtShape(tensors[0].shape)}, but tensors[${odd}] has ${fmtShape(tensors[odd].shape)}`);
  const a = normalizeAxis(axis, tensors[0].rank + 1, 'stack');
  return concat(tensors.map((t) => expandDims(t, a)), a);
}

/** The slices of x along axis, that axis removed: stack's inverse. */
export function unstack(x: Tensor, axis = 0): Tensor[] {
  expectTensor(x, 'unstack');
  const a = normalizeAxis(axis, x.rank, 'unstack');
  const rest = x.shape.filter((_, i) => i !== a);
  return split(x, x.shape[a], a).map((part) => reshape(part, rest));
}

/**
 * Cuts x along axis into `count` equal parts, or into parts of the given sizes (which must add up to the axis).
 */
export function split(x: Tensor, sizesOrCount: number | readonly number[], axis = 0): Tensor[] {
  expectTensor(x, 'split');
  const a = normalizeAxis(axis, x.rank, 'split');
  const n = x.shape[a];
  const sizes = partSizes(sizesOrCount, n, `axis ${a} of ${fmtShape(x.shape)}`);
  let begin = 0;
  return sizes.map((size) => {
    const part = slice(x, x.shape.map((_, i) => (i === a ? begin : 0)), x.shape.map((d, i) => (i === a ? size : d)));
    begin += size;
    return part;
  });
}

function partSizes(sizesOrCount: number | readonly number[], n: number, what: string): number[] {
  if (typeof sizesOrCount === 'number') {
    const count = sizesOrCount;
    if (!Number.isInteger(count) || count < 1 || n % count !== 0) {
      throw new ValueError(`split: the count must be a positive integer that divides the ${n} entries of ${what}, got ${show(count)}`);
    }
    return new Array<number>(count).fill(n / count);
  }
  if (!Array.isArray(sizesOrCount)) {
    throw new ValueError(`split: expected a count or an array of sizes for ${what}, got ${describeValue(sizesOrCount)}`);
  }
  if (!sizesOrCount.every((s) => Number.isInteger(s) && s >= 0) || sizesOrCount.reduce((t, s) => t + s, 0) !== n) {
    throw new ValueError(`split: sizes must be non-negative integers adding up to the ${n} entries of ${what}, got [${sizesOrCount.map(show).join(',')}]`);
  }
  return [...sizesOrCount];
}

/** Repeats x reps[i] times along axis i (reps has one non-negative integer per axis). */
export function tile(x: Tensor, reps: readonly number[]): Tensor {
  expectTensor(x, 'tile');
  if (!Array.isArray(reps) || reps.length !== x.rank || !reps.every((r) => Number.isInteger(r) && r >= 0)) {
    const given = Array.isArray(reps) ? `[${reps.map(show).join(',')}]` : describeValue(reps);
    throw new ValueError(`tile: reps must be ${x.rank} non-negative integers, one per axis of ${fmtShape(x.shape)}, got ${given}`);
  }
  // [d0, d1] -> [1, d0, 1, d1] -> [r0, d0, r1, d1] -> [r0·d0, r1·d1]: each copy of x is one block.
  const spread = reshape(x, x.shape.flatMap((d) => [1, d]));
  const grown = expand(spread, x.shape.flatMap((d, i) => [reps[i], d]));
  return reshape(grown, x.shape.map((d, i) => d * reps[i]));
}
