import { allocate } from '../core/buffer-pool.ts';
import { Tensor } from '../core/tensor.ts';
import type { Tree } from '../core/tree.ts';
import { leaves, mapTree } from '../core/tree.ts';
import { POSITIVE, checkNumber } from './options.ts';

// Gradient clipping as in Keras 3, applied to the gradients before an optimizer's update.
// Plain loops on the typed arrays, outside the autodiff tape; sums run in float64.

/** A new tensor of the same shape and dtype with fn applied to every value. */
function mapValues(t: Tensor, fn: (x: number) => number): Tensor {
  const src = t.storage;
  const out = allocate(t.dtype, t.size);
  for (let i = 0; i < out.length; i++) out[i] = fn(src[i]);
  return new Tensor(out, t.shape);
}

function sumOfSquares(t: Tensor): number {
  const src = t.storage;
  let s = 0;
  for (let i = 0; i < src.length; i++) s += src[i] * src[i];
  return s;
}

/** sqrt of the sum of squares over every element of every tensor in the tree. */
export function globalNorm(tree: Tree): number {
  let s = 0;
  for (const t of leaves(tree, 'globalNorm: tree')) s += sumOfSquares(t);
  return Math.sqrt(s);
}

/** Each element clipped to [-limit, limit] (Keras clipvalue). */
export function clipByValue<T extends Tree>(grads: T, limit: number): T {
  checkNumber('clipByValue', 'limit', limit, POSITIVE);
  return mapTree(grads, (t) => mapValues(t, (x) => Math.min(Math.max(x, -limit), limit)));
}

/** g * c / norm when norm > c; a tensor within the limit is returned as it is (tensors are immutable). */
function rescale(t: Tensor, norm: number, maxNorm: number): Tensor {
  return norm <= maxNorm ? t : mapValues(t, (x) => (x * maxNorm) / norm);
}

/** Each tensor on its own: g * c / max(||g||, c), so a norm above c becomes c (Keras clipnorm). */
export function clipByNorm<T extends Tree>(grads: T, maxNorm: number): T {
  checkNumber('clipByNorm', 'maxNorm', maxNorm, POSITIVE);
  return mapTree(grads, (t) => rescale(t, Math.sqrt(sumOfSquares(t)), maxNorm));
}

/** All tensors together: g * c / max(globalNorm, c), which keeps the direction of the whole update (Keras global_clipnorm). */
export function clipByGlobalNorm<T extends Tree>(grads: T, maxNorm: number): T {
  checkNumber('clipByGlobalNorm', 'maxNorm', maxNorm, POSITIVE);
  const norm = globalNorm(grads);
  return mapTree(grads, (t) => rescale(t, norm, maxNorm));
}
