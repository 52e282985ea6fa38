import type { KernelTable } from '../kernel.ts';
import { fastElementwise } from './elementwise.ts';
import { fastMatmul } from './matmul.ts';
import { fastMaxGrad } from './max-grad.ts';
import { fastExpand, fastPad, fastSlice } from './movement.ts';
import { fastMax, fastSum } from './reduce.ts';
import { fastRelu } from './relu.ts';
import { fastFold, fastUnfold } from './window.ts';

/**
 * The fast kernels, installed over the reference ones unless SEMIFLOW_KERNELS=reference.
 * Each entry handles the cases it is fast for and hands the rest to the reference kernel,
 * and each has a parity test against it.
 */
export const fastKernels: Partial<KernelTable> = {
  ...fastElementwise,
  matmul: fastMatmul,
  sum: fastSum,
  max: fastMax,
  maxGrad: fastMaxGrad,
  ...fastRelu,
  expand: fastExpand,
  pad: fastPad,
  slice: fastSlice,
  unfold: fastUnfold,
  fold: fastFold,
};
