import { arange, tensor } from '../creation.ts';
import { ValueError, describeValue, prefixError } from '../errors.ts';
import { positiveInt } from '../options.ts';
import { Tensor } from '../tensor.ts';
import { equal } from './compare.ts';
import { reshape } from './movement.ts';

/**
 * Integer class indices of any shape -> a [...shape, depth] tensor with a 1 at each index.
 * Every index must be an integer in [0, depth).
 */
export function oneHot(indices: Tensor | readonly number[], depth: number): Tensor {
  positiveInt(depth, 'depth', 'oneHot');
  if (!(indices instanceof Tensor) && !Array.isArray(indices)) {
    throw new ValueError(`oneHot: indices must be a Tensor or an array of integers, got ${describeValue(indices)}`);
  }
  const labels = indices instanceof Tensor ? indices : fromArray(indices);
  const bad = labels.storage.findIndex((v) => !Number.isInteger(v) || v < 0 || v >= depth);
  if (bad >= 0) {
    throw new ValueError(`oneHot: every index must be an integer in [0, ${depth}), got ${labels.storage[bad]} at flat position ${bad}`);
  }
  const column = reshape(labels, [...labels.shape, 1]);
  return equal(column, arange(depth, undefined, 1, labels.dtype));
}

/** tensor(indices), whose errors (a string among the labels, ragged nesting) then start with oneHot. */
function fromArray(indices: readonly number[]): Tensor {
  try {
    return tensor(indices);
  } catch (error) {
    throw prefixError(error, 'oneHot');
  }
}
