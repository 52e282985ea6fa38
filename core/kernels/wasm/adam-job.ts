import { ADAM_JOB } from './adam.ts';
import { JOB, JOB_WORDS } from './gemm-kernel.ts';
import { JOB_KIND } from './gemm-module.ts';
import { JOB_OFFSET, OPERANDS_OFFSET, gemmRuntime, reserveOperands, writeJob } from './runtime.ts';
import type { WorkerPool } from '../threads/pool.ts';

/** One Adam step's float64 arguments, in adam's order after `pairs` (see adam.ts): c1 = 1 − beta1, c2 = 1 − beta2. */
export type AdamConstants = readonly [beta1: number, c1: number, beta2: number, c2: number, lrT: number, decay: number, epsilon: number];

/** Pieces per thread, as for the GEMM: a thread slowed by other work is waited on less. */
const PIECES_PER_THREAD = 2;

/** Float32 values per operand region: whole pairs of 16-byte vectors, so every region stays 64-byte aligned. */
const regionOf = (n: number): number => 16 * Math.ceil(n / 16);

/**
 * The Adam step of one float32 leaf on the GEMM module's shared memory, split by pairs over `threads` threads of
 * `pool`: p, g, m, v are copied in, updated in place by adamChunk's pieces, and p', m', v' copied out
 * into out, mOut, vOut. Each pair is computed alone, so the bits are those of one thread (and of adamLoop).
 * False (nothing written) where the GEMM runtime is missing or the leaf does not fit its memory.
 */
export function wasmAdamStep(
  [p, g, m, v]: readonly Float32Array[], [out, mOut, vOut]: readonly Float32Array[], constants: AdamConstants,
  pool: WorkerPool, threads: number, rt = gemmRuntime(),
): boolean {
  if (rt === null) return false;
  const n = p.length;
  const r = regionOf(n);
  if (!reserveOperands(rt, 16 * r)) return false;
  const heap = new Float32Array(rt.memory.buffer);
  const base = OPERANDS_OFFSET >> 2;
  [p, g, m, v].forEach((x, k) => heap.set(x, base + k * r));
  // The pairs past n (when n is odd, or the region's padding) compute on stale values and are not copied out.
  const pairs = r / 2;
  const span = Math.ceil(pairs / (PIECES_PER_THREAD * threads));
  const job = new Int32Array(JOB_WORDS);
  job[JOB.kind] = JOB_KIND.adam;
  [ADAM_JOB.p, ADAM_JOB.g, ADAM_JOB.m, ADAM_JOB.v].forEach((w, k) => (job[w] = OPERANDS_OFFSET + 4 * k * r));
  job[ADAM_JOB.pairs] = pairs;
  job[ADAM_JOB.span] = span;
  new Float64Array(job.buffer, 4 * ADAM_JOB.constants, constants.length).set(constants);
  writeJob(rt, job);
  pool.run(JOB_OFFSET, Math.ceil(pairs / span));
  out.set(heap.subarray(base, base + n));
  mOut.set(heap.subarray(base + 2 * r, base + 2 * r + n));
  vOut.set(heap.subarray(base + 3 * r, base + 3 * r + n));
  return true;
}
