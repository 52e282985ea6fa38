// The tape joins the cotangents that slices send to one tensor in a single concat when they cut one axis into
// disjoint pieces (split, unstack: a recurrent layer's time steps), instead of padding each to the whole tensor.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grad, mul, profile, randomNormal, slice, split, sum, unstack } from 'semiflow';
import type { Tensor } from 'semiflow';
import { arbShape, arbTensor, assertGrad } from 'semiflow/testing';

/** Every k-th part of x cut along axis, each weighted by its own tensor: parts left out leave gaps. */
function weightedParts(x: Tensor, sizes: number[], axis: number, used: boolean[], weights: Tensor[]): Tensor {
  return split(x, sizes, axis).reduce((total, part, k) => (used[k] ? total.add(sum(mul(part, weights[k]))) : total), sum(mul(x, 0)));
}

const arbCut = arbShape({ minRank: 1, maxRank: 3, maxDim: 6 }).chain((shape) =>
  fc.integer({ min: 0, max: shape.length - 1 }).chain((axis) =>
    fc.array(fc.integer({ min: 0, max: shape[axis] }), { minLength: 1, maxLength: 4 }).map((cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), shape[axis]];
      const sizes = points.slice(1).map((p, i) => p - points[i]);
      return { shape, axis, sizes };
    })).chain((cut) => fc.record({
    cut: fc.constant(cut),
    used: fc.array(fc.boolean(), { minLength: cut.sizes.length, maxLength: cut.sizes.length }),
    x: arbTensor(cut.shape),
  })));

describe('cotangents of slices', () => {
  it('are each part\'s weight in its place and 0 in the gaps, for any cut of any axis', () => {
    fc.assert(fc.property(arbCut, ({ cut: { shape, axis, sizes }, used, x }) => {
      const weights = sizes.map((s, k) => randomNormal(shape.map((d, i) => (i === axis ? s : d)), { seed: k, dtype: 'float64' }));
      const g = grad((t: Tensor) => weightedParts(t, sizes, axis, used, weights))(x);
      const expected = split(g, sizes, axis).map((part, k) => (used[k] ? weights[k] : mul(part, 0)));
      split(g, sizes, axis).forEach((part, k) => expect(Array.from(part.storage)).toEqual(Array.from(expected[k].storage)));
    }), { numRuns: 60 });
  });

  it('agree with finite differences, overlapping and two-axis slices (pad and add) included, and to second order', () => {
    const x = randomNormal([4, 5], { seed: 1, dtype: 'float64' });
    const f = (t: Tensor): Tensor => {
      const rows = unstack(t, 0);
      const overlap = slice(t, [1, 0], [2, 5]).square().sum();
      const corner = slice(t, [2, 3], [2, 2]).exp().sum();
      return rows.reduce((s, r, k) => s.add(r.mul(k + 1).square().sum()), overlap.add(corner));
    };
    assertGrad(f, x);
    assertGrad((t: Tensor) => sum(mul(grad(f)(t), t)), x);
  });

  it('of a tensor cut into 64 steps are joined by one concat, with no pad in the backward pass', () => {
    const x = randomNormal([64 * 8, 16], { seed: 2 });
    const f = (t: Tensor): Tensor => split(t, 64, 0).reduce((s, part, k) => s.add(part.mul(k).sum()), t.sum());
    const { report } = profile(() => grad(f)(x));
    const backward = (prim: string) => report.rows.filter((r) => r.prim === prim && r.phase === 'backward').reduce((n, r) => n + r.calls, 0);
    expect(backward('pad')).toBe(0);
    expect(backward('concat')).toBe(1);
  });
});
