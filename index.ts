// The public API of semiflow: import { tensor, grad } from 'semiflow'. It imports no Node built-in, so it runs in a
// page as well; index.node.ts (what 'semiflow' gives under Node) adds Node's threads, files and stdout.
export { Tensor } from './core/tensor.ts';
export type { NestedArray } from './core/tensor.ts';
export type { DType, TypedArray } from './core/dtype.ts';
export type { Shape } from './core/shape.ts';
export { arange, eye, fill, ones, onesLike, randomNormal, randomUniform, scalar, tensor, zeros, zerosLike } from './core/creation.ts';
export type { RandomOptions } from './core/creation.ts';
export { Rng, setSeed } from './core/random.ts';
export * from './core/ops/index.ts';
export { grad, valueAndGrad, vjp } from './core/autodiff.ts';
export { customGrad } from './core/custom-grad.ts';
export type { Cotangents, CustomForward } from './core/custom-grad.ts';
export { hessian, hvp, jacobian, jvp } from './core/transforms.ts';
export type { Hessian, Jacobian } from './core/transforms.ts';
export { noGrad } from './core/tape.ts';
export type { MapLeaves, Tree } from './core/tree.ts';
export { leaves, mapTree, rebuild } from './core/tree.ts';
export { ConfigError, DistributedError, FileError, GradientError, MemoryBudgetError, NumericsError, SemiflowError, ShapeError, ValueError } from './core/errors.ts';
export { DEFAULT_MEMORY_BUDGET, memoryBudget, setMemoryBudget } from './core/memory-budget.ts';
export type { NumericsDetails } from './core/errors.ts';
export { debugNumerics, isDebuggingNumerics } from './core/debug-numerics.ts';
export { setKernel, referenceKernels } from './core/kernels/index.ts';
export type { Kernel, KernelOutput, KernelTable } from './core/kernels/kernel.ts';
export type { Prim, PrimParams } from './core/primitives.ts';
export { flopsOf, profile } from './core/profile.ts';
export { formatProfile } from './core/profile-format.ts';
export type { FormatProfileOptions } from './core/profile-format.ts';
export type { ProfilePhase, ProfileReport, ProfileRow, Profiled } from './core/profile.ts';
export { backendInfo } from './core/backend-info.ts';
export type { BackendInfo } from './core/backend-info.ts';
export { configureGemm } from './core/kernels/fast/matmul.ts';
export type { GemmConfig } from './core/kernels/fast/matmul.ts';

// Layers, losses, activations and initializers.
export * from './layers/index.ts';
export { getActivation } from './layers/activations.ts';
export type { ActivationFn, Activation as NamedActivation } from './layers/activations.ts';
export { binaryCrossentropy, categoricalCrossentropy, getLoss, meanAbsoluteError, meanSquaredError, softmaxCategoricalCrossentropy, sparseCategoricalCrossentropy } from './layers/losses.ts';
export type { CrossentropyOptions, Loss } from './layers/losses.ts';
export { getInitializer, initializers } from './layers/initializers.ts';
export type { Initializer } from './layers/initializers.ts';

// Optimizers and the training state.
export * from './optim/index.ts';

// Sequential models.
export * from './models/index.ts';

// Data: IDX bytes, MNIST splits, batching.
export * from './data/index.ts';

// Distributed data-parallel training: the Communicator contract and an in-process group.
export * from './distributed/index.ts';
