import { ConfigError, ShapeError, ValueError, describeValue, fmtShape } from '../core/errors.ts';
import { Tensor } from '../core/tensor.ts';
import type { Tree } from '../core/tree.ts';
import { leaves, rebuild } from '../core/tree.ts';
import type { Pass } from './dataset.ts';
import { Dataset } from './dataset.ts';

/** A dataset of the elements of a list, in order (tf.data.array): numbers, tensors, or arrays and objects of them. */
export function fromArrays<T>(elements: readonly T[]): Dataset<T> {
  if (!Array.isArray(elements)) throw new ValueError(`fromArrays: expected a list of elements, got ${describeValue(elements)}`);
  const copy = [...elements];
  return new Dataset(async function* () {
    yield* copy;
  }, copy.length);
}

/**
 * A dataset of the rows of tensors along axis 0 (tf.data's from_tensor_slices): `fromTensors({ xs, ys })` gives
 * elements `{ xs: x[i], ys: y[i] }`, `fromTensors([x, y])` gives `[x[i], y[i]]`; any tree of tensors with one
 * number of rows works, several inputs or outputs included (`{ xs: [a, b], ys }`).
 */
export function fromTensors<T extends Tree>(tensors: T): Dataset<T> {
  const who = 'fromTensors';
  const all = leaves(tensors, who);
  if (all.length === 0) throw new ValueError(`${who}: expected at least one tensor, got ${describeValue(tensors)}`);
  all.forEach((t) => {
    if (t.rank === 0) throw new ShapeError(`${who}: every tensor needs an axis 0 to slice, got a scalar`);
  });
  const rows = all[0].shape[0];
  const other = all.find((t) => t.shape[0] !== rows);
  if (other !== undefined) throw new ShapeError(`${who}: every tensor must have the same number of rows, got ${fmtShape(all[0].shape)} and ${fmtShape(other.shape)}`);
  const rowSizes = all.map((t) => t.size / rows);
  return new Dataset(async function* () {
    for (let i = 0; i < rows; i++) {
      yield rebuild(tensors, all.map((t, k) => new Tensor(t.storage.slice(i * rowSizes[k], (i + 1) * rowSizes[k]), t.shape.slice(1))));
    }
  }, rows);
}

type Source<T> = Iterable<T> | AsyncIterable<T>;

/**
 * A dataset from a generator function, sync or async, called anew for every pass (each epoch of fit): the
 * dataset's elements are what it yields. It gets the pass ({ epoch }), should it want to vary with it.
 */
export function fromGenerator<T>(generator: (pass: Pass) => Source<T>): Dataset<T> {
  if (typeof generator !== 'function') {
    throw new ConfigError(`fromGenerator: expected a generator function (function* or async function*), got ${describeValue(generator)}; a generator object can be iterated only once, and every epoch iterates anew`);
  }
  return new Dataset(async function* (pass) {
    const made: unknown = generator(pass);
    const iterable = made !== null && typeof made === 'object' && (Symbol.asyncIterator in made || Symbol.iterator in made);
    if (!iterable) throw new ValueError(`fromGenerator: the function must return an iterable (call a generator), got ${describeValue(made)}`);
    yield* made as Source<T>;
  }, undefined);
}
