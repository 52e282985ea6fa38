import { onReuse } from '../../buffer-pool.ts';
import type { GemmRuntime } from './runtime.ts';

/**
 * The last output copied out of a GEMM runtime's memory, while that copy is still there byte for byte: a kernel
 * handed that very array can read it in place instead of copying it in again (a convolution's output into the max
 * pooling after it). Forgotten when anything reserves the operands region again (runtime.ts) or when the buffer
 * pool hands the array out to be overwritten; tensors never change their storage otherwise.
 */
let resident: { rt: GemmRuntime; array: Float32Array; offset: number } | undefined;

onReuse((array) => {
  if (resident?.array === array) resident = undefined;
});

export function noteResident(rt: GemmRuntime, array: Float32Array, offset: number): void {
  resident = { rt, array, offset };
}

/** The byte offset of `array`'s copy in rt's memory, or undefined when it has none. */
export function residentOffset(rt: GemmRuntime, array: Float32Array): number | undefined {
  return resident !== undefined && resident.rt === rt && resident.array === array ? resident.offset : undefined;
}

export function forgetResident(): void {
  resident = undefined;
}
