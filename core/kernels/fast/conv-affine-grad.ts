import type { Kernel } from '../kernel.ts';
import { convAffineGradOf } from '../conv-affine-grad.ts';
import { fastConvFilterGrad } from './conv-filter-grad.ts';
import { fastSum } from './reduce.ts';
import { wasmElementwiseKernels } from './wasm-elementwise.ts';

/** convAffineGrad as the fast kernels of its parts (reluGrad, convFilterGrad, sum): their bits. */
const fastParts = convAffineGradOf({ reluGrad: wasmElementwiseKernels.reluGrad, convFilterGrad: fastConvFilterGrad, sum: fastSum });

export const fastConvAffineGrad: Kernel<'convAffineGrad'> = (inputs, shapes, params, out) => fastParts(inputs, shapes, params, out);
