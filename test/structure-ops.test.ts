// The structural ops beyond the sweep's naive references: shapes of split parts, prod's gradient with zeros, the
// gradient conventions at 0 of norm and std, conv2dTranspose as conv2d's adjoint, and dilated, depthwise (grouped)
// and transposed convolutions against TensorFlow.js on its CPU backend.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ShapeError, conv2d, conv2dTranspose, einsum, flopsOf, grad, mul, norm, prod, randomNormal, reshape, split, stack,
  std, sum, tensor, unstack, zeros,
} from 'semiflow';
import { arbTensor } from 'semiflow/testing';
import type { Padding, Tensor } from 'semiflow';
import { shapeRules } from '../core/prim-shapes.ts';
import { thrown } from './thrown.ts';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
});

const values = (t: Tensor): number[] => Array.from(t.storage);
const dot = (a: Tensor, b: Tensor): number => sum(mul(a, b)).item();

describe('split, unstack and stack', () => {
  it('give parts of the expected shapes, and stack undoes unstack', () => {
    const x = randomNormal([2, 5, 3], { seed: 1 });
    expect(split(x, [1, 0, 4], 1).map((p) => p.shape)).toEqual([[2, 1, 3], [2, 0, 3], [2, 4, 3]]);
    expect(split(x, 3, -1).map((p) => p.shape)).toEqual([[2, 5, 1], [2, 5, 1], [2, 5, 1]]);
    const rows = unstack(x, 1);
    expect(rows.map((p) => p.shape)).toEqual(new Array(5).fill([2, 3]));
    expect(values(stack(rows, 1))).toEqual(values(x));
    expect(values(rows[0].stack(rows.slice(1), 1))).toEqual(values(x));
  });
});

describe('the new primitives', () => {
  it('refuse operands that do not fit in their shape rules, naming the primitive', () => {
    const cases: [() => unknown, string][] = [
      [() => shapeRules.gather([[3, 2], [2, 2]], ['float32', 'float32'], { axis: 0 }), 'gather: expected 1-D indices and an axis of [3,2], got indices [2,2] and axis 0'],
      [() => shapeRules.gather([[3, 2], [4]], ['float32', 'float32'], { axis: 2 }), 'gather: expected 1-D indices and an axis of [3,2], got indices [4] and axis 2'],
      [() => shapeRules.scatterAdd([[3, 2], [4]], ['float32', 'float32'], { axis: 0, size: 5 }), 'scatterAdd: updates [3,2] need 4 entries along axis 0 (one per index) and a non-negative integer size, got 3 and size 5'],
      [() => shapeRules.scatterAdd([[3, 2], [3]], ['float32', 'float32'], { axis: 0, size: 1.5 }), 'got 3 and size 1.5'],
      [() => shapeRules.topkIndices([[2, 3]], ['float32'], { k: 4 }), 'topkIndices: k must be an integer in [0, 3] for shape [2,3], got 4'],
      [() => shapeRules.topkIndices([[]], ['float32'], { k: 0 }), 'topkIndices: k must be an integer in [0, 0] for shape [], got 0'],
      [() => shapeRules.unfold([[1, 4, 4, 1]], ['float32'], { kernel: [3, 3], strides: [1, 1], dilations: [2, 1] }), 'unfold: expected NHWC input at least as large as the 5x3 window'],
    ];
    for (const [run, message] of cases) expect(thrown(run).message).toContain(message);
    expect(thrown(cases[0][0])).toBeInstanceOf(ShapeError);
  });

  it('count FLOPs: gather copies, scatterAdd adds once per update, topkIndices compares n·log2 n per row', () => {
    expect(flopsOf('gather', [[5, 3], [4]], { axis: 0 }, [4, 3])).toBeNull();
    expect(flopsOf('scatterAdd', [[4, 3], [4]], { axis: 0, size: 5 }, [5, 3])).toBe(12);
    expect(flopsOf('topkIndices', [[2, 8]], { k: 3 }, [2, 3])).toBe(48);
  });
});

describe('gradient conventions', () => {
  it('prod: the gradient is the product of the other entries, zeros included (exp Σ log would give NaN)', () => {
    const g = (x: number[]) => values(grad((t: Tensor) => prod(t))(tensor(x, [x.length], 'float64')));
    expect(g([2, 0, 3])).toEqual([0, 6, 0]);
    expect(g([2, 0, 3, 0])).toEqual([0, 0, 0, 0]);
    expect(g([-1, 2, -3, 4, 5])).toEqual([-120, 60, -40, 30, 24]);
  });

  it('norm and std have gradient 0 where the value is 0, and a finite second derivative there', () => {
    for (const f of [(t: Tensor) => norm(t), (t: Tensor) => norm(t, 'fro', [0, 1]), (t: Tensor) => std(t)]) {
      expect(values(grad(f)(zeros([2, 3], 'float64')))).toEqual([0, 0, 0, 0, 0, 0]);
      const curvature = grad((t: Tensor) => sum(grad(f)(t)))(zeros([2, 3], 'float64'));
      expect(values(curvature).every(Number.isFinite)).toBe(true);
    }
    expect(values(grad((t: Tensor) => std(t))(tensor([3, 3, 3], [3], 'float64')))).toEqual([0, 0, 0]);
  });
});

describe('conv2dTranspose', () => {
  it('is the adjoint of conv2d: ⟨conv2d(y, k), x⟩ = ⟨y, conv2dTranspose(x, k)⟩ for the same kernel', () => {
    const config = fc.record({
      n: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 1, max: 4 }), w: fc.integer({ min: 1, max: 4 }),
      inC: fc.integer({ min: 1, max: 3 }), outC: fc.integer({ min: 1, max: 3 }),
      kernel: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
      strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      padding: fc.constantFrom<Padding>('valid', 'same'),
    }).chain((c) => fc.tuple(fc.constant(c), arbTensor([c.n, c.h, c.w, c.inC]), arbTensor([c.kernel[0], c.kernel[1], c.outC, c.inC])));
    fc.assert(fc.property(config, ([c, x, k]) => {
      const up = conv2dTranspose(x, k, { strides: c.strides, padding: c.padding });
      const y = randomNormal(up.shape, { seed: c.h * 7 + c.w, dtype: 'float64' });
      const down = conv2d(y, k, { strides: c.strides, padding: c.padding });
      expect(down.shape).toEqual(x.shape);
      expect(dot(down, x)).toBeCloseTo(dot(y, up), 10);
    }), { numRuns: 100 });
  });
});

/** The same random values as a semiflow tensor (float32) and a tfjs one. */
function both(shape: number[], seed: number): [Tensor, tf.Tensor] {
  const t = randomNormal(shape, { seed });
  return [t, tf.tensor(Array.from(t.storage), shape)];
}

function expectNear(ours: Tensor, theirs: tf.Tensor): void {
  expect(ours.shape).toEqual(theirs.shape);
  const expected = theirs.dataSync();
  values(ours).forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-4));
}

describe('against TensorFlow.js', () => {
  it.each([[1, 'valid'], [2, 'valid'], [1, 'same'], [3, 'same']] as [number, Padding][])('conv2dTranspose with strides %i and %s padding', (s, padding) => {
    const [x, tx] = both([2, 3, 4, 2], 1);
    const [k, tk] = both([3, 2, 5, 2], 2);
    const ours = conv2dTranspose(x, k, { strides: s, padding });
    const shape: [number, number, number, number] = [2, ours.shape[1], ours.shape[2], 5];
    expectNear(ours, tf.conv2dTranspose(tx as tf.Tensor4D, tk as tf.Tensor4D, shape, s, padding));
  });

  it.each(['valid', 'same'] as Padding[])('dilated conv2d with %s padding', (padding) => {
    const [x, tx] = both([1, 7, 6, 2], 3);
    const [k, tk] = both([3, 2, 2, 4], 4);
    expectNear(conv2d(x, k, { dilations: [2, 3], padding }), tf.conv2d(tx as tf.Tensor4D, tk as tf.Tensor4D, 1, padding, 'NHWC', [2, 3]));
  });

  it('conv2d with one group per channel is a depthwise convolution', () => {
    const [x, tx] = both([2, 5, 5, 3], 5);
    const [k, tk] = both([3, 3, 3, 2], 6); // tfjs: [kh, kw, C, multiplier]; ours: [kh, kw, 1, C·multiplier]
    const ours = conv2d(x, reshape(k, [3, 3, 1, 6]), { groups: 3, strides: 2, padding: 'same' });
    expectNear(ours, tf.depthwiseConv2d(tx as tf.Tensor4D, tk as tf.Tensor4D, 2, 'same'));
  });

  it('einsum agrees with tf.einsum on batch matmul and an outer product', () => {
    const [a, ta] = both([2, 3, 4], 7);
    const [b, tb] = both([2, 4, 5], 8);
    expectNear(einsum('bij,bjk->bik', a, b), tf.einsum('bij,bjk->bik', ta, tb));
    expectNear(a.einsum('bij,bjk->kib', b), tf.einsum('bij,bjk->kib', ta, tb));
  });
});
