import type { Kernel, KernelTable } from './kernel.ts';
import type { Prim } from '../primitives.ts';
import { binaryKernel, castKernel, identityKernel, unaryKernel, whereKernel } from './elementwise.ts';
import { matmulKernel } from './matmul.ts';
import { affineKernel, convAffineKernel, convFilterGradKernel, convTransposeKernel } from './affine.ts';
import { concatKernel, expandKernel, padKernel, permuteKernel, sliceKernel } from './movement.ts';
import { maxKernel, sumKernel } from './reduce.ts';
import { maxGradKernel } from './max-grad.ts';
import { maxPoolKernel } from './max-pool.ts';
import { maxPoolGradKernel } from './max-pool-grad.ts';
import { sumPoolKernel } from './sum-pool.ts';
import { reluGradKernel, reluKernel } from './relu.ts';
import { sigmoidGradKernel, tanhGradKernel } from './activation-grad.ts';
import { foldKernel, unfoldKernel } from './window.ts';
import { convAffineGradOf } from './conv-affine-grad.ts';
import { fastKernels } from './fast/index.ts';
import { gatherKernel, scatterAddKernel } from './gather.ts';
import { topkIndicesKernel } from './topk.ts';
import { softmaxCrossEntropyGradKernel, softmaxCrossEntropyKernel } from './softmax-cross-entropy.ts';
import { platform } from '../platform.ts';

/** The plain JS kernels: the reference every fast path is tested against. */
export const referenceKernels: Readonly<KernelTable> = {
  neg: unaryKernel('neg'),
  exp: unaryKernel('exp'),
  log: unaryKernel('log'),
  sqrt: unaryKernel('sqrt'),
  reciprocal: unaryKernel('reciprocal'),
  expm1: unaryKernel('expm1'),
  log1p: unaryKernel('log1p'),
  erf: unaryKernel('erf'),
  erfc: unaryKernel('erfc'),
  sin: unaryKernel('sin'),
  cos: unaryKernel('cos'),
  sigmoid: unaryKernel('sigmoid'),
  tanh: unaryKernel('tanh'),
  floor: unaryKernel('floor'),
  round: unaryKernel('round'),
  add: binaryKernel('add'),
  mul: binaryKernel('mul'),
  less: binaryKernel('less'),
  equal: binaryKernel('equal'),
  where: whereKernel,
  relu: reluKernel,
  reluGrad: reluGradKernel,
  sigmoidGrad: sigmoidGradKernel,
  tanhGrad: tanhGradKernel,
  sum: sumKernel,
  max: maxKernel,
  maxGrad: maxGradKernel,
  maxPool: maxPoolKernel,
  maxPoolGrad: maxPoolGradKernel,
  sumPool: sumPoolKernel,
  reshape: identityKernel,
  permute: permuteKernel,
  expand: expandKernel,
  pad: padKernel,
  slice: sliceKernel,
  concat: concatKernel,
  matmul: matmulKernel,
  affine: affineKernel,
  convAffine: convAffineKernel,
  convTranspose: convTransposeKernel,
  convFilterGrad: convFilterGradKernel,
  convAffineGrad: convAffineGradOf({ reluGrad: reluGradKernel, convFilterGrad: convFilterGradKernel, sum: sumKernel }),
  unfold: unfoldKernel,
  fold: foldKernel,
  stopGradient: identityKernel,
  cast: castKernel,
  gather: gatherKernel,
  scatterAdd: scatterAddKernel,
  topkIndices: topkIndicesKernel,
  softmaxCrossEntropy: softmaxCrossEntropyKernel,
  softmaxCrossEntropyGrad: softmaxCrossEntropyGradKernel,
};

/** SEMIFLOW_KERNELS=reference runs only the plain kernels, e.g. to measure what the fast ones gain. */
const useFast = platform.env('SEMIFLOW_KERNELS') !== 'reference';

const active: KernelTable = useFast ? { ...referenceKernels, ...fastKernels } as KernelTable : { ...referenceKernels };

/** The kernel the dispatcher runs for a primitive. */
export function kernelFor<P extends Prim>(prim: P): Kernel<P> {
  return active[prim] as Kernel<P>;
}

/** The seam for fast paths: swap one primitive's kernel; returns a function that restores the previous one. */
export function setKernel<P extends Prim>(prim: P, kernel: Kernel<P>): () => void {
  const previous = active[prim];
  (active as Record<Prim, unknown>)[prim] = kernel;
  return () => {
    (active as Record<Prim, unknown>)[prim] = previous;
  };
}
