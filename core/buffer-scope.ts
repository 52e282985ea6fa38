import { closeBufferScope, openBufferScope, runUserCode } from './buffer-pool.ts';
import { ValueError, describeValue } from './errors.ts';
import type { Tensor } from './tensor.ts';
import type { Tree } from './tree.ts';
import { leaves } from './tree.ts';

export { bufferPoolStats, releaseBufferPool } from './buffer-pool.ts';
export type { BufferPoolStats } from './buffer-pool.ts';

/**
 * Runs fn with a buffer pool: the arrays that tensors made inside fn get are drawn from the pool, and when fn
 * returns, every one of them goes back to the pool except those behind a tensor of `keep(result)`.
 * This is for a loop such as a training step, where everything but the new state is dead once the step ends:
 * the next step then reuses the same memory instead of faulting in hundreds of fresh megabytes.
 *
 * The contract: no tensor made by library code inside fn may be used after it returns unless it is in
 * `keep(result)` (or shares a buffer with one, as a reshape does). User code inside fn must run under `userCode`,
 * so that no tensor a user can reach is ever recycled. The values computed are exactly those computed without a
 * scope. fn must be synchronous. If fn throws, nothing is recycled.
 */
export function withBufferScope<T>(fn: () => T, keep: (result: T) => Tree): T {
  openBufferScope();
  let result: T;
  let kept: Set<ArrayBufferLike>;
  try {
    result = fn();
    if (result instanceof Promise) throw new ValueError(`withBufferScope: fn must be synchronous, got ${describeValue(result)}`);
    kept = new Set(leaves(keep(result), 'withBufferScope: keep(result)').map((t) => t.storage.buffer));
  } catch (error) {
    closeBufferScope(null);
    throw error;
  }
  closeBufferScope(kept);
  return result;
}

/**
 * Runs user code (a custom layer's call, a user's activation or loss) on `inputs`. The pool never recycles a tensor
 * user code can reach: neither the inputs, which it may keep, nor anything made while it runs.
 */
export function userCode<T>(inputs: readonly Tensor[], fn: () => T): T {
  return runUserCode(inputs.map((t) => t.storage), fn);
}
