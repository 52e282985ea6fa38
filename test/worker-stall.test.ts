// A worker that stops inside a piece must not hang the main thread: WorkerPool.run fails after its stall time.
import { describe, expect, it } from 'vitest';
import { SemiflowError } from 'semiflow';
import { wasmApi } from '../core/kernels/wasm/api.ts';
import { FunctionBuilder, encodeModule, i32 } from '../core/kernels/wasm/emit.ts';
import { WorkerPool } from '../core/kernels/threads/pool.ts';
import { thrown } from './thrown.ts';

/** piece(arg, piece, worker): the calling thread counts to arg; any worker thread loops forever, as a stuck one would. */
function stuckWorkerModule() {
  const f = new FunctionBuilder([i32, i32, i32]);
  const i = f.local(i32);
  f.get(2).when(
    () => f.op(0x03, 0x40).br(0).op(0x0b),
    () => f.forRange(i, () => f.i32(0), () => f.get(0), 1, () => undefined),
  );
  const module = new wasmApi.Module(encodeModule({ memory: { initialPages: 1, maximumPages: 1, shared: true }, exports: { piece: f } }));
  return { module, memory: new wasmApi.Memory({ initial: 1, maximum: 1, shared: true }) };
}

describe('WorkerPool', () => {
  it('fails a job whose worker never finishes its piece, after the stall time, and marks itself unusable', async () => {
    const { module, memory } = stuckWorkerModule();
    const pool = new WorkerPool(module, memory, 'piece', 0, 300);
    pool.grow(2);
    await pool.ready();
    try {
      const started = performance.now();
      const error = thrown(() => pool.run(1_000_000, 100));
      expect(error).toBeInstanceOf(SemiflowError);
      expect(error.message).toMatch(/^WorkerPool\.run: no piece of piece finished in 0\.3 s \(99 of 100 done\): a worker thread stopped inside a piece/);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(pool.stalled).toBe(true);
    } finally {
      await pool.terminate();
    }
  });
});
