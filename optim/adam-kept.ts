import { isOverwritable } from './in-place.ts';

/**
 * The leaves whose values the standalone Adam module's memory still holds. After fit's in-place step of a leaf
 * (p, m and v overwritten, optim/in-place.ts), the module holds p', m' and v' in that leaf's region; at the next
 * in-place step of the same three arrays, only g needs copying in (three of the seven 400 KB copies of the MLP's
 * kernel). Sound because, inside fit, only this step writes arrays that fit alone holds, and it forgets a leaf
 * whose step ran elsewhere (the GEMM threads' module). Outside fit's in-place update nothing is kept or reused.
 */
interface Kept {
  readonly offset: number;
  readonly region: number;
  /** The slots whose values the region holds with p's; undefined once stale. */
  m: Float32Array | undefined;
  v: Float32Array | undefined;
}

/** Floats of the module's memory that kept regions may take before all are forgotten and reused (16 MB). */
const KEPT_LIMIT = 1 << 22;

let kept = new WeakMap<Float32Array, Kept>();
let keptEnd = 0;

/** An in-place step of fit's: p, m and v are overwritten with their new values and only fit holds them. */
export function inPlaceStep(p: Float32Array, m: Float32Array, v: Float32Array, out: Float32Array, mOut: Float32Array, vOut: Float32Array): boolean {
  return out === p && mOut === m && vOut === v && isOverwritable(p);
}

/**
 * Where a leaf's four regions of `region` floats start in the module's memory, and whether p, m and v are already
 * there. An in-place step gets the leaf's own region (kept afterwards by `keep`); any other step a scratch region
 * after every kept one.
 */
export function placeLeaf(p: Float32Array, m: Float32Array, v: Float32Array, region: number, inPlace: boolean): { offset: number; present: boolean } {
  if (!inPlace) return { offset: keptEnd, present: false };
  const entry = kept.get(p);
  if (entry !== undefined && entry.region === region) return { offset: entry.offset, present: entry.m === m && entry.v === v };
  if (keptEnd + 4 * region > KEPT_LIMIT) {
    kept = new WeakMap();
    keptEnd = 0;
  }
  const offset = keptEnd;
  keptEnd += 4 * region;
  return { offset, present: false };
}

/** After an in-place step at `offset`: the module holds p, m and v (the same arrays, overwritten). */
export function keep(p: Float32Array, m: Float32Array, v: Float32Array, region: number, offset: number): void {
  const entry = kept.get(p);
  if (entry !== undefined && entry.offset === offset) {
    entry.m = m;
    entry.v = v;
  } else {
    kept.set(p, { offset, region, m, v });
  }
}

/** A leaf whose step ran elsewhere: the module's copy is stale (its region stays the leaf's). */
export function forget(p: Float32Array): void {
  const entry = kept.get(p);
  if (entry === undefined) return;
  entry.m = undefined;
  entry.v = undefined;
}
