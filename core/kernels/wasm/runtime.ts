import { MAXIMUM_PAGES, PAGE_BYTES, growTo, wasmApi } from './api.ts';
import type { WasmMemory, WasmModule } from './api.ts';
import { JOB, JOB_WORDS, scratchBytes } from './gemm-kernel.ts';
import { gemmModuleBytes } from './gemm-module.ts';
import type { WorkerPool } from '../threads/pool.ts';
import type { Blocking } from './gemm-kernel.ts';
import { relaxedSimd } from './relaxed-simd.ts';
import { forgetResident } from './resident.ts';

/**
 * The blocking measured fastest here (Zen 4, V8 11.3): a 4×8 tile keeps 8 accumulators, 2 vectors of B
 * and a splat of A in registers; 6×8, 4×12 and 4×16 spill in V8 and ran at half the speed. With relaxed_madd
 * (Xeon with AVX-512, V8 11.3) 4×8 still ran the MLP's products 1.3–1.6× faster than 6×8, 5×8 or 4×12.
 * KC·(MR+NR)·4 = 12 KiB of panels stay in L1; the 64×256 block of A (64 KiB) and 256×1024 of B (1 MiB) in L2.
 */
export const BLOCKING: Blocking = { mr: 4, nr: 8, kc: 256, mc: 64, nc: 1024 };

/** Threads that can each own a packing scratch. */
export const MAX_THREADS = 8;

/** Layout: the job descriptor, then one packing scratch per thread, then the operands. */
export const JOB_OFFSET = 0;
export const SCRATCH_OFFSET = 256;
export const SCRATCH_STRIDE = scratchBytes(BLOCKING);
export const OPERANDS_OFFSET = SCRATCH_OFFSET + MAX_THREADS * SCRATCH_STRIDE;

export interface GemmRuntime {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  /** chunk(job, q, worker): piece q of the job at byte offset `job`, with worker's scratch. */
  readonly chunk: (job: number, q: number, worker: number) => void;
  /** Every export of the module's one instance on this thread (see gemmModuleBytes). */
  readonly exports: Readonly<Record<string, unknown>>;
  /** The micro-kernel multiply-adds with relaxed_madd (FMA where the CPU has it). */
  readonly fma: boolean;
}

/**
 * A module with or without relaxed_madd on a shared memory of its own; null where this engine lacks
 * WebAssembly SIMD (or relaxed SIMD, asked for `fma`) or shared memory.
 */
export function createGemmRuntime(fma: boolean): GemmRuntime | null {
  const bytes = gemmModuleBytes(BLOCKING, MAXIMUM_PAGES, fma);
  if (!wasmApi.validate(bytes)) return null;
  let memory: WasmMemory;
  try {
    // A page that is not cross-origin isolated hides SharedArrayBuffer, yet Chromium still makes shared memories:
    // the GEMM then runs there on one thread. Engines that refuse throw here.
    memory = new wasmApi.Memory({ initial: Math.ceil(OPERANDS_OFFSET / PAGE_BYTES), maximum: MAXIMUM_PAGES, shared: true });
  } catch {
    return null;
  }
  const module = new wasmApi.Module(bytes);
  const { exports } = new wasmApi.Instance(module, { env: { memory } });
  return { module, memory, chunk: exports.chunk as GemmRuntime['chunk'], exports, fma };
}

let runtime: GemmRuntime | null | undefined;

/**
 * The runtime the matmul kernel uses, made on first use and kept for the process: with FMA where relaxed
 * SIMD is there (see relaxed-simd.ts), else SIMD128; null without either (the reference kernel then runs).
 */
export function gemmRuntime(): GemmRuntime | null {
  if (runtime === undefined) runtime = (relaxedSimd() ? createGemmRuntime(true) : null) ?? createGemmRuntime(false);
  return runtime;
}

/** Grows the memory so that `bytes` of operands fit after the scratch; false when they cannot. The operands there are about to be overwritten. */
export function reserveOperands({ memory }: GemmRuntime, bytes: number): boolean {
  forgetResident();
  return growTo(memory, OPERANDS_OFFSET + bytes);
}

/**
 * Grows the memory to `end` bytes for operands laid out past residentEnd (resident.ts), keeping what is resident
 * there; false when they cannot fit.
 */
export function growPastResident({ memory }: GemmRuntime, end: number): boolean {
  return growTo(memory, end);
}

/** Writes a job descriptor (see JOB in gemm-kernel.ts) at JOB_OFFSET. */
export function writeJob({ memory }: GemmRuntime, words: Int32Array): void {
  if (words.length !== JOB_WORDS) throw new Error(`writeJob: expected ${JOB_WORDS} words, got ${words.length}`);
  new Int32Array(memory.buffer, JOB_OFFSET, JOB_WORDS).set(words);
}

/**
 * Writes a job of `kind` with `words` at the word offsets `layout` gives, then runs its ⌈total / span⌉ pieces over
 * `pool`, or on the calling thread without one (or with one piece).
 */
export function runPieces<L extends Record<string, number>>(
  rt: GemmRuntime, kind: number, layout: L, words: Record<keyof L, number>, total: number, span: number, pool?: WorkerPool,
): void {
  const job = new Int32Array(JOB_WORDS);
  job[JOB.kind] = kind;
  for (const key of Object.keys(layout) as (keyof L)[]) job[layout[key]] = words[key];
  writeJob(rt, job);
  const pieces = Math.ceil(total / span);
  if (pool && pieces > 1) pool.run(JOB_OFFSET, pieces);
  else for (let q = 0; q < pieces; q++) rt.chunk(JOB_OFFSET, q, 0);
}
