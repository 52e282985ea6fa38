import { allocateOutput } from '../core/buffer-pool.ts';
import { ConfigError, ShapeError, ValueError, describeValue } from '../core/errors.ts';
import { checkOptionKeys } from '../core/options.ts';
import { Rng, checkSeed, rngFrom } from '../core/random.ts';
import { sizeOf } from '../core/shape.ts';
import { Tensor } from '../core/tensor.ts';

export interface BatchOptions {
  /** Visit the examples in a random order (a fresh permutation per call). */
  shuffle?: boolean;
  /** Seed or generator of the shuffle; the global generator when omitted. Ignored without shuffle. */
  seed?: number | Rng;
}

function checkCount(n: number, op: string): void {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`${op}: n must be a non-negative integer, got ${describeValue(n)}`);
}

/** A uniform random permutation of 0..n-1 (Fisher-Yates: swap each i with a j drawn from [0, i]). */
export function shuffledIndices(n: number, rng: Rng): Int32Array {
  checkCount(n, 'shuffledIndices');
  if (!(rng instanceof Rng)) throw new ValueError(`shuffledIndices: rng must be an Rng, like new Rng(42), got ${describeValue(rng)}`);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/**
 * Splits 0..n-1 into batches of batchSize indices, each index in exactly one batch;
 * the last batch holds the n % batchSize left over. The batches are views of one permutation.
 */
export function batchIndices(n: number, batchSize: number, options: BatchOptions = {}): Int32Array[] {
  checkCount(n, 'batchIndices');
  checkOptionKeys(options, ['shuffle', 'seed'], 'batchIndices');
  const { shuffle = false, seed } = options;
  if (typeof shuffle !== 'boolean') throw new ConfigError(`batchIndices: shuffle must be true or false, got ${describeValue(shuffle)}`);
  if (seed !== undefined && !(seed instanceof Rng)) checkSeed(seed, 'batchIndices');
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ConfigError(`batchIndices: batchSize must be a positive integer, got ${describeValue(batchSize)}`);
  }
  let order: Int32Array;
  if (shuffle) {
    order = shuffledIndices(n, rngFrom(seed));
  } else {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  const batches: Int32Array[] = [];
  for (let start = 0; start < n; start += batchSize) batches.push(order.subarray(start, start + batchSize));
  return batches;
}

/** Values per row along axis 0; a rank-0 tensor has no rows. */
function rowSizeOf(x: Tensor, op: string): number {
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: x must be a Tensor, got ${describeValue(x)}`);
  if (x.rank === 0) throw new ShapeError(`${op}: expected a tensor of rank 1 or more, got a scalar`);
  return sizeOf(x.shape.slice(1));
}

/**
 * Rows of x along axis 0, gathered in the order given into a new contiguous tensor of x's dtype.
 * Works outside the autodiff tape: data batches need no gradient, so the result is not traced.
 */
export function takeRows(x: Tensor, indices: Int32Array | readonly number[]): Tensor {
  const rowSize = rowSizeOf(x, 'takeRows');
  if (!Array.isArray(indices) && !(indices instanceof Int32Array)) {
    throw new ValueError(`takeRows: indices must be an array or Int32Array of row numbers, got ${describeValue(indices)}`);
  }
  const rows = x.shape[0];
  // Every row is copied whole, so a recycled array needs no clearing first.
  const out = allocateOutput(x.dtype, indices.length * rowSize);
  for (let k = 0; k < indices.length; k++) {
    const row = indices[k];
    if (!Number.isInteger(row) || row < 0 || row >= rows) {
      throw new ValueError(`takeRows: index ${row} at position ${k} is out of range for ${rows} rows (expected an integer in [0, ${rows}))`);
    }
    out.set(x.storage.subarray(row * rowSize, (row + 1) * rowSize), k * rowSize);
  }
  return new Tensor(out, [indices.length, ...x.shape.slice(1)]);
}

/** Rows [start, end) of x along axis 0, copied into a new tensor; also outside the autodiff tape. */
export function sliceRows(x: Tensor, start: number, end: number): Tensor {
  const rowSize = rowSizeOf(x, 'sliceRows');
  const rows = x.shape[0];
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || start > end || end > rows) {
    throw new ValueError(`sliceRows: expected integers 0 <= start <= end <= ${rows}, got start ${start} and end ${end}`);
  }
  return new Tensor(x.storage.slice(start * rowSize, end * rowSize), [end - start, ...x.shape.slice(1)]);
}
