import { describe, expect, it } from 'vitest';
import {
  add, concat, ConfigError, conv2d, exp, matmul, maxPool2d, oneHot, ones, reshape, SemiflowError, ShapeError, sum, tensor, ValueError, zeros
} from 'semiflow';
import { thrown } from './thrown.ts';

describe('bad input gets a typed error that names the op and both shapes', () => {
  it('a broadcast mismatch', () => {
    const error = thrown(() => add(zeros([2, 3]), zeros([4, 3])));
    expect(error).toBeInstanceOf(ShapeError);
    expect(error.message).toBe('add: shapes [2,3] and [4,3] cannot be broadcast together (dim 2 vs 4)');
  });

  it('matmul inner dimensions', () => {
    const error = thrown(() => matmul(zeros([2, 3]), zeros([4, 5])));
    expect(error).toBeInstanceOf(ShapeError);
    expect(error.message).toBe('matmul: inner dimensions differ: [2,3] and [4,5] (3 vs 4)');
  });

  it('a conv2d channel mismatch', () => {
    const error = thrown(() => conv2d(zeros([1, 5, 5, 3]), zeros([3, 3, 2, 4])));
    expect(error).toBeInstanceOf(ShapeError);
    expect(error.message).toBe('conv2d: input [1,5,5,3] has 3 channels but kernel [3,3,2,4] expects 2');
  });

  it('a bad axis', () => {
    const error = thrown(() => sum(zeros([2, 3]), 2));
    expect(error).toBeInstanceOf(ShapeError);
    expect(error.message).toBe('sum: axis 2 is out of range for a tensor of rank 2 (expected an integer in [-2, 1])');
    expect(thrown(() => sum(zeros([2, 3]), 0.5)).message).toMatch(/^sum: axis 0.5 is out of range/);
  });

  it('conv2d on rank-2 input, and a window larger than the image', () => {
    expect(thrown(() => conv2d(zeros([5, 5]), zeros([3, 3, 1, 1]))).message).toBe(
      'conv2d: expected input [N,H,W,C] and kernel [kh,kw,inC,outC], got [5,5] and [3,3,1,1]',
    );
    expect(thrown(() => maxPool2d(zeros([1, 2, 2, 1]), { poolSize: 3 })).message).toMatch(/maxPool2d: the 3x3 window does not fit in input \[1,2,2,1\]/);
  });

  it('bad options', () => {
    expect(thrown(() => conv2d(zeros([1, 5, 5, 1]), zeros([3, 3, 1, 1]), { padding: 'full' as never }))).toBeInstanceOf(ConfigError);
    expect(thrown(() => maxPool2d(zeros([1, 4, 4, 1]), { poolSize: 0 }))).toBeInstanceOf(ValueError);
    expect(thrown(() => reshape(zeros([2, 3]), [4, -1])).message).toBe('reshape: cannot infer the -1 in [4,-1] for [2,3] (6 elements)');
    expect(thrown(() => concat([zeros([2, 3]), zeros([2, 4])], 0)).message).toBe('concat: shapes [2,3], [2,4] do not match outside axis 0');
  });

  it('labels out of range', () => {
    const error = thrown(() => oneHot(tensor([0, 3, 1]), 3));
    expect(error).toBeInstanceOf(ValueError);
    expect(error.message).toBe('oneHot: every index must be an integer in [0, 3), got 3 at flat position 1');
    expect(thrown(() => oneHot([0.5], 3)).message).toMatch(/got 0.5/);
  });

  it('every error shares one base class', () => {
    for (const fn of [() => add(ones([2]), ones([3])), () => oneHot([5], 2), () => conv2d(zeros([1, 3, 3, 1]), zeros([1, 1, 1, 1]), { padding: 'x' as never })]) {
      expect(thrown(fn)).toBeInstanceOf(SemiflowError);
    }
  });
});

describe('values of the wrong kind', () => {
  it('get a ValueError instead of a NaN or a crash inside a kernel', () => {
    expect(thrown(() => add(ones([2]), 'x' as never)).message).toBe('add: operand 1 must be a Tensor or a number, got string "x"');
    expect(thrown(() => exp([1, 2] as never)).message).toBe('exp: input 0 must be a Tensor, got an array');
    expect(thrown(() => matmul(undefined as never, ones([2, 2])))).toBeInstanceOf(ValueError);
  });
});
