import { allocate } from '../buffer-pool.ts';
import type { TypedArray } from '../dtype.ts';
import { sizeOf } from '../shape.ts';
import type { Kernel } from './kernel.ts';

/**
 * C is computed in TILE×TILE blocks held in 16 local variables: each step over the inner dimension
 * loads 4 values of A and 4 of B for 16 multiply-adds. Loops that stream C through memory instead
 * (i-p-j, p-i-j) pay a checked load and store of C per multiply-add and stay near 1 GFLOP/s in V8.
 */
const TILE = 4;

/** Depth of one block of the inner dimension: bounds the packed copy of B and keeps it in L2. */
const KC = 256;

/**
 * C[b] = op(A[b]) · op(B[b]) where op transposes the last two axes when its flag is set.
 *
 * Per block of KC steps of the inner dimension, each TILE-wide strip of A's rows and of B's columns
 * is copied into a float64 panel laid out [p][line], so the tile loop reads both with unit stride
 * whatever the transpose flags; the flags only change the strides the packing reads with.
 * Panels are float64 for both dtypes (float32 converts exactly), so the tile loop sees one array type.
 * Sums are carried in float64 locals within a block and added into C once per block: float32 results
 * round once per block instead of once per step, and float64 sums keep the naive order within a block.
 */
export const matmulKernel: Kernel<'matmul'> = ([a, b], [aShape], { transposeA, transposeB }, out) => {
  const rank = out.shape.length;
  const m = out.shape[rank - 2];
  const n = out.shape[rank - 1];
  const k = transposeA ? aShape[rank - 2] : aShape[rank - 1];
  const batch = sizeOf(out.shape.slice(0, -2));
  // Strides of op(A) along its rows and along the inner dimension, and of op(B) likewise.
  const [aRow, aDepth] = transposeA ? [1, m] : [k, 1];
  const [bCol, bDepth] = transposeB ? [k, 1] : [1, n];
  const c = allocate(out.dtype, batch * m * n);
  const kc = Math.min(KC, k);
  // One array holds the A strip (at 0) and then all B panels (from bStart): the tile loop then checks
  // one array instead of two, which measured ~4% faster.
  const bStart = TILE * kc;
  const panels = new Float64Array(bStart + Math.ceil(n / TILE) * TILE * kc);
  const edge = new Float64Array(TILE * TILE);
  for (let t = 0; t < batch; t++) {
    const aBase = t * m * k;
    const bBase = t * k * n;
    const cBase = t * m * n;
    for (let p0 = 0; p0 < k; p0 += kc) {
      const kb = Math.min(kc, k - p0);
      for (let j0 = 0; j0 < n; j0 += TILE) {
        pack(b, bBase + p0 * bDepth + j0 * bCol, bCol, bDepth, Math.min(TILE, n - j0), kb, panels, bStart + j0 * kb);
      }
      for (let i0 = 0; i0 < m; i0 += TILE) {
        const rows = Math.min(TILE, m - i0);
        pack(a, aBase + i0 * aRow + p0 * aDepth, aRow, aDepth, rows, kb, panels, 0);
        for (let j0 = 0; j0 < n; j0 += TILE) {
          tile(panels, bStart + j0 * kb, kb, c, cBase + i0 * n + j0, n, rows, Math.min(TILE, n - j0), edge);
        }
      }
    }
  }
  return c;
};

/**
 * Copies `lines` rows (of A) or columns (of B), `kb` deep, into dst[off + p*TILE + line],
 * zero-filling lines past the matrix edge so the tile loop never branches on them.
 */
function pack(
  src: TypedArray, base: number, lineStride: number, depthStride: number, lines: number, kb: number,
  dst: Float64Array, off: number,
): void {
  for (let p = 0; p < kb; p++) {
    const at = base + p * depthStride;
    const to = off + p * TILE;
    for (let r = 0; r < TILE; r++) dst[to + r] = r < lines ? src[at + r * lineStride] : 0;
  }
}

/**
 * Adds the TILE×TILE product of the A strip (at 0) and the B panel at bOff, `kb` deep, into C at cOff.
 * Only the rows×cols corner is stored; a partial tile goes through `edge` so the loop stays branch-free.
 */
function tile(
  panels: Float64Array, bOff: number, kb: number,
  c: TypedArray, cOff: number, n: number, rows: number, cols: number, edge: Float64Array,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  const aEnd = kb * TILE;
  for (let ai = 0, bi = bOff; ai < aEnd; ai += TILE, bi += TILE) {
    const a0 = panels[ai], a1 = panels[ai + 1], a2 = panels[ai + 2], a3 = panels[ai + 3];
    const b0 = panels[bi], b1 = panels[bi + 1], b2 = panels[bi + 2], b3 = panels[bi + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  if (rows === TILE && cols === TILE) {
    // Stored directly: going through `edge` for every tile cost ~25% when k is small (conv 86528×9×32).
    const o1 = cOff + n, o2 = o1 + n, o3 = o2 + n;
    c[cOff] += c00; c[cOff + 1] += c01; c[cOff + 2] += c02; c[cOff + 3] += c03;
    c[o1] += c10; c[o1 + 1] += c11; c[o1 + 2] += c12; c[o1 + 3] += c13;
    c[o2] += c20; c[o2 + 1] += c21; c[o2 + 2] += c22; c[o2 + 3] += c23;
    c[o3] += c30; c[o3 + 1] += c31; c[o3 + 2] += c32; c[o3 + 3] += c33;
    return;
  }
  edge[0] = c00; edge[1] = c01; edge[2] = c02; edge[3] = c03;
  edge[4] = c10; edge[5] = c11; edge[6] = c12; edge[7] = c13;
  edge[8] = c20; edge[9] = c21; edge[10] = c22; edge[11] = c23;
  edge[12] = c30; edge[13] = c31; edge[14] = c32; edge[15] = c33;
  for (let r = 0; r < rows; r++) {
    for (let s = 0; s < cols; s++) c[cOff + r * n + s] += edge[r * TILE + s];
  }
}
