import { checkOptionKeys, trueOrFalse } from '../options.ts';
import { normalizeAxis } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { add } from './arithmetic.ts';
import { expectTensor } from './broadcast.ts';
import { pad, slice } from './movement.ts';

export interface CumsumOptions {
  /** Leave each entry out of its own sum: the first result is 0. */
  exclusive?: boolean;
  /** Sum from the end of the axis towards its start. */
  reverse?: boolean;
}

/**
 * Running sums along axis. A log-depth scan (each step adds the tensor shifted by 1, 2, 4, ... entries), so
 * ⌈log2 n⌉ adds of the whole tensor instead of n sequential ones; its gradient is the scan run the other way.
 */
export function cumsum(x: Tensor, axis = -1, options: CumsumOptions = {}): Tensor {
  expectTensor(x, 'cumsum');
  checkOptionKeys(options, ['exclusive', 'reverse'], 'cumsum');
  const a = normalizeAxis(axis, x.rank, 'cumsum');
  const exclusive = trueOrFalse(options.exclusive ?? false, 'exclusive', 'cumsum');
  const reverse = trueOrFalse(options.reverse ?? false, 'reverse', 'cumsum');
  const n = x.shape[a];
  // shifted(t, k)[i] = t[i - k] (t[i + k] in reverse), 0 past the edge.
  const shifted = (t: Tensor, k: number): Tensor => {
    const padded = pad(t, t.shape.map((_, i) => (i !== a ? [0, 0] : reverse ? [0, k] : [k, 0])));
    return slice(padded, t.shape.map((_, i) => (i === a && reverse ? k : 0)), t.shape);
  };
  let t = exclusive && n > 0 ? shifted(x, 1) : x;
  for (let k = 1; k < n; k *= 2) t = add(t, shifted(t, k));
  return t;
}
