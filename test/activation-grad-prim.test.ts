// sigmoidGrad and tanhGrad, the vjps of sigmoid and tanh as one primitive each: the same bits as the composition of
// mul and sub they replaced, ±0, ±Infinity, NaN and denormals included, both dtypes, and inside a buffer scope whose
// free arrays are full of NaN; grad-of-grad through them; the shape errors name the primitive.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError, grad, mul, sigmoid, sub, sum, tanh, tensor, vjp } from 'semiflow';
import { checkGrad } from 'semiflow/testing';
import type { DType, Tensor } from 'semiflow';
import { withBufferScope } from '../core/buffer-scope.ts';
import { allocate } from '../core/buffer-pool.ts';
import { sigmoidGrad, tanhGrad } from '../core/ops/activations.ts';

const RUNS = Number(process.env.SEMIFLOW_SWEEP_RUNS ?? 100);

const dtype = fc.constantFrom<DType>('float32', 'float64');
const value = fc.oneof(
  { arbitrary: fc.double({ min: -1.5, max: 1.5, noNaN: true }), weight: 4 },
  { arbitrary: fc.double({ noNaN: false }), weight: 1 },
  { arbitrary: fc.constantFrom(0, -0, 1, -1, 0.5, Infinity, -Infinity, NaN, 1e-40, -1e-40, 5e-324, 3.4e38, -3.4e38), weight: 2 },
);
const dim = fc.oneof({ arbitrary: fc.constant(1), weight: 2 }, { arbitrary: fc.integer({ min: 2, max: 5 }), weight: 4 }, { arbitrary: fc.integer({ min: 20, max: 40 }), weight: 1 });
const shape = fc.array(dim, { minLength: 0, maxLength: 4 }).filter((s) => size(s) <= 4000);

function size(s: readonly number[]): number {
  return s.reduce((a, b) => a * b, 1);
}

const cases = fc.tuple(shape, dtype).chain(([s, d]) => {
  const values = fc.array(value, { minLength: size(s), maxLength: size(s) }).map((v) => tensor(v, s, d));
  return fc.record({ y: values, g: values });
});

/** The rules as they were: g·(y·(1 − y)) and g·(1 − y·y), one primitive per product and difference. */
const composed = {
  sigmoid: (y: Tensor, g: Tensor) => mul(g, mul(y, sub(1, y))),
  tanh: (y: Tensor, g: Tensor) => mul(g, sub(1, mul(y, y))),
};

function expectSameBits(actual: Tensor, expected: Tensor, what: string): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.dtype).toBe(expected.dtype);
  for (let i = 0; i < expected.size; i++) {
    if (!Object.is(actual.storage[i], expected.storage[i])) {
      expect.fail(`${what}: element ${i} is ${actual.storage[i]}, expected ${expected.storage[i]} (y ${what})`);
    }
  }
}

describe('sigmoidGrad and tanhGrad primitives', () => {
  it('give the bits of the composition of mul and sub they replaced', () => {
    fc.assert(fc.property(cases, ({ y, g }) => {
      expectSameBits(sigmoidGrad(y, g), composed.sigmoid(y, g), `sigmoidGrad ${y.dtype} ${JSON.stringify(y.shape)}`);
      expectSameBits(tanhGrad(y, g), composed.tanh(y, g), `tanhGrad ${y.dtype} ${JSON.stringify(y.shape)}`);
    }), { numRuns: RUNS });
  });

  it('write every element when the pool hands them arrays full of NaN', () => {
    const y = tensor(Array.from({ length: 2048 }, (_, i) => Math.sin(i)), [32, 64]);
    const g = tensor(Array.from({ length: 2048 }, (_, i) => Math.cos(i)), [32, 64]);
    const expected = [composed.sigmoid(y, g), composed.tanh(y, g)];
    withBufferScope(() => {
      allocate('float32', 2048).fill(NaN);
      return [];
    }, () => []);
    withBufferScope(() => {
      expectSameBits(sigmoidGrad(y, g), expected[0], 'sigmoidGrad in a scope');
      expectSameBits(tanhGrad(y, g), expected[1], 'tanhGrad in a scope');
      return [];
    }, () => []);
  });

  it('are what sigmoid and tanh send back through the tape', () => {
    const x = tensor([[-3, -0.5, 0, 0.25, 4]], [1, 5], 'float64');
    const g = tensor([[1, 2, -1, 0.5, 3]], [1, 5], 'float64');
    expectSameBits(vjp(sigmoid, x).backward(g), composed.sigmoid(sigmoid(x), g), 'sigmoid vjp');
    expectSameBits(vjp(tanh, x).backward(g), composed.tanh(tanh(x), g), 'tanh vjp');
  });

  it('differentiate twice: the second derivatives of sigmoid and tanh check numerically', () => {
    const x = tensor([[-2.5, -0.7, 0.1, 0.9, 3]], [1, 5], 'float64');
    const first = (f: (t: Tensor) => Tensor) => (t: Tensor) => sum(mul(grad((u: Tensor) => sum(f(u)))(t), t));
    expect(checkGrad(first(sigmoid), x).ok).toBe(true);
    expect(checkGrad(first(tanh), x).ok).toBe(true);
  });

  it('refuse operands of different shapes, naming the primitive', () => {
    expect(() => sigmoidGrad(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => tanhGrad(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(/tanhGrad/);
  });
});
