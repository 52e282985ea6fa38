// The public API of semiflow: import { tensor, grad } from 'semiflow'.
export { Tensor } from './core/tensor.ts';
export type { NestedArray } from './core/tensor.ts';
export type { DType, TypedArray } from './core/dtype.ts';
export type { Shape } from './core/shape.ts';
export { arange, eye, fill, ones, onesLike, randomNormal, randomUniform, scalar, tensor, zeros, zerosLike } from './core/creation.ts';
export type { RandomOptions } from './core/creation.ts';
export { Rng, setSeed } from './core/random.ts';
export * from './core/ops/index.ts';
export { grad, valueAndGrad, vjp } from './core/autodiff.ts';
export { noGrad } from './core/tape.ts';
export type { Tree } from './core/tree.ts';
export { leaves, mapTree, rebuild } from './core/tree.ts';
export { ConfigError, GradientError, SemiflowError, ShapeError, ValueError } from './core/errors.ts';
export { setKernel, referenceKernels } from './core/kernels/index.ts';
export type { Kernel, KernelOutput, KernelTable } from './core/kernels/kernel.ts';
export type { Prim, PrimParams } from './core/primitives.ts';
export * from './core/testing/index.ts';
