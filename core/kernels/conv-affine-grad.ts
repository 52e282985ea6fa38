import { allocateOutput } from '../buffer-pool.ts';
import type { DType, TypedArray } from '../dtype.ts';
import type { Kernel, KernelTable } from './kernel.ts';

/** The kernels convAffineGrad is made of: a table of them (the reference's or the fast ones). */
type Parts = Pick<KernelTable, 'reluGrad' | 'convFilterGrad' | 'sum'>;

/**
 * convAffineGrad as its parts, each run by `parts`: gz = reluGrad(y, g) (or g), the kernel gradient
 * convFilterGrad(x, gz), the bias gradient sum(gz) over its rows, stacked as [T + 1, F]: the bits of the parts.
 */
export function convAffineGradOf(parts: Parts): Kernel<'convAffineGrad'> {
  return ([x, g, y], [xs, gs], { activation, ...window }, out) => {
    const [taps1, f] = out.shape;
    const rows = gs[0] * gs[1] * gs[2];
    const gz = activation === 'relu' ? parts.reluGrad([y, g], [gs, gs], {}, { shape: gs, dtype: out.dtype }) : g;
    const kernel = parts.convFilterGrad([x, gz], [xs, gs], window, { shape: [...window.kernel, xs[3], f], dtype: out.dtype });
    const bias = parts.sum([gz], [[rows, f]], { axes: [0] }, { shape: [1, f], dtype: out.dtype });
    return stack(kernel, bias, taps1 * f, out.dtype);
  };
}

/** [kernel; bias] in one new array of `size` values. */
function stack(kernel: TypedArray, bias: TypedArray, size: number, dtype: DType): TypedArray {
  const y = allocateOutput(dtype, size);
  y.set(kernel);
  y.set(bias, kernel.length);
  return y;
}
