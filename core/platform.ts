import { startWebThread, webThreadsWork } from './kernels/threads/web-thread.ts';
import type { WasmMemory, WasmModule } from './kernels/wasm/api.ts';

// The seam between the framework and the JavaScript engine it runs on. The root entry imports no Node built-in:
// it starts with the defaults below, which use only what any engine (or a browser) offers. The Node entry
// (platform/node/register.ts) replaces them with worker_threads, os and process.stdout, and registers the file
// system's model store (models/io/stores.ts) and the HTML training report (models/report/report-seam.ts).

/** What a GEMM worker thread is started with (the pool's control words, the module and its shared memory). */
export interface PoolWorkerData {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly control: SharedArrayBuffer;
  readonly entry: string;
  readonly worker: number;
  readonly spinMs: number;
}

/** A started worker thread. */
export interface PoolThread {
  /** Resolves once the thread is up (or has failed: onError then reports why). */
  readonly ready: Promise<void>;
  terminate(): Promise<void>;
}

/** Where lines of text go: a terminal stream in Node (isTTY, columns), nothing in a page. */
export interface TextStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Platform {
  /** 'node', 'browser' or 'generic': says in backendInfo() where the framework found itself. */
  name: string;
  /** Logical processors the engine reports. */
  cores(): number;
  /** An environment setting (SEMIFLOW_THREADS...), undefined where the engine has none. */
  env(name: string): string | undefined;
  /**
   * Starts one GEMM worker thread, or is null where threads cannot share memory (a page that is not
   * cross-origin isolated, an engine without workers): products then run on the calling thread.
   */
  startThread: ((data: PoolWorkerData, onError: (error: Error) => void) => PoolThread) | null;
  /** Whether the calling thread may sleep in Atomics.wait (a page's main thread may not: it spins instead). */
  canBlock: boolean;
  /** Where fit, evaluate and predict draw their progress bars: process.stdout in Node, nowhere in a page (use callbacks). */
  stdout: TextStream;
  /** One line from a callback (EarlyStopping's "early stopping"...). */
  log(line: string): void;
}

type Globals = {
  process?: { env?: Record<string, string | undefined> };
  navigator?: { hardwareConcurrency?: number };
  document?: unknown;
  WorkerGlobalScope?: unknown;
  console: { log(line: string): void };
};

const globals = globalThis as unknown as Globals;

/** The settings a page or an engine gives without any import: Web Workers when the page is cross-origin isolated. */
export const platform: Platform = {
  name: globals.document !== undefined || globals.WorkerGlobalScope !== undefined ? 'browser' : 'generic',
  cores: () => globals.navigator?.hardwareConcurrency ?? 1,
  env: (name) => globals.process?.env?.[name],
  startThread: webThreadsWork() ? startWebThread : null,
  canBlock: globals.document === undefined,
  stdout: { write: () => undefined },
  log: (line) => globals.console.log(line),
};

/** Replaces some of the platform's settings (the Node entry and the web threads call it once, at import). */
export function setPlatform(settings: Partial<Platform>): void {
  Object.assign(platform, settings);
}
