import { DTYPES } from './dtype.ts';
import { allocate, allocateOutput } from './buffer-pool.ts';
import type { DType, TypedArray } from './dtype.ts';
import { ConfigError, ShapeError, ValueError, describeValue, fmtShape } from './errors.ts';
import { checkOptionKeys, show } from './options.ts';
import { Rng, checkSeed, rngFrom } from './random.ts';
import { checkShape, sizeOf } from './shape.ts';
import { checkMemoryBudget } from './memory-budget.ts';
import type { Shape } from './shape.ts';
import { Tensor } from './tensor.ts';
import type { NestedArray } from './tensor.ts';

/**
 * A tensor from nested arrays, a flat array or typed array plus a shape, or a number.
 * The dtype defaults to float64 for a Float64Array and float32 otherwise.
 */
export function tensor(values: NestedArray | readonly number[] | TypedArray, shape?: Shape, dtype?: DType): Tensor {
  const inferredDtype = dtype ?? (values instanceof Float64Array ? 'float64' : 'float32');
  checkDtype(inferredDtype, 'tensor');
  const flat = flatten(values);
  const finalShape = shape === undefined ? inferShape(values) : checkShape(shape, 'tensor');
  checkMemoryBudget(finalShape, inferredDtype, 'tensor');
  if (flat.length !== sizeOf(finalShape)) {
    throw new ShapeError(`tensor: got ${flat.length} values but shape ${fmtShape(finalShape)} needs ${sizeOf(finalShape)}`);
  }
  const storage = allocate(inferredDtype, flat.length);
  storage.set(flat);
  return new Tensor(storage, finalShape);
}

export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  return filled([], value, dtype, 'scalar');
}

export function fill(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
  return filled(shape, value, dtype, 'fill');
}

export function zeros(shape: Shape, dtype: DType = 'float32'): Tensor {
  return filled(shape, 0, dtype, 'zeros');
}

export function ones(shape: Shape, dtype: DType = 'float32'): Tensor {
  return filled(shape, 1, dtype, 'ones');
}

export function zerosLike(x: Tensor): Tensor {
  return filled(likeTensor(x, 'zerosLike').shape, 0, x.dtype, 'zerosLike');
}

export function onesLike(x: Tensor): Tensor {
  return filled(likeTensor(x, 'onesLike').shape, 1, x.dtype, 'onesLike');
}

/** fill under the name of the public function that was called, so its errors name that function. */
function filled(shape: Shape, value: number, dtype: DType, op: string): Tensor {
  if (typeof value !== 'number') throw new ValueError(`${op}: the value must be a number, got ${describeValue(value)}`);
  checkDtype(dtype, op);
  const checked = checkShape(shape, op);
  checkMemoryBudget(checked, dtype, op);
  return new Tensor(allocateOutput(dtype, sizeOf(checked)).fill(value), checked); // every element is written
}

function likeTensor(x: unknown, op: string): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: x must be a Tensor, got ${describeValue(x)}`);
  return x;
}

/** start, start + step, ... up to but not including stop; arange(n) counts 0..n-1. */
export function arange(start: number, stop?: number, step = 1, dtype: DType = 'float32'): Tensor {
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  if (![from, to, step].every(Number.isFinite) || step === 0) {
    throw new ValueError(`arange: start, stop and step must be finite and step non-zero, got ${from}, ${to}, ${step}`);
  }
  checkDtype(dtype, 'arange');
  const [length] = checkShape([Math.max(0, Math.ceil((to - from) / step))], 'arange');
  checkMemoryBudget([length], dtype, 'arange');
  const storage = allocate(dtype, length);
  for (let i = 0; i < length; i++) storage[i] = from + i * step;
  return new Tensor(storage, [length]);
}

/** An n x m matrix with ones on the diagonal. */
export function eye(n: number, m = n, dtype: DType = 'float32'): Tensor {
  const shape = checkShape([n, m], 'eye');
  checkDtype(dtype, 'eye');
  checkMemoryBudget(shape, dtype, 'eye');
  const storage = allocate(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) storage[i * m + i] = 1;
  return new Tensor(storage, shape);
}

export interface RandomOptions {
  /** A number seeds a fresh generator; a generator is drawn from; none draws from the global one (see setSeed). */
  seed?: number | Rng;
  dtype?: DType;
}

export function randomNormal(shape: Shape, options: RandomOptions & { mean?: number; stddev?: number } = {}): Tensor {
  checkOptionKeys(options, ['mean', 'stddev', 'seed', 'dtype'], 'randomNormal');
  const { mean = 0, stddev = 1 } = options;
  if (!Number.isFinite(mean) || !(stddev >= 0) || !Number.isFinite(stddev)) {
    throw new ValueError(`randomNormal: mean must be finite and stddev finite and >= 0, got mean ${show(mean)}, stddev ${show(stddev)}`);
  }
  const rng = seeded(options.seed, 'randomNormal');
  return generate(shape, options.dtype, 'randomNormal', () => mean + stddev * rng.normal());
}

export function randomUniform(shape: Shape, options: RandomOptions & { min?: number; max?: number } = {}): Tensor {
  checkOptionKeys(options, ['min', 'max', 'seed', 'dtype'], 'randomUniform');
  const { min = 0, max = 1 } = options;
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) {
    throw new ValueError(`randomUniform: expected finite min <= max, got min ${show(min)}, max ${show(max)}`);
  }
  const rng = seeded(options.seed, 'randomUniform');
  return generate(shape, options.dtype, 'randomUniform', () => min + (max - min) * rng.next());
}

function generate(shape: Shape, dtype: DType = 'float32', op: string, draw: () => number): Tensor {
  checkDtype(dtype, op);
  const checked = checkShape(shape, op);
  checkMemoryBudget(checked, dtype, op);
  const storage = allocate(dtype, sizeOf(checked));
  for (let i = 0; i < storage.length; i++) storage[i] = draw();
  return new Tensor(storage, checked);
}

function seeded(seed: unknown, op: string): Rng {
  if (seed === undefined || seed instanceof Rng) return rngFrom(seed);
  return new Rng(checkSeed(seed, op));
}

function checkDtype(dtype: DType, op: string): void {
  if (!DTYPES.includes(dtype)) throw new ConfigError(`${op}: unknown dtype '${String(dtype)}' (expected one of ${DTYPES.join(', ')})`);
}

function flatten(values: NestedArray | readonly number[] | TypedArray): ArrayLike<number> {
  if (ArrayBuffer.isView(values)) return values;
  if (typeof values === 'number') return [values];
  const out: number[] = [];
  const walk = (v: NestedArray | readonly number[]): void => {
    if (typeof v === 'number') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else throw new ValueError(`tensor: expected numbers or nested arrays of numbers, found ${typeof v}`);
  };
  walk(values);
  return out;
}

/** The shape of nested arrays; ragged nesting is an error. */
function inferShape(values: NestedArray | readonly number[] | TypedArray): number[] {
  if (ArrayBuffer.isView(values)) return [values.length];
  const shape: number[] = [];
  let level: NestedArray | readonly number[] = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0] as NestedArray;
  }
  const check = (v: NestedArray | readonly number[], depth: number): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number') throw new ShapeError(`tensor: ragged nested array: expected a number at depth ${depth}, found an array`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new ShapeError(`tensor: ragged nested array: expected ${shape[depth]} entries at depth ${depth}, found ${Array.isArray(v) ? v.length : 'a number'}`);
    }
    v.forEach((child) => check(child, depth + 1));
  };
  check(values, 0);
  return shape;
}
