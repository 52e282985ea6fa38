import type { KernelTable } from '../kernel.ts';
import { fastElementwise } from './elementwise.ts';
import { fastAffine, fastMatmul } from './matmul.ts';
import { fastConvAffine } from './conv-affine.ts';
import { fastConvFilterGrad } from './conv-filter-grad.ts';
import { fastConvAffineGrad } from './conv-affine-grad.ts';
import { fastMaxPoolGrad } from './max-pool-grad.ts';
import { fastSumPool } from './sum-pool.ts';
import { fastConvTranspose } from './conv-transpose.ts';
import { fastConcat, fastExpand, fastPad, fastSlice } from './movement.ts';
import { wasmElementwiseKernels } from './wasm-elementwise.ts';
import { fastFold, fastUnfold } from './window.ts';

/**
 * The fast kernels, installed over the reference ones unless SEMIFLOW_KERNELS=reference.
 * Each entry handles the cases it is fast for and hands the rest to the reference kernel,
 * and each has a parity test against it.
 */
export const fastKernels: Partial<KernelTable> = {
  ...fastElementwise,
  // relu, reluGrad, add, max, maxPool (2×2), maxGrad, sum (of rows): float32 in wasm SIMD from 2048 elements, else the JS or reference kernels.
  ...wasmElementwiseKernels,
  matmul: fastMatmul,
  affine: fastAffine,
  convAffine: fastConvAffine,
  convTranspose: fastConvTranspose,
  convFilterGrad: fastConvFilterGrad,
  convAffineGrad: fastConvAffineGrad,
  maxPoolGrad: fastMaxPoolGrad,
  sumPool: fastSumPool,
  expand: fastExpand,
  pad: fastPad,
  slice: fastSlice,
  concat: fastConcat,
  unfold: fastUnfold,
  fold: fastFold,
};
