import type { PoolThread, PoolWorkerData } from '../../platform.ts';

// GEMM threads in a browser: Web Workers that share the module's memory, which a page may only do when it is
// cross-origin isolated (served with COOP: same-origin and COEP: require-corp), where SharedArrayBuffer exists.

interface WebWorker {
  postMessage(data: unknown): void;
  terminate(): void;
  addEventListener(type: 'message' | 'error', listener: (event: { message?: string }) => void, options?: { once: boolean }): void;
}

type WebGlobals = {
  Worker?: new (url: URL, options: { type: 'module' }) => WebWorker;
  crossOriginIsolated?: boolean;
  SharedArrayBuffer?: unknown;
};

const globals = globalThis as unknown as WebGlobals;

/** True where Web Workers can share memory with this thread. */
export function webThreadsWork(): boolean {
  return globals.Worker !== undefined && globals.crossOriginIsolated === true && globals.SharedArrayBuffer !== undefined;
}

export function startWebThread(data: PoolWorkerData, onError: (error: Error) => void): PoolThread {
  const Worker = globals.Worker as NonNullable<WebGlobals['Worker']>;
  // Written in this form, bundlers (Vite, webpack) emit web-worker.mjs and rewrite the URL.
  const worker = new Worker(new URL('./web-worker.mjs', import.meta.url), { type: 'module' });
  const ready = new Promise<void>((resolve) => {
    worker.addEventListener('message', () => resolve(), { once: true });
    worker.addEventListener('error', (event) => {
      onError(new Error(`GEMM worker: ${event.message ?? 'failed to start'}`));
      resolve();
    }, { once: true });
  });
  worker.postMessage(data);
  return {
    ready,
    terminate: async () => worker.terminate(),
  };
}
