import type { Kernel } from '../kernel.ts';
import { convAffineGradOf } from '../conv-affine-grad.ts';
import { wasmDirectConvGrad } from '../wasm/direct-conv-grad.ts';
import { fastConvFilterGrad } from './conv-filter-grad.ts';
import { gemmMinFlops, onThreads } from './matmul.ts';
import { wasmElementwiseKernels } from './wasm-elementwise.ts';

/** convAffineGrad as the fast kernels of its parts (reluGrad, convFilterGrad, sum): their bits. */
const fastParts = convAffineGradOf({ reluGrad: wasmElementwiseKernels.reluGrad, convFilterGrad: fastConvFilterGrad, sum: wasmElementwiseKernels.sum });

/**
 * convAffineGrad: float32 one-channel images at stride 1 without dilation, where convFilterGrad would run on the
 * GEMM, in one pass over g (and y) in WebAssembly (wasm/direct-conv-grad-module.ts: the mask, the bias sum and the
 * kernel gradient per pixel, no gz array, no patch matrix), split over the GEMM's threads by filters; anything else
 * runs the fast kernels of its parts. Same bits either way.
 */
export const fastConvAffineGrad: Kernel<'convAffineGrad'> = (inputs, shapes, params, out) => {
  const [x, g, y] = inputs;
  const [[images, height, width, channels], [, oh, ow, filters]] = shapes;
  const { kernel: [kh, kw], strides, dilations, activation } = params;
  const plain = [...strides, ...dilations].every((s) => s === 1);
  const flops = 2 * images * oh * ow * kh * kw * filters;
  if (plain && channels === 1 && out.dtype === 'float32' && flops >= gemmMinFlops() && inputs.every((a) => a instanceof Float32Array)) {
    const problem = { x: x as Float32Array, g: g as Float32Array, y: y as Float32Array, images, height, width, kh, kw, filters, relu: activation === 'relu' };
    const key = `convGrad ${images} ${height} ${width} ${kh} ${kw} ${filters} ${activation}`;
    const grads = onThreads(key, flops, (pool, threads) => wasmDirectConvGrad(problem, pool, threads));
    if (grads !== undefined) return grads;
  }
  return fastParts(inputs, shapes, params, out);
};
