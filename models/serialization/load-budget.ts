import type { DType } from '../../core/dtype.ts';
import { ValueError, fmtShape } from '../../core/errors.ts';
import { sizeOf } from '../../core/shape.ts';
import { withWeightCheck } from '../../layers/layer.ts';
import { BYTES } from './weights.ts';

// What a model.json may ask a loader to allocate before anything is verified against the data files: the
// dry-run input its declared input shape implies, and the weights its layer configs imply.

/**
 * The most bytes the dry-run input (one sample of the declared input shape) may take: 4 GiB, the default of the
 * creation ops' memory budget. A corrupt batch_input_shape ([null, 60000, 60000]: 14.4 GB) is refused before allocation.
 */
export const LOAD_INPUT_BUDGET_BYTES = 4 * 2 ** 30;

/** The bytes of one sample of `shape` in `dtype`. */
export const sampleBytes = (shape: readonly number[], dtype: DType): number => sizeOf(shape) * BYTES[dtype];

/** Refuses a declared input shape whose dry-run input would exceed LOAD_INPUT_BUDGET_BYTES; `where` names file and layer. */
export function checkInputBudget(shape: readonly number[], dtype: DType, where: string, written: string): void {
  const bytes = sampleBytes(shape, dtype);
  if (bytes <= LOAD_INPUT_BUDGET_BYTES) return;
  throw new ValueError(`${where}: the input shape ${written} makes one sample of ${fmtShape(shape)} = ${sizeOf(shape)} ${dtype} values, `
    + `${bytes} bytes, over the loader's budget of ${LOAD_INPUT_BUDGET_BYTES} bytes for the dry-run input; the file is corrupt or the model too large`);
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
