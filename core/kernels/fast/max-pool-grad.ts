import type { Kernel } from '../kernel.ts';
import { wasmMaxPoolGrad2x2 } from '../wasm/pool-job.ts';
import { onThreads } from './matmul.ts';
import { fastPad, fastSlice } from './movement.ts';
import { WASM_MIN_ELEMENTS, wasmElementwiseKernels } from './wasm-elementwise.ts';

/**
 * maxPoolGrad as the composite ran it, with the fast kernels: the crop to whole windows (when the size needs it),
 * maxGrad over the windows' axes, the pad back with zeros. Their bits.
 */
const parts: Kernel<'maxPoolGrad'> = ([x, y, g], [xs, ys], { kernel: [kh, kw] }, out) => {
  const [n, h, w, c] = xs;
  const [, oh, ow] = ys;
  const crop = [n, oh * kh, ow * kw, c];
  const whole = crop[1] === h && crop[2] === w;
  const dtype = out.dtype;
  const cropped = whole ? x : fastSlice([x], [xs], { begin: [0, 0, 0, 0], size: crop }, { shape: crop, dtype });
  const kept = [n, oh, 1, ow, 1, c];
  const windows = [n, oh, kh, ow, kw, c];
  const dx = wasmElementwiseKernels.maxGrad([cropped, y, g], [windows, kept, kept], { axes: [2, 4] }, { shape: windows, dtype });
  return whole ? dx : fastPad([dx], [crop], { pads: [[0, 0], [0, h - crop[1]], [0, w - crop[2]], [0, 0]], value: 0 }, { shape: xs, dtype });
};

/**
 * maxPoolGrad: float32 2×2 windows in the GEMM module's memory, split by images over its threads, reading and writing
 * the whole windows in place (wasm/pool-job.ts: no crop, no pad); anything else runs the parts. Same bits.
 */
export const fastMaxPoolGrad: Kernel<'maxPoolGrad'> = (inputs, shapes, params, out) => {
  const [x, y, g] = inputs;
  const pairs = params.kernel[0] === 2 && params.kernel[1] === 2;
  if (pairs && out.dtype === 'float32' && x.length >= WASM_MIN_ELEMENTS && x instanceof Float32Array && y instanceof Float32Array && g instanceof Float32Array) {
    const dx = onThreads(`maxPoolGrad ${shapes[0].join(' ')}`, x.length, (pool, threads) => wasmMaxPoolGrad2x2(x, y, g, shapes[0], pool, threads));
    if (dx !== undefined) return dx;
  }
  return parts(inputs, shapes, params, out);
};
