import type { DType } from './dtype.ts';
import { MemoryBudgetError, ValueError, describeValue, fmtShape } from './errors.ts';
import { sizeOf } from './shape.ts';
import type { Shape } from './shape.ts';

/**
 * The most bytes one tensor may ask for. A request is checked before any memory is touched, so a corrupt file
 * or a typo in a shape fails at once instead of filling the memory or dying with a RangeError inside V8.
 */
export const DEFAULT_MEMORY_BUDGET = 4 * 2 ** 30;

let budget = DEFAULT_MEMORY_BUDGET;

export function bytesPerElement(dtype: DType): number {
  return dtype === 'float64' ? 8 : 4;
}

/** Sets the per-tensor budget in bytes (a positive integer); null restores the default of 4 GiB. */
export function setMemoryBudget(bytes: number | null): void {
  if (bytes !== null && (!Number.isSafeInteger(bytes) || bytes <= 0)) {
    throw new ValueError(`setMemoryBudget: bytes must be a positive integer or null (the default, ${DEFAULT_MEMORY_BUDGET}), got ${describeValue(bytes)}`);
  }
  budget = bytes ?? DEFAULT_MEMORY_BUDGET;
}

export function memoryBudget(): number {
  return budget;
}

/** Refuses a tensor of `shape` and `dtype` whose bytes exceed the budget, naming `where`. */
export function checkMemoryBudget(shape: Shape, dtype: DType, where: string): void {
  const bytes = sizeOf(shape) * bytesPerElement(dtype);
  if (bytes > budget) {
    throw new MemoryBudgetError(`${where}: a ${dtype} tensor of shape ${fmtShape(shape)} needs ${formatBytes(bytes)} (${bytes} bytes), more than the memory budget of ${formatBytes(budget)}; raise it with setMemoryBudget(bytes) if this is meant`);
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
