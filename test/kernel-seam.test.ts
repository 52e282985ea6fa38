import { describe, expect, it } from 'vitest';
import { referenceKernels, setKernel, tensor } from 'semiflow';
import type { Kernel } from 'semiflow';

describe('the kernel seam', () => {
  it('runs a swapped-in kernel and restores the reference one', () => {
    const calls: number[] = [];
    const counting: Kernel<'add'> = (inputs, shapes, params, out) => {
      calls.push(inputs[0].length);
      return referenceKernels.add(inputs, shapes, params, out);
    };
    const restore = setKernel('add', counting);
    try {
      expect(tensor([1, 2]).add(tensor([3, 4])).toArray()).toEqual([4, 6]);
      expect(calls).toEqual([2]);
    } finally {
      restore();
    }
    tensor([1]).add(tensor([1]));
    expect(calls).toEqual([2]);
  });
});
