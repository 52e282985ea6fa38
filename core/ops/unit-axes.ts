import { ShapeError, fmtShape } from '../errors.ts';
import { normalizeAxes, normalizeAxis } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { expectTensor } from './broadcast.ts';
import { reshape } from './movement.ts';
import type { Axes } from './reduce.ts';

/** Drops size-1 axes: the given ones (each must have size 1), or all of them. */
export function squeeze(x: Tensor, axis?: Axes): Tensor {
  expectTensor(x, 'squeeze');
  const axes = axis === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes(axis, x.rank, 'squeeze');
  const wide = axes.find((a) => x.shape[a] !== 1);
  if (wide !== undefined) throw new ShapeError(`squeeze: axis ${wide} of ${fmtShape(x.shape)} has size ${x.shape[wide]}, expected 1`);
  return reshape(x, x.shape.filter((_, i) => !axes.includes(i)));
}

/** Inserts a size-1 axis so that it becomes axis `axis` of the result (-1: a new last axis). */
export function expandDims(x: Tensor, axis = 0): Tensor {
  expectTensor(x, 'expandDims');
  const a = normalizeAxis(axis, x.rank + 1, 'expandDims');
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}
