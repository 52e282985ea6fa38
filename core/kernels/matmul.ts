import { allocate } from '../dtype.ts';
import { sizeOf } from '../shape.ts';
import type { Kernel } from './kernel.ts';

/**
 * C[b] = op(A[b]) · op(B[b]) where op transposes the last two axes when its flag is set.
 * The reference kernel: an i-p-j loop that reads each operand through strides, so no transpose is copied.
 */
export const matmulKernel: Kernel<'matmul'> = ([a, b], [aShape, bShape], { transposeA, transposeB }, out) => {
  const rank = out.shape.length;
  const m = out.shape[rank - 2];
  const n = out.shape[rank - 1];
  const k = transposeA ? aShape[rank - 2] : aShape[rank - 1];
  const batch = sizeOf(out.shape.slice(0, -2));
  const [aRow, aCol] = transposeA ? [1, m] : [k, 1];
  const [bRow, bCol] = transposeB ? [1, k] : [n, 1];
  const c = allocate(out.dtype, batch * m * n);
  for (let t = 0; t < batch; t++) {
    const aBase = t * m * k;
    const bBase = t * k * n;
    const cBase = t * m * n;
    for (let i = 0; i < m; i++) {
      const cRow = cBase + i * n;
      for (let p = 0; p < k; p++) {
        const aip = a[aBase + i * aRow + p * aCol];
        const bp = bBase + p * bRow;
        for (let j = 0; j < n; j++) c[cRow + j] += aip * b[bp + j * bCol];
      }
    }
  }
  return c;
};
