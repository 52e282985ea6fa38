import type { WasmMemory } from './api.ts';
import { growTo, wasmApi } from './api.ts';
import { encodeModule } from './emit.ts';
import { elementwiseFunctions } from './elementwise-module.ts';

/**
 * The elementwise module on its own memory: plain (not shared) and growable, made on first use and reused by
 * every call — apart from the GEMM's shared memory, so neither waits on the other's layout.
 */

type Offsets4 = (a: number, b: number, y: number, vectors: number) => void;
export interface ElementwiseExports {
  relu: Offsets4;
  reluGrad: Offsets4;
  add: Offsets4;
  maxPool: (x: number, y: number, A: number, B: number, C: number, stride: number) => void;
  maxGrad: (x: number, y: number, g: number, dx: number, A: number, B: number, C: number, stride: number) => void;
  columnSums: (x: number, y: number, rows: number, vectors: number) => void;
}

export interface ElementwiseRuntime {
  readonly fns: ElementwiseExports;
  readonly memory: WasmMemory<ArrayBuffer>;
}

let runtime: ElementwiseRuntime | null | undefined;

/** The runtime, or null where the engine has no WebAssembly SIMD (the JS kernels then run). */
export function elementwiseRuntime(): ElementwiseRuntime | null {
  if (runtime !== undefined) return runtime;
  const bytes = encodeModule({ memory: { initialPages: 1, shared: false }, exports: elementwiseFunctions() });
  if (!wasmApi.validate(bytes)) return (runtime = null);
  const memory = new wasmApi.Memory({ initial: 1 });
  const fns = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } }).exports as unknown as ElementwiseExports;
  runtime = { fns, memory };
  return runtime;
}

/** Bytes an operand of n float32 takes: 16-aligned, plus a vector of padding that whole-vector reads may touch. */
export const operandBytes = (n: number): number => 16 * Math.ceil(n / 4) + 16;

/**
 * The float32 view of the memory after growing it to `bytes`, or undefined when that is past 2 GiB.
 * Views must be taken after growing: growth detaches the old buffer.
 */
export function heapOf({ memory }: ElementwiseRuntime, bytes: number): Float32Array | undefined {
  return growTo(memory, bytes) ? new Float32Array(memory.buffer) : undefined;
}
