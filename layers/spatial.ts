import { ShapeError, ValueError, describeValue, fmtShape } from '../core/errors.ts';
import type { Padding } from '../core/ops/index.ts';
import type { Shape } from '../core/shape.ts';
import type { Pair } from '../core/options.ts';

/** Image layers take channels-last batches: [batch,height,width,channels]. */
export function checkImageInput(shape: Shape, where: string): void {
  if (shape.length !== 4) {
    throw new ShapeError(`${where}: expected input of rank 4 [batch,height,width,channels], got rank ${shape.length} ${fmtShape(shape)}`);
  }
}

/** Output height and width: ceil(size / stride) with 'same', floor((size - window) / stride) + 1 with 'valid'. */
export function windowOutputSize(shape: Shape, window: Pair, strides: Pair, padding: Padding, where: string): Pair {
  const [h, w] = [shape[1], shape[2]];
  if (padding === 'same') return [Math.ceil(h / strides[0]), Math.ceil(w / strides[1])];
  if (h < window[0] || w < window[1]) {
    throw new ShapeError(`${where}: the ${window[0]}x${window[1]} window does not fit in a ${h}x${w} input ${fmtShape(shape)} with 'valid' padding`);
  }
  return [Math.floor((h - window[0]) / strides[0]) + 1, Math.floor((w - window[1]) / strides[1]) + 1];
}

/** Amounts per image edge: [[top, bottom], [left, right]]. */
export type EdgePairs = readonly [readonly [number, number], readonly [number, number]];

/** Keras's 2-D padding or cropping amounts: n (every edge), [h, w] (symmetric), or [[top, bottom], [left, right]]; integers ≥ 0. */
export function edgePairs(value: unknown, name: string, where: string): EdgePairs {
  const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  const both = (v: unknown): readonly [number, number] | undefined =>
    isCount(v) ? [v, v] : Array.isArray(v) && v.length === 2 && v.every(isCount) ? [v[0], v[1]] : undefined;
  if (isCount(value)) return [[value, value], [value, value]];
  if (Array.isArray(value) && value.length === 2) {
    const [h, w] = [value[0], value[1]];
    if (isCount(h) && isCount(w)) return [[h, h], [w, w]];
    const [hh, ww] = [both(h), both(w)];
    if (hh !== undefined && ww !== undefined && Array.isArray(h) && Array.isArray(w)) return [hh, ww];
  }
  throw new ValueError(`${where}: ${name} must be an integer ≥ 0, a pair [height, width] of them, or [[top, bottom], [left, right]], got ${describeValue(value)}`);
}
