import { ShapeError, ValueError, fmtShape } from '../../core/errors.ts';
import { cast, oneHot, reshape } from '../../core/ops/index.ts';
import { sameShape } from '../../core/shape.ts';
import type { Tensor } from '../../core/tensor.ts';

/** The shape without a trailing size-1 axis. */
function squeezeLast(shape: readonly number[]): readonly number[] {
  return shape.length > 0 && shape[shape.length - 1] === 1 ? shape.slice(0, -1) : shape;
}

/**
 * Targets for an elementwise loss, as yPred's shape and dtype: the shapes must be equal, or [N] against [N,1]
 * either way round (Keras squeezes that axis). Anything else is refused rather than broadcast.
 */
export function elementwiseTargets(who: string, yTrue: Tensor, yPred: Tensor): Tensor {
  const fits = sameShape(yTrue.shape, yPred.shape)
    || sameShape(squeezeLast(yTrue.shape), yPred.shape)
    || sameShape(yTrue.shape, squeezeLast(yPred.shape));
  if (!fits) {
    throw new ShapeError(`${who}: targets ${fmtShape(yTrue.shape)} do not fit predictions ${fmtShape(yPred.shape)}: expected the same shape (or [N] against [N,1])`);
  }
  return reshape(cast(yTrue, yPred.dtype), yPred.shape);
}

/** Targets that are probabilities: outside [0, 1] a crossentropy goes negative and training pushes the wrong way. */
export function checkProbabilities(who: string, yTrue: Tensor): void {
  const values = yTrue.storage;
  for (let i = 0; i < values.length; i++) {
    if (!(values[i] >= 0 && values[i] <= 1)) {
      throw new ValueError(`${who}: targets must be probabilities in [0, 1], got ${values[i]} at flat index ${i} of ${fmtShape(yTrue.shape)}`);
    }
  }
}

/** The number of classes: yPred's last axis, which must exist. */
export function classCount(who: string, yPred: Tensor): number {
  if (yPred.rank === 0) throw new ShapeError(`${who}: predictions need a class axis, got a scalar of shape []`);
  return yPred.shape[yPred.rank - 1];
}

/** One-hot-like targets of yPred's shape [...batch, K], in yPred's dtype. */
export function categoricalTargets(who: string, yTrue: Tensor, yPred: Tensor): Tensor {
  const k = classCount(who, yPred);
  if (sameShape(yTrue.shape, yPred.shape)) return cast(yTrue, yPred.dtype);
  const batch = yPred.shape.slice(0, -1);
  const reason = yTrue.rank !== yPred.rank
    ? `rank ${yTrue.rank} vs ${yPred.rank}`
    : !sameShape(yTrue.shape.slice(0, -1), batch)
      ? `batch shape ${fmtShape(yTrue.shape.slice(0, -1))} vs ${fmtShape(batch)}`
      : `one-hot width ${yTrue.shape[yTrue.rank - 1]} vs ${k} units`;
  const indices = sameShape(yTrue.shape, batch) || sameShape(yTrue.shape, [...batch, 1]);
  const hint = indices ? '; for integer class labels use sparseCategoricalCrossentropy' : '';
  throw new ShapeError(`${who}: targets ${fmtShape(yTrue.shape)} do not fit predictions ${fmtShape(yPred.shape)}: ${reason}${hint}`);
}

/**
 * Integer class indices of shape [...batch] or [...batch, 1], checked one by one (labels carry no gradient),
 * as one-hot targets of yPred's shape and dtype.
 */
export function sparseTargets(who: string, yTrue: Tensor, yPred: Tensor): Tensor {
  const k = classCount(who, yPred);
  const batch = yPred.shape.slice(0, -1);
  if (!sameShape(yTrue.shape, batch) && !sameShape(yTrue.shape, [...batch, 1])) {
    throw new ShapeError(`${who}: targets ${fmtShape(yTrue.shape)} do not fit predictions ${fmtShape(yPred.shape)}: expected class indices of shape ${fmtShape(batch)} or ${fmtShape([...batch, 1])}`);
  }
  const labels = yTrue.storage;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0 || v >= k) {
      throw new ValueError(`${who}: label ${v} at index ${i} is not a class index (expected an integer in [0, ${k}) for ${k} classes)`);
    }
  }
  return cast(oneHot(reshape(yTrue, batch), k), yPred.dtype);
}
