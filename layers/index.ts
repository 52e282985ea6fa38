// The layers folder: the Layer base, built-in layers, activations, losses and initializers.
export { Layer, Weight } from './layer.ts';
export type { ApplyOptions, CallOptions, LayerOptions, WeightSpec } from './layer.ts';
export { Dense } from './dense.ts';
export type { DenseOptions } from './dense.ts';
export { Conv2D } from './conv2d.ts';
export type { Conv2DOptions } from './conv2d.ts';
export { MaxPooling2D } from './max-pooling2d.ts';
export type { MaxPooling2DOptions } from './max-pooling2d.ts';
export { Flatten } from './flatten.ts';
export { Activation } from './activation-layer.ts';
export { Dropout } from './dropout.ts';
export type { DropoutOptions } from './dropout.ts';
export { InputLayer } from './input-layer.ts';
export { assertLayerGrad, checkLayerGrad } from './check-layer.ts';
export type { LayerGradOptions } from './check-layer.ts';
export * from './merge/index.ts';
export { input, SymbolicTensor } from './symbolic.ts';
export type { InputOptions } from './symbolic.ts';
