import type { DType, TypedArray } from './dtype.ts';

/**
 * The arrays `allocate` hands out inside a buffer scope (see buffer-scope.ts), and the free arrays that a closed
 * scope gave back. A fresh multi-megabyte typed array costs a page fault per 4 KiB on first touch (~0.45 ms/MB
 * measured here) and external-memory GCs later; a returned one costs one fill(0).
 */

/** Smaller arrays are cheap to make and are left to the GC. */
const MIN_POOLED = 1024;

/** Free arrays of a size that no scope asked for in this many outermost scopes are dropped. */
const MAX_IDLE_SCOPES = 2;

interface FreeList {
  arrays: TypedArray[];
  lastUsed: number;
}

/** Free arrays by dtype, then by length (numeric keys: no key string is built per allocation). */
const free = { float32: new Map<number, FreeList>(), float64: new Map<number, FreeList>() };
/** One list per open scope, innermost last: what it allocated. */
const open: TypedArray[][] = [];
/**
 * Buffers that user code has seen (the inputs of a custom layer's call or of a user's loss): never recycled, since
 * the user may keep the tensor. Emptied when the outermost scope closes.
 */
const escaped = new Set<ArrayBufferLike>();
/** > 0 while user code runs: nothing it allocates is pooled, so every tensor it creates or keeps stays its own. */
let userDepth = 0;
let generation = 0;
const counts = { fresh: 0, reused: 0 };

const freshArray = (dtype: DType, size: number): TypedArray => (dtype === 'float64' ? new Float64Array(size) : new Float32Array(size));

function freeList(dtype: DType, size: number): FreeList {
  const lists = free[dtype];
  let list = lists.get(size);
  if (list === undefined) {
    list = { arrays: [], lastUsed: generation };
    lists.set(size, list);
  }
  return list;
}

const reuseListeners: ((array: TypedArray) => void)[] = [];

/** Calls `listener` with each recycled array as it is handed out again, to be overwritten (a copy elsewhere goes stale). */
export function onReuse(listener: (array: TypedArray) => void): void {
  reuseListeners.push(listener);
}

/** An array from the pool (zeroed if asked), or a fresh one, recorded in the scope; undefined outside any scope. */
export function pooledAllocate(dtype: DType, size: number, zeroed: boolean): TypedArray | undefined {
  const scope = open[open.length - 1];
  if (scope === undefined || size < MIN_POOLED || userDepth > 0) return undefined;
  const list = freeList(dtype, size);
  list.lastUsed = generation;
  let array = list.arrays.pop();
  if (array === undefined) {
    array = freshArray(dtype, size);
    counts.fresh++;
  } else {
    for (const listener of reuseListeners) listener(array);
    if (zeroed) array.fill(0);
    counts.reused++;
  }
  scope.push(array);
  return array;
}

export function openBufferScope(): void {
  if (open.length === 0) generation++;
  open.push([]);
}

/**
 * Runs user code (a custom layer's call, a user's loss) that is handed `inputs`: their buffers escape the pool,
 * and nothing fn allocates is pooled. Library code called from fn counts as user code too, since its results go back to fn.
 */
export function runUserCode<T>(inputs: readonly TypedArray[], fn: () => T): T {
  if (open.length > 0) for (const input of inputs) escaped.add(input.buffer);
  userDepth++;
  try {
    return fn();
  } finally {
    userDepth--;
  }
}

/**
 * Ends the innermost scope. Its arrays whose buffer is in `kept` or escaped pass to the enclosing scope (or leave
 * the pool for good at the outermost one); the others become free. With `kept` null (the scope threw) nothing is
 * recycled, since a tensor may still be reachable from the error.
 */
export function closeBufferScope(kept: ReadonlySet<ArrayBufferLike> | null): void {
  const allocated = open.pop() ?? [];
  const parent = open[open.length - 1];
  if (kept !== null) {
    for (const array of allocated) {
      if (kept.has(array.buffer) || escaped.has(array.buffer)) parent?.push(array);
      else freeList(array instanceof Float64Array ? 'float64' : 'float32', array.length).arrays.push(array);
    }
  }
  if (open.length === 0) {
    escaped.clear();
    for (const lists of Object.values(free)) {
      for (const [size, list] of lists) if (generation - list.lastUsed >= MAX_IDLE_SCOPES) lists.delete(size);
    }
  }
}

export function isBufferScopeOpen(): boolean {
  return open.length > 0;
}

/** Drops every free array, so the GC can take them back. */
export function releaseBufferPool(): void {
  free.float32.clear();
  free.float64.clear();
}

export interface BufferPoolStats {
  /** Arrays the pool created because none of that size was free. */
  fresh: number;
  /** Arrays handed out again. */
  reused: number;
  /** Bytes held in free arrays now. */
  freeBytes: number;
}

export function bufferPoolStats(): BufferPoolStats {
  let freeBytes = 0;
  for (const lists of Object.values(free)) for (const list of lists.values()) for (const a of list.arrays) freeBytes += a.byteLength;
  return { ...counts, freeBytes };
}

/** A zeroed array; inside withBufferScope it may be a recycled one. */
export function allocate(dtype: DType, size: number): TypedArray {
  return pooledAllocate(dtype, size, true) ?? freshArray(dtype, size);
}

/**
 * An array whose contents are unspecified (a recycled one is not cleared): only for a kernel that writes
 * every element before anyone reads it. Saves the clearing pass (~0.1 ms per MB) inside withBufferScope.
 */
export function allocateOutput(dtype: DType, size: number): TypedArray {
  return pooledAllocate(dtype, size, false) ?? freshArray(dtype, size);
}
