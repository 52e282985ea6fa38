// maxGrad, max's vjp as one primitive: the same bits as the composite it replaced (equal, mul, sum, div), ties, ±0,
// ±Infinity and NaN included, both dtypes, fast and reference kernels; its own vjp (a transpose) and its errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ShapeError, ValueError, div, equal, expand, grad, max, maxPool2d, mul, onesLike, randomNormal, reciprocal, referenceKernels, setKernel, sum, tensor, vjp
} from 'semiflow';
import { arbDistinctTensor, checkGrad } from 'semiflow/testing';
import type { DType, Tensor } from 'semiflow';
import { withBufferScope } from '../core/buffer-scope.ts';
import { allocate } from '../core/buffer-pool.ts';
import { fastKernels } from '../core/kernels/fast/index.ts';
import { maxGrad } from '../core/ops/reduce.ts';
import { shapeRules } from '../core/prim-shapes.ts';

const RUNS = Number(process.env.SEMIFLOW_SWEEP_RUNS ?? 100);

const dtype = fc.constantFrom<DType>('float32', 'float64');
/** Small integers, so that groups tie, and the specials that make 0·g and 0·(1/0) interesting. */
const xValue = fc.oneof({ arbitrary: fc.integer({ min: -2, max: 2 }), weight: 6 }, { arbitrary: fc.constantFrom(-0, Infinity, -Infinity, NaN), weight: 1 });
const gValue = fc.oneof({ arbitrary: fc.double({ min: -3, max: 3, noNaN: true }), weight: 4 }, { arbitrary: fc.constantFrom(0, -0, -1, 1e30, Infinity, -Infinity, NaN), weight: 1 });
const dim = fc.oneof({ arbitrary: fc.constant(1), weight: 2 }, { arbitrary: fc.integer({ min: 2, max: 5 }), weight: 4 }, { arbitrary: fc.integer({ min: 20, max: 40 }), weight: 1 });
const shape = fc.array(dim, { minLength: 0, maxLength: 5 }).filter((s) => s.reduce((a, b) => a * b, 1) <= 4000);

interface Case {
  x: Tensor;
  g: Tensor;
  axes: number[];
}

const cases: fc.Arbitrary<Case> = fc.tuple(shape, dtype)
  .chain(([s, d]) => fc.tuple(
    fc.array(xValue, { minLength: size(s), maxLength: size(s) }).map((v) => tensor(v, s, d)),
    fc.shuffledSubarray(s.map((_, i) => i)),
  ))
  .chain(([x, axes]) => {
    const kept = x.shape.map((n, i) => (axes.includes(i) ? 1 : n));
    return fc.array(gValue, { minLength: size(kept), maxLength: size(kept) }).map((v) => ({ x, axes, g: tensor(v, kept, x.dtype) }));
  });

function size(s: readonly number[]): number {
  return s.reduce((a, b) => a * b, 1);
}

/** max's vjp as it was before maxGrad, in both forms div takes: reciprocal before the broadcast, or after it. */
function composite(x: Tensor, output: Tensor, g: Tensor, axes: readonly number[]): Tensor[] {
  const hits = equal(x, output);
  const count = sum(hits, axes, true);
  return [div(mul(hits, g), count), mul(mul(hits, g), reciprocal(expand(count, x.shape)))];
}

function expectSameBits(actual: Tensor, expected: Tensor, what: string): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.dtype).toBe(expected.dtype);
  for (let i = 0; i < expected.size; i++) {
    if (!Object.is(actual.storage[i], expected.storage[i])) {
      expect.fail(`${what}: element ${i} is ${actual.storage[i]}, expected ${expected.storage[i]}`);
    }
  }
}

/** The case, with its values when there are few enough to read. */
function describeCase({ x, g, axes }: Case): string {
  const values = x.size <= 40 ? ` x=${Array.from(x.storage).join(',')} g=${Array.from(g.storage).join(',')}` : '';
  return `${x.dtype} x ${JSON.stringify(x.shape)} axes [${axes.join(',')}]${values}`;
}

describe('maxGrad', () => {
  it('gives the same bits as the composite max vjp it replaced, with the fast and the reference kernel', () => {
    fc.assert(fc.property(cases, (c) => {
      const output = max(c.x, c.axes, true);
      const expected = composite(c.x, output, c.g, c.axes);
      const fast = maxGrad(c.x, output, c.g, c.axes);
      const restore = setKernel('maxGrad', referenceKernels.maxGrad);
      let reference: Tensor;
      try {
        reference = maxGrad(c.x, output, c.g, c.axes);
      } finally {
        restore();
      }
      for (const e of expected) {
        expectSameBits(fast, e, `fast ${describeCase(c)}`);
        expectSameBits(reference, e, `reference ${describeCase(c)}`);
      }
    }), { numRuns: RUNS });
  });

  it('is what the tape now runs for max: vjp of max gives the composite bits', () => {
    // With no axes, max is x itself and runs no primitive.
    fc.assert(fc.property(cases.filter((c) => c.axes.length > 0), (c) => {
      const { value, backward } = vjp((x: Tensor) => max(x, c.axes, true), c.x);
      expectSameBits(backward(c.g), composite(c.x, value, c.g, c.axes)[0], describeCase(c));
    }), { numRuns: RUNS });
  });

  it('fast kernel writes every element even from a pool of dirty arrays', () => {
    fc.assert(fc.property(cases, (c) => {
      const output = max(c.x, c.axes, true);
      const expected = referenceKernels.maxGrad([c.x.storage, output.storage, c.g.storage], [c.x.shape, output.shape, c.g.shape], { axes: c.axes }, { shape: c.x.shape, dtype: c.x.dtype });
      const fast = fastKernels.maxGrad;
      if (fast === undefined) throw new Error('no fast maxGrad kernel');
      withBufferScope(() => {
        for (const n of [c.x.size, c.g.size]) allocate(c.x.dtype, n).fill(NaN);
        return [];
      }, () => []);
      withBufferScope(() => {
        const actual = fast([c.x.storage, output.storage, c.g.storage], [c.x.shape, output.shape, c.g.shape], { axes: c.axes }, { shape: c.x.shape, dtype: c.x.dtype });
        expectSameBits(tensor(Array.from(actual), c.x.shape, c.x.dtype), tensor(Array.from(expected), c.x.shape, c.x.dtype), describeCase(c));
        return [];
      }, () => []);
    }), { numRuns: RUNS });
  });

  it('splits g equally among tied maxima and gives a NaN max NaN everywhere', () => {
    const x = tensor([[1, 3, 3, 0], [1, 2, 0, NaN]]);
    const y = max(x, [1], true);
    expect(maxGrad(x, y, tensor([[6], [5]]), [1]).toArray()).toEqual([[0, 3, 3, 0], [NaN, NaN, NaN, NaN]]);
  });

  it('gives x and the max no gradient and g the transpose: ⟨maxGrad(g), h⟩ = ⟨g, vjp(h)⟩', () => {
    fc.assert(fc.property(cases, fc.nat(), (c, seed) => {
      const x = c.x.cast('float64');
      const finite = (t: Tensor) => tensor(Array.from(t.storage, (v) => (Number.isFinite(v) ? v : 1)), t.shape, 'float64');
      const xs = finite(x);
      const y = max(xs, c.axes, true);
      const g = finite(c.g.cast('float64'));
      const h = randomNormal(xs.shape, { seed });
      const { value, backward } = vjp(([a, b, gg]: Tensor[]) => maxGrad(a, b, gg, c.axes), [xs, y, g]);
      const [dx, dy, dg] = backward(h);
      expect(Array.from(dx.storage).every((v) => v === 0)).toBe(true);
      expect(Array.from(dy.storage).every((v) => v === 0)).toBe(true);
      const left = sum(mul(value, h)).item();
      const right = sum(mul(g, dg)).item();
      expect(Math.abs(left - right)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(left)));
    }), { numRuns: RUNS });
  });

  it('has a gradient and a second derivative in g that checkGrad accepts', () => {
    fc.assert(fc.property(cases, fc.nat(), (c, seed) => {
      const x = tensor(Array.from(c.x.storage, (v) => (Number.isFinite(v) ? v : 0)), c.x.shape, 'float64');
      const y = max(x, c.axes, true);
      const g = randomNormal(y.shape, { seed });
      const h = randomNormal(x.shape, { seed: seed + 1 });
      const f = (gg: Tensor) => maxGrad(x, y, gg, c.axes);
      const first = checkGrad(f, g, { seed });
      expect(first.ok, first.message).toBe(true);
      // Through the square, g's second derivative is not zero: 2·Jᵀ(J g ⊙ h)
      const second = (gg: Tensor) => grad((a: Tensor) => sum(mul(mul(f(a), f(a)), h)))(gg);
      const result = checkGrad(second, g, { seed: seed + 2 });
      expect(result.ok, result.message).toBe(true);
    }), { numRuns: RUNS / 2 });
  });

  it('keeps grad-of-grad through max pooling working (distinct values)', () => {
    fc.assert(fc.property(arbDistinctTensor([1, 4, 4, 2]), fc.nat(), (x, seed) => {
      const c = randomNormal([1, 2, 2, 2], { seed });
      const inner = (a: Tensor) => grad((b: Tensor) => sum(mul(mul(maxPool2d(b, { poolSize: 2 }), maxPool2d(b, { poolSize: 2 })), c)))(a);
      const result = checkGrad(inner, x, { seed: seed + 1 });
      expect(result.ok, result.message).toBe(true);
    }), { numRuns: 20 });
  });

  it('rejects operands that do not fit, naming maxGrad', () => {
    const x = tensor([[1, 2], [3, 4]]);
    const y = max(x, [1], true);
    expect(() => maxGrad(x, y, onesLike(x), [1])).toThrow(ShapeError);
    expect(() => maxGrad(x, max(x, [0], true), onesLike(y), [1])).toThrow(/maxGrad: x \[2,2\] reduced over axes \[1\] is \[2,1\]/);
    expect(() => maxGrad(x, y, onesLike(y), [2])).toThrow(/maxGrad: axes \[2\]/);
    expect(() => maxGrad(x, y, onesLike(y).cast('float64'), [1])).toThrow(ValueError);
    expect(() => shapeRules.maxGrad([[2, 0], [2, 1], [2, 1]], ['float32', 'float32', 'float32'], { axes: [1] })).toThrow(/maxGrad: cannot reduce an empty axis/);
  });
});
