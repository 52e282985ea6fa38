import { ShapeError, fmtShape } from '../errors.ts';
import { checkOptionKeys } from '../options.ts';
import type { Tensor } from '../tensor.ts';
import { expectTensor } from './broadcast.ts';
import { apply } from '../dispatch.ts';
import { pad, slice } from './movement.ts';
import type { Padding, PaddingName } from './window.ts';
import { paddingOf, pair } from './window.ts';

export interface Conv2dTransposeOptions {
  strides?: number | readonly [number, number];
  padding?: PaddingName;
}

/**
 * Transposed 2-D convolution (the gradient of conv2d with respect to its input): input NHWC, kernel
 * [kh, kw, outC, inC] as Keras stores Conv2DTranspose kernels. Each input pixel spreads its kernel-weighted copy
 * over a kh×kw patch of the output, patches `strides` apart, overlaps adding up: the convTranspose primitive (one
 * product, then fold, which its fast kernel runs inside WebAssembly memory), then the crop.
 * Output size per axis (Keras's rule): 'same' size·stride; 'valid' size·stride + max(k - stride, 0).
 */
export function conv2dTranspose(x: Tensor, kernel: Tensor, options: Conv2dTransposeOptions = {}): Tensor {
  expectTensor(x, 'conv2dTranspose');
  expectTensor(kernel, 'conv2dTranspose', 'kernel');
  checkOptionKeys(options, ['strides', 'padding'], 'conv2dTranspose');
  const { strides = 1 } = options;
  if (x.rank !== 4 || kernel.rank !== 4) {
    throw new ShapeError(`conv2dTranspose: expected input [N,H,W,C] and kernel [kh,kw,outC,inC], got ${fmtShape(x.shape)} and ${fmtShape(kernel.shape)}`);
  }
  const [n, h, w, inC] = x.shape;
  const [kh, kw, outC] = kernel.shape;
  if (kh === 0 || kw === 0 || h === 0 || w === 0) {
    throw new ShapeError(`conv2dTranspose: input ${fmtShape(x.shape)} and kernel ${fmtShape(kernel.shape)} need at least one pixel and one tap along each spatial axis`);
  }
  if (kernel.shape[3] !== inC) {
    throw new ShapeError(`conv2dTranspose: input ${fmtShape(x.shape)} has ${inC} channels but kernel ${fmtShape(kernel.shape)} expects ${kernel.shape[3]}`);
  }
  const [sh, sw] = pair(strides, 'strides', 'conv2dTranspose');
  const padding = paddingOf(options.padding ?? 'valid', 'conv2dTranspose');
  const full = apply('convTranspose', [x, kernel], { strides: [sh, sw], dilations: [1, 1], height: (h - 1) * sh + kh, width: (w - 1) * sw + kw });
  // The output is a window of `full` (zeros past its end).
  const axis = (size: number, k: number, s: number, length: number): [number, number, number] => {
    const { before, out } = transposedAxis(size, k, s, padding);
    return [before, out, Math.max(0, before + out - length)];
  };
  const [top, height, below] = axis(h, kh, sh, full.shape[1]);
  const [left, width, right] = axis(w, kw, sw, full.shape[2]);
  const grown = pad(full, [[0, 0], [0, below], [0, right], [0, 0]]);
  return slice(grown, [0, top, left, 0], [n, height, width, outC]);
}

/**
 * Where a transposed convolution's output sits along one axis of its full result (size − 1)·s + k: `out` entries
 * from `before`. Keras's sizes: 'same' size·s, dropping the leading half of the overhang k − s; 'valid' size·s + max(k − s, 0).
 */
export function transposedAxis(size: number, k: number, s: number, padding: Padding): { before: number; out: number } {
  return padding === 'same'
    ? { before: Math.floor(Math.max(k - s, 0) / 2), out: size * s }
    : { before: 0, out: size * s + Math.max(k - s, 0) };
}
