import type { TypedArray } from '../core/dtype.ts';
import { adamHeap, adamRuntime } from '../core/kernels/wasm/adam.ts';
import { wasmAdamStep } from '../core/kernels/wasm/adam-job.ts';
import type { AdamConstants } from '../core/kernels/wasm/adam-job.ts';
import { onThreads } from '../core/kernels/fast/matmul.ts';
import { forget, inPlaceStep, keep, placeLeaf } from './adam-kept.ts';

/** One Adam step's constants: lrT is the rate with both bias corrections folded in, decay scales p first. */
export interface AdamStep {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly lrT: number;
  readonly decay: number;
}

/** Float32 values per region of the module's memory for a leaf of n: whole vectors, so regions stay 16-aligned. */
const regionOf = (n: number): number => 4 * Math.ceil(n / 4);

/** Roughly the flops of one element's update, to weigh a leaf against the GEMM's threading threshold. */
const FLOPS_PER_VALUE = 12;

/**
 * The Adam step (without amsgrad) of one float32 leaf in WebAssembly SIMD, the same bits as adamLoop: p, g, m
 * and v are copied into a module's memory, updated there in place, and copied out. A large leaf is split over the
 * GEMM's threads, on the GEMM module, where that measured faster (onThreads); otherwise it runs on this thread on a
 * standalone module. False (nothing written) where it cannot run: another dtype, no SIMD, or a leaf past the
 * memory's 2 GiB.
 */
export function adamSimd(
  p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, out: TypedArray, mOut: TypedArray, vOut: TypedArray, step: AdamStep,
): boolean {
  if (![p, g, m, v, out, mOut, vOut].every((a) => a instanceof Float32Array)) return false;
  const { beta1, beta2, epsilon, lrT, decay } = step;
  const constants: AdamConstants = [beta1, 1 - beta1, beta2, 1 - beta2, lrT, decay, epsilon];
  const ins = [p, g, m, v] as Float32Array[];
  const outs = [out, mOut, vOut] as Float32Array[];
  // Unsplit, the standalone module: copies into its plain memory cost less than into the shared one.
  return onThreads(`adam ${p.length}`, FLOPS_PER_VALUE * p.length, (pool, threads) => {
    if (pool === undefined || !wasmAdamStep(ins, outs, constants, pool, threads)) return adamStandalone(ins, outs, constants);
    forget(p as Float32Array);
    return true;
  });
}

/**
 * adamSimd's step on the standalone module: its own plain memory, on this thread. Fit's in-place steps keep each
 * leaf in a region of its own, so that the next one copies in only the gradient (adam-kept.ts).
 */
export function adamStandalone([p, g, m, v]: readonly Float32Array[], [out, mOut, vOut]: readonly Float32Array[], constants: AdamConstants): boolean {
  const rt = adamRuntime();
  const n = p.length;
  const r = regionOf(n);
  const inPlace = inPlaceStep(p, m, v, out, mOut, vOut);
  const { offset, present } = placeLeaf(p, m, v, r, inPlace);
  const heap = rt === null ? undefined : adamHeap(rt, 4 * (offset + 4 * r));
  if (rt === null || heap === undefined) {
    // The JS loop updates this leaf instead, so a copy kept from an earlier step would go stale.
    forget(p);
    return false;
  }
  const [pAt, gAt, mAt, vAt] = [offset, offset + r, offset + 2 * r, offset + 3 * r];
  if (!present) {
    heap.set(p, pAt);
    heap.set(m, mAt);
    heap.set(v, vAt);
  }
  heap.set(g, gAt);
  // The pairs past n (when n is odd, or the region's padding) compute on stale values and are not copied out.
  rt.adam(4 * pAt, 4 * gAt, 4 * mAt, 4 * vAt, r / 2, ...constants);
  out.set(heap.subarray(pAt, pAt + n));
  mOut.set(heap.subarray(mAt, mAt + n));
  vOut.set(heap.subarray(vAt, vAt + n));
  if (inPlace) keep(p, m, v, r, offset);
  return true;
}
