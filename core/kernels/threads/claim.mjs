// Shared by the main thread (through pool.ts) and the workers (worker.mjs): plain JS so that a worker
// needs no TypeScript loader, under tsx and vitest alike.

/** Indices of the control words in the pool's Int32Array. */
export const SEQ = 0;
export const NEXT = 1;
export const DONE = 2;
export const TOTAL = 3;
export const FAIL = 4;
export const ARG = 5;
export const CONTROL_WORDS = 8;

/** Pieces are numbered below 2^20; the job's sequence number (1..2047) sits above them. */
export const PIECE_BITS = 20;
const PIECE_MASK = (1 << PIECE_BITS) - 1;

/**
 * Takes pieces of job `seq` and runs `run(arg, piece, worker)` on each until none are left.
 * NEXT and TOTAL carry the sequence number, so a thread that wakes late for a finished job takes nothing;
 * a compare-exchange that succeeds proves the job is still open, hence ARG (written before SEQ, rewritten
 * only once every piece is DONE) is this job's. The thread finishing the last piece wakes the publisher.
 * Returns how many pieces this thread ran.
 */
export function drain(ctl, seq, run, worker) {
  const arg = Atomics.load(ctl, ARG);
  const tagged = Atomics.load(ctl, TOTAL);
  if (tagged >>> PIECE_BITS !== seq) return 0;
  const total = tagged & PIECE_MASK;
  let ran = 0;
  for (;;) {
    const next = Atomics.load(ctl, NEXT);
    if (next >>> PIECE_BITS !== seq || (next & PIECE_MASK) >= total) return ran;
    if (Atomics.compareExchange(ctl, NEXT, next, next + 1) !== next) continue;
    ran++;
    try {
      run(arg, next & PIECE_MASK, worker);
    } catch {
      Atomics.store(ctl, FAIL, 1);
    }
    if (Atomics.add(ctl, DONE, 1) + 1 === total) Atomics.notify(ctl, DONE);
  }
}

/** Busy-waits up to `ms` while ctl[index] === value; the caller then sleeps with Atomics.wait if need be. */
export function spinWhile(ctl, index, value, ms) {
  const until = performance.now() + ms;
  while (Atomics.load(ctl, index) === value && performance.now() < until);
}
