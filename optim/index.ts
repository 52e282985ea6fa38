// Pure optimizers over trees of tensors (optax style, Keras defaults), gradient clipping and the training state.
export type { CommonOptions, LearningRate, Optimizer, OptimizerState } from './optimizer.ts';
export { sgd, momentum } from './sgd.ts';
export type { SgdOptions } from './sgd.ts';
export { rmsprop } from './rmsprop.ts';
export type { RmspropOptions } from './rmsprop.ts';
export { adam, adamw } from './adam.ts';
export type { AdamOptions } from './adam.ts';
export { clipByGlobalNorm, clipByNorm, clipByValue, globalNorm } from './clip.ts';
export { getOptimizer, optimizerNames } from './registry.ts';
export { applyGradients, createTrainState, learningRateOf, withLearningRate } from './train-state.ts';
export type { TrainState } from './train-state.ts';
export { cosineDecay, exponentialDecay, piecewiseConstant } from './schedules.ts';
export type { CosineDecayOptions, ExponentialDecayOptions, LearningRateSchedule, PiecewiseConstantOptions, ScheduleConfig } from './schedules.ts';
