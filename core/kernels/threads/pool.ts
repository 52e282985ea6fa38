import { SemiflowError } from '../../errors.ts';
import { platform } from '../../platform.ts';
import type { PoolThread } from '../../platform.ts';
import { instantiateExport } from '../wasm/api.ts';
import type { WasmMemory, WasmModule } from '../wasm/api.ts';
import { ARG, CONTROL_WORDS, DONE, FAIL, NEXT, PIECE_BITS, SEQ, TOTAL, drain } from './claim.mjs';

/**
 * A job in which no piece finishes for this long has lost a worker inside a piece (killed, out of memory): the
 * pieces it claimed will never be done, so run() fails instead of waiting forever. A piece takes milliseconds.
 */
const STALL_MS = 30_000;

/**
 * Workers that run one export of a WebAssembly module on a shared memory, as a synchronous parallel-for:
 * `run(arg, total)` calls entry(arg, piece, worker) once for each piece in 0..total−1, on the calling
 * thread (worker 0) and on every worker that is awake, each taking the next free piece, and returns
 * when all are done. Threads come from the platform (worker_threads in Node, Web Workers in a page); the pool
 * needs platform.startThread, and a caller that may not block (a page's main thread) spins instead of sleeping.
 */
export class WorkerPool {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
  private readonly workers: PoolThread[] = [];
  private readonly run0: (arg: number, piece: number, worker: number) => void;
  private readonly booted: Promise<void>[] = [];
  private seq = 0;
  /** The first error a worker reported, if any: that worker takes no more pieces. */
  error: Error | undefined;
  /** Set when a job stalled (see STALL_MS): the pool must not be used again. */
  stalled = false;

  /** spinMs: how long a thread busy-waits for the next job, or for the last piece, before it sleeps. */
  constructor(
    private readonly module: WasmModule, private readonly memory: WasmMemory, private readonly entry: string,
    private readonly spinMs = 0, private readonly stallMs = STALL_MS,
  ) {
    this.run0 = instantiateExport<WorkerPool['run0']>(module, memory, entry);
  }

  /** Threads that can take pieces: the caller and the workers started so far (some may still be booting). */
  get threads(): number {
    return 1 + this.workers.length;
  }

  /** Starts workers until `threads` threads can take pieces; a worker boots in tens of ms, meanwhile the caller does its pieces. */
  grow(threads: number): void {
    const start = platform.startThread;
    if (start === null) throw new SemiflowError('WorkerPool.grow: this platform cannot start threads that share memory');
    while (this.threads < threads) {
      const data = { module: this.module, memory: this.memory, control: this.ctl.buffer, entry: this.entry, worker: this.threads, spinMs: this.spinMs };
      const thread = start(data, (error: Error) => {
        this.error ??= error;
      });
      this.booted.push(thread.ready);
      this.workers.push(thread);
    }
  }

  /** Resolves when every worker started so far is up (or has failed: see `error`); it keeps the process alive until then. */
  async ready(): Promise<void> {
    await Promise.all(this.booted);
  }

  /** Stops every worker, whatever it is doing. */
  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  /** Runs pieces 0..total−1 of the job at `arg`, waits for all of them, and returns how many the workers ran. */
  run(arg: number, total: number): number {
    if (total <= 0) return 0;
    if (total >= 1 << PIECE_BITS) throw new SemiflowError(`WorkerPool.run: ${total} pieces, at most ${(1 << PIECE_BITS) - 1}`);
    const ctl = this.ctl;
    this.seq = (this.seq % 2047) + 1;
    const tag = this.seq << PIECE_BITS;
    Atomics.store(ctl, ARG, arg);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, FAIL, 0);
    Atomics.store(ctl, TOTAL, tag | total);
    Atomics.store(ctl, NEXT, tag);
    Atomics.store(ctl, SEQ, this.seq);
    Atomics.notify(ctl, SEQ);
    const own = drain(ctl, this.seq, this.run0, 0);
    // Spin for the workers' last pieces, then sleep until the one finishing the job wakes us.
    const until = performance.now() + this.spinMs;
    let progressAt = performance.now();
    for (let done = Atomics.load(ctl, DONE), seen = done; done < total; done = Atomics.load(ctl, DONE)) {
      const now = performance.now();
      if (done !== seen) {
        seen = done;
        progressAt = now;
      } else if (now - progressAt >= this.stallMs) {
        this.stalled = true;
        throw new SemiflowError(`WorkerPool.run: no piece of ${this.entry} finished in ${this.stallMs / 1000} s (${done} of ${total} done): a worker thread stopped inside a piece (killed, or out of memory); products now run without the worker threads`);
      }
      if (now >= until && platform.canBlock) Atomics.wait(ctl, DONE, done, this.stallMs);
    }
    if (Atomics.load(ctl, FAIL) !== 0) throw new SemiflowError(`WorkerPool.run: a piece of ${this.entry} failed`);
    return total - own;
  }
}
