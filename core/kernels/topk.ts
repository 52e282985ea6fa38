import { allocateOutput } from '../buffer-pool.ts';
import { sizeOf } from '../shape.ts';
import type { Kernel } from './kernel.ts';

/** a before b in topk order: the larger value first, NaN above every number, the lower index on a tie. */
function before(values: ArrayLike<number>, a: number, b: number): boolean {
  const va = values[a];
  const vb = values[b];
  if (va !== va) return vb === vb || a < b;
  if (vb !== vb) return false;
  return va > vb || (va === vb && a < b);
}

/** Per row of the last axis: the positions sorted in topk order (n·log n), the first k kept. */
export const topkIndicesKernel: Kernel<'topkIndices'> = ([x], [shape], { k }, out) => {
  const n = shape[shape.length - 1];
  const rows = n === 0 ? 0 : x.length / n;
  const y = allocateOutput(out.dtype, sizeOf(out.shape)); // every element is written
  const order = Array.from({ length: n }, (_, i) => i);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * n, (r + 1) * n);
    order.sort((a, b) => (a === b ? 0 : before(row, a, b) ? -1 : 1));
    for (let j = 0; j < k; j++) y[r * k + j] = order[j];
  }
  return y;
};
