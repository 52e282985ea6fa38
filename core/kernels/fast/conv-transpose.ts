import type { Kernel } from '../kernel.ts';
import { convTransposeKernel } from '../affine.ts';
import { wasmConvTranspose } from '../wasm/conv-fold.ts';
import { gemmMinFlops, onThreads } from './matmul.ts';

/**
 * convTranspose: float32 operands run the product and the fold in WebAssembly memory (wasm/conv-fold.ts), the
 * product on the GEMM's threads as one of its flops would; anything else runs the reference's parts. Same bits.
 */
export const fastConvTranspose: Kernel<'convTranspose'> = (inputs, shapes, params, out) => {
  const [x, kernel] = inputs;
  const [xShape, kernelShape] = shapes;
  const flops = 2 * x.length * kernelShape[0] * kernelShape[1] * kernelShape[2];
  if (out.dtype === 'float32' && x instanceof Float32Array && kernel instanceof Float32Array && flops >= gemmMinFlops()) {
    const problem = { x, xShape, kernel, kernelShape, ...params };
    const key = `convTranspose ${xShape.join(' ')} ${kernelShape.join(' ')}`;
    const y = onThreads(key, flops, (pool, threads) => wasmConvTranspose(problem, pool, threads));
    if (y !== undefined) return y;
  }
  return convTransposeKernel(inputs, shapes, params, out);
};
