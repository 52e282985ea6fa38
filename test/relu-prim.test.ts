// relu and reluGrad as primitives: the same bits as the composite where(less(0, x), x, 0) they replaced, forward and
// gradient, ±0, ±Infinity, NaN and denormals included, both dtypes, fast and reference kernels; reluGrad's own vjp
// (its transpose), grad-of-grad through relu, and the errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ShapeError, ValueError, grad, less, mul, randomNormal, referenceKernels, relu, setKernel, sum, tensor, vjp, where
} from 'semiflow';
import { arbTensor, checkGrad } from 'semiflow/testing';
import type { DType, Tensor } from 'semiflow';
import { withBufferScope } from '../core/buffer-scope.ts';
import { allocate } from '../core/buffer-pool.ts';
import type { TypedArray } from '../core/dtype.ts';
import { fastKernels } from '../core/kernels/fast/index.ts';
import { reluGrad } from '../core/ops/activations.ts';

const RUNS = Number(process.env.SEMIFLOW_SWEEP_RUNS ?? 100);

const dtype = fc.constantFrom<DType>('float32', 'float64');
/** Ordinary values, and the ones whose sign or ordering is special: ±0, ±Infinity, NaN, denormals of both dtypes. */
const value = fc.oneof(
  { arbitrary: fc.double({ min: -3, max: 3, noNaN: true }), weight: 4 },
  { arbitrary: fc.constantFrom(0, -0, Infinity, -Infinity, NaN, 1e-40, -1e-40, 5e-324, -5e-324, 1e-320, 3.4e38, -3.4e38), weight: 2 },
);
const dim = fc.oneof({ arbitrary: fc.constant(1), weight: 2 }, { arbitrary: fc.integer({ min: 2, max: 5 }), weight: 4 }, { arbitrary: fc.integer({ min: 20, max: 40 }), weight: 1 });
const shape = fc.array(dim, { minLength: 0, maxLength: 5 }).filter((s) => size(s) <= 4000);

interface Case {
  x: Tensor;
  g: Tensor;
}

const cases: fc.Arbitrary<Case> = fc.tuple(shape, dtype).chain(([s, d]) => {
  const values = fc.array(value, { minLength: size(s), maxLength: size(s) }).map((v) => tensor(v, s, d));
  return fc.record({ x: values, g: values });
});

function size(s: readonly number[]): number {
  return s.reduce((a, b) => a * b, 1);
}

/** relu as it was before the primitive. */
const composite = (x: Tensor): Tensor => where(less(0, x), x, 0);

function expectSameBits(actual: Tensor, expected: Tensor, what: string): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.dtype).toBe(expected.dtype);
  for (let i = 0; i < expected.size; i++) {
    if (!Object.is(actual.storage[i], expected.storage[i])) {
      expect.fail(`${what}: element ${i} is ${actual.storage[i]}, expected ${expected.storage[i]}`);
    }
  }
}

function describeCase({ x, g }: Case): string {
  const values = x.size <= 40 ? ` x=${Array.from(x.storage).join(',')} g=${Array.from(g.storage).join(',')}` : '';
  return `${x.dtype} ${JSON.stringify(x.shape)}${values}`;
}

/** fn with both primitives on their reference kernels. */
function withReference<T>(fn: () => T): T {
  const restoreRelu = setKernel('relu', referenceKernels.relu);
  const restoreGrad = setKernel('reluGrad', referenceKernels.reluGrad);
  try {
    return fn();
  } finally {
    restoreGrad();
    restoreRelu();
  }
}

/** The composite's gradient as the tape computed it, and the primitive's. */
function gradients(c: Case): { old: Tensor; now: Tensor } {
  return {
    old: vjp(composite, c.x).backward(c.g),
    now: vjp(relu, c.x).backward(c.g),
  };
}

describe('relu primitive', () => {
  it('gives the same bits as where(less(0, x), x, 0), with the fast and the reference kernel', () => {
    fc.assert(fc.property(cases, (c) => {
      const expected = composite(c.x);
      expectSameBits(relu(c.x), expected, `fast ${describeCase(c)}`);
      expectSameBits(withReference(() => relu(c.x)), expected, `reference ${describeCase(c)}`);
    }), { numRuns: RUNS });
  });

  it('has the same gradient bits as the composite had through the tape, with both kernels', () => {
    fc.assert(fc.property(cases, (c) => {
      const fast = gradients(c);
      expectSameBits(fast.now, fast.old, `fast ${describeCase(c)}`);
      const reference = withReference(() => gradients(c));
      expectSameBits(reference.now, fast.old, `reference ${describeCase(c)}`);
    }), { numRuns: RUNS });
  });

  it('reluGrad gives where(less(0, x), g, 0) bit for bit, NaN and Infinity in g included', () => {
    fc.assert(fc.property(cases, (c) => {
      const expected = where(less(0, c.x), c.g, 0);
      expectSameBits(reluGrad(c.x, c.g), expected, `fast ${describeCase(c)}`);
      expectSameBits(withReference(() => reluGrad(c.x, c.g)), expected, `reference ${describeCase(c)}`);
    }), { numRuns: RUNS });
  });

  it('fast kernels write every element even from a pool of dirty arrays', () => {
    const { relu: fastRelu, reluGrad: fastGrad } = fastKernels;
    if (fastRelu === undefined || fastGrad === undefined) throw new Error('no fast relu kernels');
    fc.assert(fc.property(cases, (c) => {
      const out = { shape: c.x.shape, dtype: c.x.dtype };
      const expected = [
        referenceKernels.relu([c.x.storage], [c.x.shape], {}, out),
        referenceKernels.reluGrad([c.x.storage, c.g.storage], [c.x.shape, c.g.shape], {}, out),
      ];
      withBufferScope(() => {
        allocate(c.x.dtype, c.x.size).fill(NaN);
        allocate(c.x.dtype, c.x.size).fill(NaN);
        return [];
      }, () => []);
      withBufferScope(() => {
        const actual = [
          fastRelu([c.x.storage], [c.x.shape], {}, out),
          fastGrad([c.x.storage, c.g.storage], [c.x.shape, c.g.shape], {}, out),
        ];
        actual.forEach((a, k) => expectSameBits(asTensor(a, c), asTensor(expected[k], c), `${k === 0 ? 'relu' : 'reluGrad'} ${describeCase(c)}`));
        return [];
      }, () => []);
    }), { numRuns: RUNS });
  });

  it('maps the special values as the composite did', () => {
    for (const d of ['float32', 'float64'] as const) {
      const x = tensor([-1, -0, 0, NaN, 2, Infinity, -Infinity, 1e-40], [8], d);
      const y = Array.from(relu(x).storage);
      expect(y.slice(0, 7)).toEqual([0, 0, 0, 0, 2, Infinity, 0]);
      y.slice(0, 4).forEach((v) => expect(Object.is(v, 0)).toBe(true));
      expect(y[7]).toBe(x.storage[7]); // a float32 denormal stays itself (1e-40 rounds to one)
      const g = tensor([5, 5, 5, 5, NaN, -Infinity, 5, -0], [8], d);
      const dx = Array.from(reluGrad(x, g).storage);
      expect(dx.slice(0, 7)).toEqual([0, 0, 0, 0, NaN, -Infinity, 0]);
      expect(Object.is(dx[7], -0)).toBe(true);
    }
  });

  it('gives x no gradient and g the transpose: ⟨reluGrad(x, g), h⟩ = ⟨g, vjp(h)⟩', () => {
    fc.assert(fc.property(shape, fc.nat(), (s, seed) => {
      const x = randomNormal(s, { seed });
      const g = randomNormal(s, { seed: seed + 1 });
      const h = randomNormal(s, { seed: seed + 2 });
      const { value, backward } = vjp(([a, b]: Tensor[]) => reluGrad(a, b), [x, g]);
      const [dx, dg] = backward(h);
      expect(Array.from(dx.storage).every((v) => v === 0)).toBe(true);
      const left = sum(mul(value, h)).item();
      const right = sum(mul(g, dg)).item();
      expect(Math.abs(left - right)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(left)));
    }), { numRuns: RUNS });
  });

  it('has a second derivative through relu that checkGrad accepts, and a third through reluGrad', () => {
    const arbCase = shape.filter((s) => size(s) <= 200).chain((s) => fc.tuple(arbTensor(s, { avoid: [0] }), fc.nat()));
    fc.assert(fc.property(arbCase, ([x, seed]) => {
      const c = randomNormal(x.shape, { seed });
      // d/dx Σ c·relu(x)² = 2·c·relu(x)·[0 < x]: not zero, so the second derivative exercises reluGrad's own rule.
      const first = (a: Tensor) => grad((b: Tensor) => sum(mul(mul(relu(b), relu(b)), c)))(a);
      const second = checkGrad(first, x, { seed: seed + 1 });
      expect(second.ok, second.message).toBe(true);
      const h = randomNormal(x.shape, { seed: seed + 2 });
      const third = checkGrad((a: Tensor) => grad((b: Tensor) => sum(mul(first(b), first(b))))(a), x, { seed: seed + 3 });
      expect(third.ok, third.message).toBe(true);
      const inG = checkGrad((gg: Tensor) => grad((b: Tensor) => sum(mul(mul(reluGrad(x, b), reluGrad(x, b)), h)))(gg), c, { seed: seed + 4 });
      expect(inG.ok, inG.message).toBe(true);
    }), { numRuns: RUNS / 2 });
  });

  it('rejects operands that do not fit, naming the primitive', () => {
    const x = tensor([[1, -2], [3, 4]]);
    expect(() => reluGrad(x, tensor([1, 2]))).toThrow(ShapeError);
    expect(() => reluGrad(x, tensor([1, 2]))).toThrow(/reluGrad: primitive operands must have equal shapes, got \[2,2\] and \[2\]/);
    expect(() => reluGrad(x, x.cast('float64'))).toThrow(ValueError);
    expect(() => reluGrad(x, x.cast('float64'))).toThrow(/reluGrad: primitive operands must share a dtype, got float32 and float64/);
    expect(() => relu([1, 2] as unknown as Tensor)).toThrow(ValueError);
    expect(() => relu(3 as unknown as Tensor)).toThrow(/relu: x must be a Tensor/);
  });
});

function asTensor(storage: TypedArray, c: Case): Tensor {
  return tensor(Array.from(storage), c.x.shape, c.x.dtype);
}
