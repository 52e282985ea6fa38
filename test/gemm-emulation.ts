// The WebAssembly GEMM's arithmetic replayed in JS, element by element, to compare bits: float32 lanes summed
// in the order of p within each KC-deep block (fused or separate multiply-add), the blocks added into C in order.
import type { TypedArray } from '../core/dtype.ts';
import type { Case } from './matmul-cases.ts';
import { batchOf } from './matmul-cases.ts';

const f32 = new Float32Array(1);
const bits = new Int32Array(f32.buffer);

/** The float32 next to x (a nonzero float32) in the direction of `toward`. */
function nextFloat32(x: number, toward: number): number {
  f32[0] = x;
  bits[0] += (toward > x) === (x > 0) ? 1 : -1;
  return f32[0];
}

/**
 * fl32(x·y + z) with one rounding, for float32 x, y, z: x·y is exact in float64 and the float64 sum s is off
 * the exact sum by e (TwoSum); rounding s to float32 is then right unless s sits exactly halfway between two
 * float32 values, where the exact sum lies on the side of e.
 */
export function fmaF32(x: number, y: number, z: number): number {
  const p = x * y;
  const s = p + z;
  const bb = s - p;
  const e = (p - (s - bb)) + (z - bb);
  const r = Math.fround(s);
  if (e === 0 || r === s || r === 0) return r;
  const other = nextFloat32(r, s);
  if ((r + other) / 2 !== s) return r;
  return (e > 0) === (other > r) ? other : r;
}

const separate = (x: number, y: number, z: number): number => Math.fround(z + Math.fround(x * y));

/** C as the GEMM computes it with blocks `kc` deep: with fused multiply-adds (relaxed_madd on an FMA CPU) or separate ones. */
export function emulateGemm(c: Case, a: TypedArray, b: TypedArray, fused: boolean, kc: number): Float32Array {
  const { m, k, n, transposeA, transposeB } = c;
  const madd = fused ? fmaF32 : separate;
  const out = new Float32Array(batchOf(c) * m * n);
  for (let t = 0; t < batchOf(c); t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p0 = 0; p0 < k; p0 += kc) {
          let acc = 0;
          for (let p = p0; p < Math.min(k, p0 + kc); p++) {
            acc = madd(a[t * m * k + (transposeA ? p * m + i : i * k + p)], b[t * k * n + (transposeB ? j * k + p : p * n + j)], acc);
          }
          sum = p0 === 0 ? acc : Math.fround(sum + acc);
        }
        out[t * m * n + i * n + j] = sum;
      }
    }
  }
  return out;
}
