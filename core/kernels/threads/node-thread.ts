import { Worker } from 'node:worker_threads';
import type { PoolThread, PoolWorkerData } from '../../platform.ts';

/**
 * A GEMM thread on worker_threads (worker.mjs). It is unref()ed: it never keeps a script alive, except while it
 * boots, so that a script awaiting `ready` is not ended under it.
 */
export function startNodeThread(data: PoolWorkerData, onError: (error: Error) => void): PoolThread {
  const worker = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: data, execArgv: [] });
  worker.on('error', onError);
  worker.unref();
  const ready = new Promise<void>((resolve) => {
    worker.ref();
    const done = () => {
      worker.unref();
      resolve();
    };
    worker.once('message', done);
    worker.once('error', done);
  });
  return {
    ready,
    terminate: async () => {
      await worker.terminate();
    },
  };
}
