import { ValueError, fmtShape } from '../core/errors.ts';
import type { Rng } from '../core/random.ts';

/**
 * Keras's orthogonal draw for `shape` (rank ≥ 2), as rows·cols values, row-major: rows = the product of all axes but
 * the last, cols = the last. A normal matrix A of max(rows, cols) × min(rows, cols) is factored A = QR by modified
 * Gram-Schmidt (each column orthogonalised twice, for accuracy), which gives R a positive diagonal: the same Q as
 * Keras's `Q · sign(diag R)`. Q is transposed when rows < cols, so the result has orthonormal rows or columns
 * (W·Wᵀ = I or Wᵀ·W = I), times `gain`.
 */
export function orthogonalValues(shape: readonly number[], gain: number, rng: Rng): Float64Array {
  if (shape.length < 2) throw new ValueError(`orthogonal: needs a shape of rank 2 or more, got ${fmtShape(shape)}`);
  const cols = shape[shape.length - 1];
  const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const m = Math.max(rows, cols);
  const n = Math.min(rows, cols);
  // q[j] is column j of A, then of Q.
  const q = Array.from({ length: n }, () => new Float64Array(m));
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q[j][i] = rng.normal();
  for (let j = 0; j < n; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[k][i] * q[j][i];
        for (let i = 0; i < m; i++) q[j][i] -= dot * q[k][i];
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[j][i] * q[j][i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) q[j][i] /= norm;
  }
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (rows >= cols ? q[c][r] : q[r][c]);
  }
  return out;
}
