import type { DType } from '../../core/dtype.ts';
import { MemoryBudgetError, ValueError, fmtShape } from '../../core/errors.ts';
import { memoryBudget } from '../../core/memory-budget.ts';
import { sizeOf } from '../../core/shape.ts';
import { withWeightCheck } from '../../layers/layer.ts';
import { BYTES } from './weights.ts';

// What a model.json may ask a loader to allocate before anything is verified against the data files: the
// dry-run input its declared input shape implies, and the weights its layer configs imply.

/** The bytes of one sample of `shape` in `dtype`. */
export const sampleBytes = (shape: readonly number[], dtype: DType): number => sizeOf(shape) * BYTES[dtype];

/**
 * Refuses a declared input shape whose dry-run input (one sample) would exceed the memory budget (setMemoryBudget),
 * before anything is allocated: a corrupt batch_input_shape ([null, 60000, 60000]: 14.4 GB). `where` names file and layer.
 */
export function checkInputBudget(shape: readonly number[], dtype: DType, where: string, written: string): void {
  const bytes = sampleBytes(shape, dtype);
  const budget = memoryBudget();
  if (bytes <= budget) return;
  throw new MemoryBudgetError(`${where}: the input shape ${written} makes one sample of ${fmtShape(shape)} = ${sizeOf(shape)} ${dtype} values, `
    + `${bytes} bytes, over the memory budget of ${budget} bytes for the dry-run input; the file is corrupt or the model too large (setMemoryBudget raises the budget)`);
}

/**
 * Runs fn with layers allowed to create at most `values` weight values in all. A loader passes about the size of the
 * saved weights, so a corrupt config (units: 3e8) is refused at once instead of allocating gigabytes.
 */
export function withWeightBudget<T>(values: number, reason: string, fn: () => T): T {
  let left = values;
  return withWeightCheck((layer, weight, shape) => {
    const size = sizeOf(shape);
    // A malformed shape is left to the initializer, whose error names it.
    if (!(size >= 0)) return;
    if (size > left) throw new ValueError(`${layer}: weight ${weight} of shape ${fmtShape(shape)} has ${size} values, but ${reason}`);
    left -= size;
  }, fn);
}
