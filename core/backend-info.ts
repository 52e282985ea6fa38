import { gemmInfo } from './kernels/fast/matmul.ts';
import { platform } from './platform.ts';

/** What the fast kernels run on here. */
export interface BackendInfo {
  /** 'node', 'browser' (a page or a worker) or 'generic' (another engine without the Node entry). */
  platform: string;
  /** WebAssembly SIMD with shared memory: float32 products run in the WebAssembly GEMM (else in plain JS). */
  simd: boolean;
  /** The GEMM multiply-adds with relaxed SIMD (FMA where the CPU has it): products round differently from an engine without it. */
  fma: boolean;
  /** Threads a large product runs on, the calling one included. */
  threads: number;
  /** Why that many, in words. */
  why: string;
  /** The first error a GEMM worker thread reported (it then takes no work), if any. */
  workerError?: string;
}

export function backendInfo(): BackendInfo {
  const gemm = gemmInfo();
  const shared = platform.startThread !== null;
  const threads = gemm.simd && shared ? gemm.threads : 1;
  const why = !gemm.simd ? 'no WebAssembly SIMD with shared memory here: products run in plain JavaScript on one thread'
    : shared ? `${threads} thread${threads === 1 ? '' : 's'} (${platform.name === 'browser' ? 'Web Workers, the page is cross-origin isolated' : 'worker_threads'}; SEMIFLOW_THREADS or configureGemm change it)`
    : platform.name === 'browser' ? 'one thread: the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp for Web Worker threads)'
    : 'one thread: this engine cannot start threads that share memory';
  const info = { platform: platform.name, simd: gemm.simd, fma: gemm.fma, threads, why };
  return gemm.workerError === undefined ? info : { ...info, workerError: gemm.workerError };
}
