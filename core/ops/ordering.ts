import { apply } from '../dispatch.ts';
import { tensor } from '../creation.ts';
import { ShapeError, ValueError, fmtShape } from '../errors.ts';
import { show } from '../options.ts';
import { normalizeAxis, sizeOf } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { expectTensor } from './broadcast.ts';
import { neg } from './elementwise.ts';
import { gather } from './gather.ts';
import { reshape } from './movement.ts';
import { argmax, nonEmptyAxes } from './reduce.ts';

/** The index of the first minimum along axis, as a tensor of x's dtype without that axis; no gradient. */
export function argmin(x: Tensor, axis = -1): Tensor {
  expectTensor(x, 'argmin');
  nonEmptyAxes(x, normalizeAxis(axis, x.rank, 'argmin'), 'argmin');
  return argmax(neg(x), axis);
}

/**
 * The k largest entries along the last axis, largest first, and their positions (ties: the lower position first;
 * NaN counts as larger than every number). The positions are values of x's dtype, exact below 2^24 in float32,
 * and have no gradient; the values are gathered from x, so their gradient flows back to those positions.
 */
export function topk(x: Tensor, k = 1): { values: Tensor; indices: Tensor } {
  expectTensor(x, 'topk');
  if (x.rank === 0) throw new ShapeError(`topk: x must have at least one axis, got shape ${fmtShape(x.shape)}`);
  const n = x.shape[x.rank - 1];
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new ValueError(`topk: k must be an integer in [0, ${n}] (the last axis of ${fmtShape(x.shape)}), got ${show(k)}`);
  }
  const indices = apply('topkIndices', [x], { k });
  // Row r's position p is entry r·n + p of the flattened x.
  const flat = Float64Array.from(indices.storage, (p, i) => Math.floor(i / k) * n + p);
  const rows = sizeOf(x.shape.slice(0, -1));
  const values = gather(reshape(x, [rows * n]), tensor(flat, [flat.length], 'float64'));
  return { values: reshape(values, indices.shape), indices };
}
