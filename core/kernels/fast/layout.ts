import type { TypedArray } from '../../dtype.ts';
import type { Shape } from '../../shape.ts';

/** A run of adjacent axes that behave alike: `size` elements, all broadcast/reduced (`spread`) or all kept. */
export interface Run {
  size: number;
  spread: boolean;
}

/**
 * Collapses `big` (the larger shape) against `small` (same rank, each dim equal or 1) into runs:
 * an axis is spread where small is 1 and big is not; size-1 axes of big vanish; neighbours of one kind merge.
 * Reductions (small = kept-dims output) and expansions (small = input) both walk these runs.
 */
export function runsOf(big: Shape, small: Shape): Run[] {
  const runs: Run[] = [];
  for (let axis = 0; axis < big.length; axis++) {
    const size = big[axis];
    if (size === 1) continue;
    const spread = small[axis] === 1;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.spread === spread) last.size *= size;
    else runs.push({ size, spread });
  }
  return runs;
}

/** Row-major strides of the runs in the big layout, and in the small one (0 along spread runs). */
export function runStrides(runs: readonly Run[]): { big: number[]; small: number[] } {
  const big = new Array<number>(runs.length);
  const small = new Array<number>(runs.length);
  let b = 1;
  let s = 1;
  for (let i = runs.length - 1; i >= 0; i--) {
    big[i] = b;
    small[i] = runs[i].spread ? 0 : s;
    b *= runs[i].size;
    if (!runs[i].spread) s *= runs[i].size;
  }
  return { big, small };
}

/** The 32-bit words of an array's memory, for branch-free bit selects (two words per float64). */
export function wordsOf(x: TypedArray): Int32Array {
  return new Int32Array(x.buffer, x.byteOffset, x.byteLength >> 2);
}

/** [A, B, C] when the runs are those of 2×2 pooling windows [A, 2, B, 2, C] reduced over the 2s, else undefined. */
export function pool2x2Runs(runs: readonly Run[]): [number, number, number] | undefined {
  const pattern = [false, true, false, true, false];
  if (runs.length !== 5 || runs.some((r, k) => r.spread !== pattern[k]) || runs[1].size !== 2 || runs[3].size !== 2) return undefined;
  return [runs[0].size, runs[2].size, runs[4].size];
}
