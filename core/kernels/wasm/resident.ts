import { onReuse } from '../../buffer-pool.ts';
import type { GemmRuntime } from './runtime.ts';

/**
 * Arrays copied into or out of a GEMM runtime's memory while that copy is still there byte for byte: a kernel handed
 * one of these very arrays can read it in place instead of copying it in again (a convolution's output into the max
 * pooling after it; maxPoolGrad's input and output into the convolution's gradients). All are forgotten when
 * anything reserves the operands region again (runtime.ts); one is when the buffer pool hands it out to be
 * overwritten; tensors never change their storage otherwise.
 */
let resident: { rt: GemmRuntime; arrays: Map<Float32Array, number> } | undefined;

onReuse((array) => {
  if (array instanceof Float32Array) resident?.arrays.delete(array);
});

/** Notes that `array`'s values are at byte `offset` of rt's memory, beside what was noted since the last reservation. */
export function noteResident(rt: GemmRuntime, array: Float32Array, offset: number): void {
  if (resident?.rt !== rt) resident = { rt, arrays: new Map() };
  resident.arrays.set(array, offset);
}

/** The byte offset of `array`'s copy in rt's memory, or undefined when it has none. */
export function residentOffset(rt: GemmRuntime, array: Float32Array): number | undefined {
  return resident?.rt === rt ? resident.arrays.get(array) : undefined;
}

/** The first byte past every copy noted in rt's memory (0 without any): room from there on is free. */
export function residentEnd(rt: GemmRuntime): number {
  if (resident?.rt !== rt) return 0;
  let end = 0;
  for (const [array, offset] of resident.arrays) end = Math.max(end, offset + 4 * array.length);
  return end;
}

export function forgetResident(): void {
  resident = undefined;
}
