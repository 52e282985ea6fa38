import type { TypedArray } from '../core/dtype.ts';

/**
 * Arrays that the running update may overwrite: fit's step names the arrays of the weights and optimizer slots
 * that its previous step made and nobody has been handed since (models/step-arrays.ts), so the update writes the
 * new values there instead of into fresh arrays (a fresh 400 KB array costs ~0.1 ms in page faults and later GC).
 * Outside withOverwritable nothing is overwritten, and an optimizer's update is pure.
 */
let writable: ReadonlySet<TypedArray> | undefined;

/** Runs fn (an optimizer update) allowed to overwrite `arrays`; not re-entrant. */
export function withOverwritable<T>(arrays: ReadonlySet<TypedArray>, fn: () => T): T {
  const outer = writable;
  writable = arrays;
  try {
    return fn();
  } finally {
    writable = outer;
  }
}

/**
 * Whether one leaf's update may write p' into p and each new slot into its old slot: all of them overwritable,
 * distinct, and none of them the gradient. A leaf kernel reads every input at index i before it writes any output
 * at index i, so updating in place gives the bits of the update into new arrays.
 */
export function updatesInPlace(p: TypedArray, g: TypedArray, slots: readonly TypedArray[]): boolean {
  if (writable === undefined) return false;
  const arrays = [p, ...slots];
  const buffers = new Set(arrays.map((a) => a.buffer));
  return arrays.every((a) => (writable as ReadonlySet<TypedArray>).has(a)) && buffers.size === arrays.length && !buffers.has(g.buffer);
}

/** Whether the running update may overwrite `array` (only inside fit's step, for an array only fit holds). */
export function isOverwritable(array: TypedArray): boolean {
  return writable !== undefined && writable.has(array);
}
