import type fc from 'fast-check';
import type * as ops from '../../core/ops/index.ts';
import type { Prim } from '../../core/primitives.ts';
import type { Tensor } from '../../index.ts';
import type { CheckGradOptions } from '../../testing.ts';

/** A naive result: row-major values and their shape. */
export interface Reference {
  shape: number[];
  values: ArrayLike<number>;
}

/** One drawn test case of an op: float64 inputs, the op with its options bound, and a naive reference. */
export interface OpCase {
  inputs: Tensor[];
  run: (...inputs: Tensor[]) => Tensor;
  /**
   * Computed with plain loops from the values of `inputs` (the case's own, or the same rounded to float32),
   * never with semiflow ops.
   */
  reference: (...inputs: Tensor[]) => Reference;
  /** A short description of the options, shown when a property fails. */
  label?: string;
}

export interface OpSpec {
  cases: fc.Arbitrary<OpCase>;
  /**
   * 'checked': checkGrad on every case.
   * 'zero': the op is piecewise constant or blocks gradients by design (comparisons, argmax, oneHot, stopGradient),
   * and its vjp must be exactly 0.
   */
  gradient: 'checked' | 'zero';
  /** Check grad(grad(f)) too: for ops that are smooth on the drawn domain. */
  secondOrder?: boolean;
  /** checkGrad's tolerance options where the defaults cannot hold (say why at the entry). */
  gradOptions?: CheckGradOptions;
}

/** Every exported op and every primitive has an entry: a missing one does not compile. */
export type SpecTable = { [K in keyof typeof ops | Prim]: OpSpec };

/** Calls fn(index, flat) for every multi-index of shape in row-major order. */
export function forEachIndex(shape: readonly number[], fn: (index: number[], flat: number) => void): void {
  const size = shape.reduce((a, b) => a * b, 1);
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < size; flat++) {
    fn([...index], flat);
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++index[axis] < shape[axis]) break;
      index[axis] = 0;
    }
  }
}

/** Row-major flat position of a multi-index. */
export function ravel(index: readonly number[], shape: readonly number[]): number {
  return index.reduce((acc, i, axis) => acc * shape[axis] + i, 0);
}

/** The value of x at a multi-index. */
export function at(x: Tensor, index: readonly number[]): number {
  return x.storage[ravel(index, x.shape)];
}

/** NumPy broadcasting of several shapes (the inputs are known to be compatible). */
export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => Math.max(...shapes.map((s) => s[s.length - rank + i] ?? 1)));
}

/** The value of x at an index of a broadcast result shape. */
export function atBroadcast(x: Tensor, index: readonly number[]): number {
  const offset = index.length - x.rank;
  return at(x, x.shape.map((d, axis) => (d === 1 ? 0 : index[axis + offset])));
}

/** Elementwise reference over broadcast inputs. */
export function elementwiseReference(inputs: readonly Tensor[], fn: (...values: number[]) => number): Reference {
  const shape = broadcastShape(...inputs.map((t) => t.shape));
  const values: number[] = [];
  forEachIndex(shape, (index) => values.push(fn(...inputs.map((t) => atBroadcast(t, index)))));
  return { shape, values };
}
