import { describe, expect, it } from 'vitest';
import * as ops from '../core/ops/index.ts';
import {
  arange, eye, fill, ones, randomNormal, randomUniform, Rng, scalar, setSeed, ShapeError, tensor, Tensor, ValueError, zeros
} from 'semiflow';

describe('building tensors', () => {
  it('infers shape and dtype from nested arrays', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it('takes a typed array and a shape, keeping float64 for a Float64Array', () => {
    const t = tensor(new Float64Array([1, 2, 3, 4, 5, 6]), [3, 2]);
    expect(t.dtype).toBe('float64');
    expect(t.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
  });

  it('makes a rank-0 tensor from a number and reads it back with item()', () => {
    expect(tensor(2.5).shape).toEqual([]);
    expect(tensor(2.5).item()).toBe(2.5);
    expect(scalar(3, 'float64').dtype).toBe('float64');
  });

  it('builds zeros, ones, fill, arange and eye', () => {
    expect(zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(ones([3], 'float64').toArray()).toEqual([1, 1, 1]);
    expect(fill([2], 7).toArray()).toEqual([7, 7]);
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(3, 0, -1).toArray()).toEqual([3, 2, 1]);
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(zeros([0, 3]).size).toBe(0);
  });

  it('rounds values to float32 by default', () => {
    expect(tensor([0.1]).data[0]).toBe(Math.fround(0.1));
    expect(tensor([0.1], undefined, 'float64').data[0]).toBe(0.1);
  });

  it('rejects negative, fractional and mismatched shapes with a ShapeError naming the shape', () => {
    expect(() => tensor([1, 2, 3], [-1, -3])).toThrow(ShapeError);
    expect(() => zeros([2.5])).toThrow(/non-negative integer, got shape \[2.5\]/);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/got 3 values but shape \[2,2\] needs 4/);
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => new Tensor(new Float32Array(3), [2])).toThrow(ValueError);
  });

  it('rejects non-numbers and unknown dtypes', () => {
    expect(() => tensor(['a' as unknown as number])).toThrow(ValueError);
    expect(() => zeros([2], 'int8' as never)).toThrow(/unknown dtype 'int8'/);
    expect(() => arange(0, 3, 0)).toThrow(ValueError);
  });
});

describe('reading tensors back', () => {
  it('gives a copy from data, so a tensor cannot be changed through it', () => {
    const t = tensor([1, 2]);
    const copy = t.data;
    copy[0] = 100;
    expect(t.toArray()).toEqual([1, 2]);
  });

  it('refuses item() on a tensor with more than one element', () => {
    expect(() => tensor([1, 2]).item()).toThrow(/one element, got shape \[2\]/);
  });

  it('freezes the shape', () => {
    const t = tensor([1, 2]);
    expect(Object.isFrozen(t.shape)).toBe(true);
  });
});

describe('random tensors', () => {
  it('reproduce exactly from one seed and differ between seeds', () => {
    const a = randomNormal([100], { seed: 42 }).toArray();
    expect(randomNormal([100], { seed: 42 }).toArray()).toEqual(a);
    expect(randomNormal([100], { seed: 43 }).toArray()).not.toEqual(a);
  });

  it('draw from the global generator, which setSeed resets', () => {
    setSeed(7);
    const first = randomUniform([5]).toArray();
    setSeed(7);
    expect(randomUniform([5]).toArray()).toEqual(first);
  });

  it('have the requested moments and range', () => {
    const n = randomNormal([20000], { seed: 1, mean: 2, stddev: 3, dtype: 'float64' });
    const mean = n.mean().item();
    const std = Math.sqrt(n.sub(mean).square().mean().item());
    expect(Math.abs(mean - 2)).toBeLessThan(0.1);
    expect(Math.abs(std - 3)).toBeLessThan(0.1);
    const u = randomUniform([20000], { seed: 2, min: -1, max: 3 });
    expect(u.min().item()).toBeGreaterThanOrEqual(-1);
    expect(u.max().item()).toBeLessThan(3);
    expect(Math.abs(u.mean().item() - 1)).toBeLessThan(0.05);
  });

  it('give integers in range from Rng.int, the same for the same seed', () => {
    const draw = (seed: number) => Array.from({ length: 200 }, ((rng) => () => rng.int(7))(new Rng(seed)));
    expect(draw(3)).toEqual(draw(3));
    expect(new Set(draw(3))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
  });

  it('give every integer seed its own stream, keeping the streams of seeds in [0, 2^32) as they were', () => {
    const first = (seed: number) => ((rng) => [rng.nextUint32(), rng.nextUint32(), rng.nextUint32()])(new Rng(seed));
    // Drawn before seeds outside [0, 2^32) got their own streams: these must not change.
    expect(first(42)).toEqual([2837322924, 544945897, 479756282]);
    expect(first(2 ** 32 - 1)).toEqual([835879718, 1921286648, 2356199249]);
    // Equal low 32 bits, different seeds: -1 and 2^32 − 1, 0 and 2^32, 5 and 5 − 2^40.
    for (const [a, b] of [[-1, 2 ** 32 - 1], [0, 2 ** 32], [5, 5 - 2 ** 40], [2 ** 52, 0]]) expect(first(a)).not.toEqual(first(b));
  });

  it('continue one stream when given a generator', () => {
    const rng = new Rng(5);
    const a = randomUniform([3], { seed: rng }).toArray();
    const b = randomUniform([3], { seed: rng }).toArray();
    expect(a).not.toEqual(b);
  });
});

describe('methods', () => {
  it('exist for every op, so calls chain', () => {
    const missing = Object.keys(ops).filter((name) => typeof (Tensor.prototype as unknown as Record<string, unknown>)[name] !== 'function');
    expect(missing).toEqual([]);
    const y = tensor([[1, -2]]).matmul(tensor([[1], [1]])).add(0.5).relu();
    expect(y.toArray()).toEqual([[0]]);
  });
});

describe('printing', () => {
  it('shows shape, dtype and values, and shortens large tensors', () => {
    expect(String(tensor([[1, 2]]))).toBe('Tensor([1,2], float32, [[1,2]])');
    expect(String(tensor(new Float64Array(1000), [10, 100]))).toBe('Tensor([10,100], float64, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ... 990 more])');
  });
});
