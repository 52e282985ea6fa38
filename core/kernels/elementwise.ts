import { allocate } from '../dtype.ts';
import type { TypedArray } from '../dtype.ts';
import type { BinaryPrim, UnaryPrim } from '../primitives.ts';
import type { Kernel } from './kernel.ts';

const unaryFns: { [P in UnaryPrim]: (x: number) => number } = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  reciprocal: (x) => 1 / x,
  expm1: Math.expm1,
  log1p: Math.log1p,
};

const binaryFns: { [P in BinaryPrim]: (a: number, b: number) => number } = {
  add: (a, b) => a + b,
  mul: (a, b) => a * b,
  less: (a, b) => (a < b ? 1 : 0),
  equal: (a, b) => (a === b ? 1 : 0),
};

export function unaryKernel<P extends UnaryPrim>(prim: P): Kernel<P> {
  const fn = unaryFns[prim];
  return ([x], _shapes, _params, out) => {
    const y = allocate(out.dtype, x.length);
    for (let i = 0; i < x.length; i++) y[i] = fn(x[i]);
    return y;
  };
}

export function binaryKernel<P extends BinaryPrim>(prim: P): Kernel<P> {
  const fn = binaryFns[prim];
  return ([a, b], _shapes, _params, out) => {
    const y = allocate(out.dtype, a.length);
    for (let i = 0; i < a.length; i++) y[i] = fn(a[i], b[i]);
    return y;
  };
}

export const whereKernel: Kernel<'where'> = ([cond, a, b], _shapes, _params, out) => {
  const y = allocate(out.dtype, a.length);
  for (let i = 0; i < a.length; i++) y[i] = cond[i] !== 0 ? a[i] : b[i];
  return y;
};

export const castKernel: Kernel<'cast'> = ([x], _shapes, _params, out) => {
  const y: TypedArray = allocate(out.dtype, x.length);
  y.set(x);
  return y;
};

/** reshape and stopGradient keep the bytes: sharing is safe because tensors are immutable. */
export const identityKernel = ([x]: readonly TypedArray[]): TypedArray => x;
