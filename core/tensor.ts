import type { DType, TypedArray } from './dtype.ts';
import { ValueError, describeValue, fmtShape } from './errors.ts';
import * as ops from './ops/index.ts';
import type { Axes, Conv2dOptions, GeluOptions, PadPairs, Pool2dOptions, Scalar } from './ops/index.ts';
import type { AffineOptions, Conv2dTransposeOptions, CumsumOptions, Indices, NormOrder } from './ops/index.ts';
import type { Shape } from './shape.ts';
import { sizeOf } from './shape.ts';
import type { TapeEntry } from './tape.ts';
import { nextId } from './tape.ts';

export type NestedArray = number | NestedArray[];

/** An array of non-negative integers; a loop, as every primitive's output passes here. */
function isShape(shape: unknown): shape is number[] {
  if (!Array.isArray(shape)) return false;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (!Number.isInteger(d) || (d as number) < 0) return false;
  }
  return true;
}

/**
 * An immutable, dense, row-major array of float32 or float64.
 * Build one with `tensor`, `zeros`, `ones`, `fill`, `arange`, `eye`, `randomNormal` or `randomUniform`.
 */
export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  /** Identity on the tape; ids only grow. */
  readonly id: number;
  /** Present while a grad is tracing this tensor. */
  readonly entry: TapeEntry | undefined;
  /** The backing array, shared with kernels. Never write to it: read `data` for a copy of your own. */
  readonly storage: TypedArray;

  /** Low-level: the storage must already hold sizeOf(shape) values of `dtype`. Prefer `tensor(...)`. */
  constructor(storage: TypedArray, shape: Shape, entry?: TapeEntry) {
    if (!(storage instanceof Float32Array || storage instanceof Float64Array)) {
      throw new ValueError(`Tensor: storage must be a Float32Array or a Float64Array, got ${describeValue(storage)}`);
    }
    if (!isShape(shape)) {
      throw new ValueError(`Tensor: shape must be an array of non-negative integers, got ${Array.isArray(shape) ? fmtShape(shape) : describeValue(shape)}`);
    }
    if (storage.length !== sizeOf(shape)) {
      throw new ValueError(`Tensor: data has ${storage.length} values but shape ${fmtShape(shape)} needs ${sizeOf(shape)}`);
    }
    this.storage = storage;
    this.shape = Object.freeze(shape.slice());
    this.dtype = storage instanceof Float64Array ? 'float64' : 'float32';
    this.size = storage.length;
    this.id = nextId();
    this.entry = entry;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** A copy of the values, row-major. */
  get data(): TypedArray {
    return this.storage.slice();
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ValueError(`item: expected a tensor with one element, got shape ${fmtShape(this.shape)}`);
    return this.storage[0];
  }

  /** The values as nested arrays (a number for rank 0). */
  toArray(): NestedArray {
    const build = (axis: number, offset: number, stride: number): NestedArray => {
      if (axis === this.rank) return this.storage[offset];
      const inner = stride / this.shape[axis];
      return Array.from({ length: this.shape[axis] }, (_, i) => build(axis + 1, offset + i * inner, inner));
    };
    return build(0, 0, this.size);
  }

  /** Shape, dtype and values; past 100 values only the first ones are shown. */
  toString(): string {
    const values = this.size <= 100
      ? JSON.stringify(this.toArray())
      : `[${Array.from(this.storage.subarray(0, 10)).join(', ')}, ... ${this.size - 10} more]`;
    return `Tensor(${fmtShape(this.shape)}, ${this.dtype}, ${values})`;
  }

  /** console.log prints the tensor, not its fields. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // Every op is also a method, so calls chain: x.matmul(w).add(b).relu().
  neg(): Tensor { return ops.neg(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  reciprocal(): Tensor { return ops.reciprocal(this); }
  expm1(): Tensor { return ops.expm1(this); }
  log1p(): Tensor { return ops.log1p(this); }
  erf(): Tensor { return ops.erf(this); }
  erfc(): Tensor { return ops.erfc(this); }
  sin(): Tensor { return ops.sin(this); }
  cos(): Tensor { return ops.cos(this); }
  floor(): Tensor { return ops.floor(this); }
  round(): Tensor { return ops.round(this); }
  sign(): Tensor { return ops.sign(this); }
  square(): Tensor { return ops.square(this); }
  abs(): Tensor { return ops.abs(this); }
  pow(exponent: number | Tensor): Tensor { return ops.pow(this, exponent); }
  clip(min: number, max: number): Tensor { return ops.clip(this, min, max); }
  add(other: Tensor | Scalar): Tensor { return ops.add(this, other); }
  sub(other: Tensor | Scalar): Tensor { return ops.sub(this, other); }
  mul(other: Tensor | Scalar): Tensor { return ops.mul(this, other); }
  div(other: Tensor | Scalar): Tensor { return ops.div(this, other); }
  maximum(other: Tensor | Scalar): Tensor { return ops.maximum(this, other); }
  minimum(other: Tensor | Scalar): Tensor { return ops.minimum(this, other); }
  less(other: Tensor | Scalar): Tensor { return ops.less(this, other); }
  lessEqual(other: Tensor | Scalar): Tensor { return ops.lessEqual(this, other); }
  greater(other: Tensor | Scalar): Tensor { return ops.greater(this, other); }
  greaterEqual(other: Tensor | Scalar): Tensor { return ops.greaterEqual(this, other); }
  equal(other: Tensor | Scalar): Tensor { return ops.equal(this, other); }
  where(ifTrue: Tensor | Scalar, ifFalse: Tensor | Scalar): Tensor { return ops.where(this, ifTrue, ifFalse); }
  sum(axis?: Axes, keepDims = false): Tensor { return ops.sum(this, axis, keepDims); }
  max(axis?: Axes, keepDims = false): Tensor { return ops.max(this, axis, keepDims); }
  min(axis?: Axes, keepDims = false): Tensor { return ops.min(this, axis, keepDims); }
  mean(axis?: Axes, keepDims = false): Tensor { return ops.mean(this, axis, keepDims); }
  logsumexp(axis?: Axes, keepDims = false): Tensor { return ops.logsumexp(this, axis, keepDims); }
  argmax(axis = -1): Tensor { return ops.argmax(this, axis); }
  reshape(shape: readonly number[]): Tensor { return ops.reshape(this, shape); }
  flatten(startAxis = 0): Tensor { return ops.flatten(this, startAxis); }
  permute(perm: readonly number[]): Tensor { return ops.permute(this, perm); }
  transpose(perm?: readonly number[]): Tensor { return ops.transpose(this, perm); }
  expand(shape: readonly number[]): Tensor { return ops.expand(this, shape); }
  pad(pads: PadPairs, value = 0): Tensor { return ops.pad(this, pads, value); }
  slice(begin: readonly number[], size?: readonly number[]): Tensor { return ops.slice(this, begin, size); }
  concat(others: readonly Tensor[], axis = 0): Tensor {
    if (!Array.isArray(others)) throw new ValueError(`concat: others must be an array of tensors, got ${describeValue(others)}`);
    return ops.concat([this, ...others], axis);
  }
  matmul(other: Tensor): Tensor { return ops.matmul(this, other); }
  affine(w: Tensor, bias: Tensor, options?: AffineOptions): Tensor { return ops.affine(this, w, bias, options); }
  relu(): Tensor { return ops.relu(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  tanh(): Tensor { return ops.tanh(this); }
  softplus(): Tensor { return ops.softplus(this); }
  elu(alpha?: number): Tensor { return ops.elu(this, alpha); }
  selu(): Tensor { return ops.selu(this); }
  leakyRelu(alpha?: number): Tensor { return ops.leakyRelu(this, alpha); }
  relu6(): Tensor { return ops.relu6(this); }
  hardSigmoid(): Tensor { return ops.hardSigmoid(this); }
  gelu(options?: GeluOptions): Tensor { return ops.gelu(this, options); }
  swish(): Tensor { return ops.swish(this); }
  mish(): Tensor { return ops.mish(this); }
  softsign(): Tensor { return ops.softsign(this); }
  softmax(axis = -1): Tensor { return ops.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return ops.logSoftmax(this, axis); }
  softmaxCrossEntropy(labels: Tensor): Tensor { return ops.softmaxCrossEntropy(this, labels); }
  oneHot(depth: number): Tensor { return ops.oneHot(this, depth); }
  unfold(kernel: readonly [number, number], strides?: readonly [number, number], dilations?: readonly [number, number]): Tensor { return ops.unfold(this, kernel, strides, dilations); }
  fold(height: number, width: number, strides?: readonly [number, number], dilations?: readonly [number, number]): Tensor { return ops.fold(this, height, width, strides, dilations); }
  conv2d(kernel: Tensor, options?: Conv2dOptions): Tensor { return ops.conv2d(this, kernel, options); }
  maxPool2d(options: Pool2dOptions): Tensor { return ops.maxPool2d(this, options); }
  avgPool2d(options: Pool2dOptions): Tensor { return ops.avgPool2d(this, options); }
  stopGradient(): Tensor { return ops.stopGradient(this); }
  cast(dtype: DType): Tensor { return ops.cast(this, dtype); }
  gather(indices: Indices, axis = 0): Tensor { return ops.gather(this, indices, axis); }
  scatterAdd(indices: Indices, size: number, axis = 0): Tensor { return ops.scatterAdd(this, indices, size, axis); }
  /** stack([this, ...others], axis). */
  stack(others: readonly Tensor[], axis = 0): Tensor {
    if (!Array.isArray(others)) throw new ValueError(`stack: others must be an array of tensors, got ${describeValue(others)}`);
    return ops.stack([this, ...others], axis);
  }
  /** einsum(equation, this, ...others). */
  einsum(equation: string, ...others: Tensor[]): Tensor { return ops.einsum(equation, this, ...others); }
  squeeze(axis?: Axes): Tensor { return ops.squeeze(this, axis); }
  expandDims(axis = 0): Tensor { return ops.expandDims(this, axis); }
  unstack(axis = 0): Tensor[] { return ops.unstack(this, axis); }
  split(sizesOrCount: number | readonly number[], axis = 0): Tensor[] { return ops.split(this, sizesOrCount, axis); }
  tile(reps: readonly number[]): Tensor { return ops.tile(this, reps); }
  argmin(axis = -1): Tensor { return ops.argmin(this, axis); }
  prod(axis?: Axes, keepDims = false): Tensor { return ops.prod(this, axis, keepDims); }
  variance(axis?: Axes, keepDims = false): Tensor { return ops.variance(this, axis, keepDims); }
  std(axis?: Axes, keepDims = false): Tensor { return ops.std(this, axis, keepDims); }
  norm(ord?: NormOrder, axis?: Axes, keepDims = false): Tensor { return ops.norm(this, ord, axis, keepDims); }
  cumsum(axis = -1, options?: CumsumOptions): Tensor { return ops.cumsum(this, axis, options); }
  topk(k = 1): { values: Tensor; indices: Tensor } { return ops.topk(this, k); }
  conv2dTranspose(kernel: Tensor, options?: Conv2dTransposeOptions): Tensor { return ops.conv2dTranspose(this, kernel, options); }
}
