export { assertGrad, checkGrad } from './check-grad.ts';
export type { CheckGradOptions, ElementReport, GradCheckResult, InputReport } from './check-grad.ts';
export { arbBroadcastShapes, arbConvConfig, arbDistinctTensor, arbPoolConfig, arbShape, arbTensor } from './arbitraries.ts';
export type { ConvConfig, PoolConfig, ShapeConstraints, ValueConstraints } from './arbitraries.ts';
