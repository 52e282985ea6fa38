// The softmaxCrossEntropy primitive against the composite it replaced in the categorical losses,
// −Σ y·logSoftmax(z): its float32 value is the float64 one rounded once, within a stated bound of the composite,
// and its gradient matches the composite's tape gradient.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grad, logSoftmax, mean, mul, neg, oneHot, randomNormal, softmaxCrossEntropy, sum } from 'semiflow';
import type { Tensor } from 'semiflow';

const composite = (z: Tensor, y: Tensor): Tensor => neg(sum(mul(y, logSoftmax(z)), -1));

/** A batch of logits (moderate, large, or far from 0) and one-hot or smoothed targets. */
const arbBatch = fc.record({
  rows: fc.integer({ min: 1, max: 130 }),
  classes: fc.integer({ min: 1, max: 12 }),
  scale: fc.constantFrom(1, 30),
  shift: fc.constantFrom(0, 1e4, -50),
  seed: fc.nat(),
  smoothing: fc.constantFrom(0, 0.1),
}).map(({ rows, classes, scale, shift, seed, smoothing }) => {
  const z = randomNormal([rows, classes], { seed, stddev: scale, mean: shift });
  const hot = oneHot(Array.from({ length: rows }, (_, i) => (i * 7 + seed) % classes), classes);
  return { z, y: smoothing === 0 ? hot : hot.mul(1 - smoothing).add(smoothing / classes) };
});

describe('softmaxCrossEntropy', () => {
  it('in float32 is its float64 value rounded once (the same loops in doubles), and within 1e-5·(1 + |loss|) of the composite', () => {
    fc.assert(fc.property(arbBatch, ({ z, y }) => {
      const fused = softmaxCrossEntropy(z, y);
      const exact = softmaxCrossEntropy(z.cast('float64'), y.cast('float64'));
      const reference = composite(z.cast('float64'), y.cast('float64'));
      const composed = composite(z, y);
      expect(fused.dtype).toBe('float32');
      for (let r = 0; r < fused.size; r++) {
        expect(fused.storage[r]).toBe(Math.fround(exact.storage[r]));
        expect(Math.abs(exact.storage[r] - reference.storage[r])).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(reference.storage[r])));
        expect(Math.abs(fused.storage[r] - composed.storage[r])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(reference.storage[r])));
      }
    }), { numRuns: 60 });
  });

  it("has the composite's gradient for the logits and the targets (float32 within 1e-6·(1 + |g|), float64 within 1e-12)", () => {
    fc.assert(fc.property(arbBatch, ({ z, y }) => {
      for (const [dtype, tol] of [['float32', 1e-6], ['float64', 1e-12]] as const) {
        const [zs, ys] = [z.cast(dtype), y.cast(dtype)];
        const fused = grad(([a, b]: Tensor[]) => mean(softmaxCrossEntropy(a, b)))([zs, ys]);
        const composed = grad(([a, b]: Tensor[]) => mean(composite(a, b)))([zs, ys]);
        fused.forEach((g, i) => g.storage.forEach((v, k) => {
          const want = composed[i].storage[k];
          expect(Math.abs(v - want), `${dtype} input ${i} element ${k}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want)));
        }));
      }
    }), { numRuns: 40 });
  });

  it('broadcasts the targets and refuses logits without a class axis', () => {
    const z = randomNormal([3, 4], { seed: 1 });
    const y = oneHot([2], 4);
    expect(Array.from(softmaxCrossEntropy(z, y).storage)).toEqual(Array.from(softmaxCrossEntropy(z, y.expand([3, 4])).storage));
    expect(() => softmaxCrossEntropy(randomNormal([], { seed: 1 }), randomNormal([], { seed: 2 }))).toThrow(/softmaxCrossEntropy: logits and targets must have one shape \[\.\.\., classes\]/);
  });
});
