import { ShapeError, fmtShape } from '../core/errors.ts';
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
