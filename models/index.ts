// The models folder: Sequential and what fit needs.
export { Sequential } from './sequential.ts';
export type { ModelParams, SequentialOptions } from './sequential.ts';
export type { CompileOptions, Compiled } from './compile.ts';
export type { FitOptions } from './fit.ts';
export type { EvaluateOptions, PredictOptions } from './inference.ts';
export type { Callback, Logs } from './callbacks.ts';
export { History } from './history.ts';
export type { Metric } from './metrics.ts';
export { metricNames } from './metrics.ts';
export type { Verbosity } from './progress.ts';
