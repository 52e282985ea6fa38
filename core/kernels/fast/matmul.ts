import { ConfigError, describeValue } from '../../errors.ts';
import { checkOptionKeys, positiveInt, trueOrFalse } from '../../options.ts';
import { platform } from '../../platform.ts';
import { sizeOf } from '../../shape.ts';
import type { Kernel } from '../kernel.ts';
import { matmulKernel } from '../matmul.ts';
import { addBiasActivate } from '../affine.ts';
import { WorkerPool } from '../threads/pool.ts';
import { ThreadChoice } from './thread-choice.ts';
import { wasmGemm } from '../wasm/gemm.ts';
import type { GemmProblem } from '../wasm/gemm.ts';
import { BLOCKING, MAX_THREADS, gemmRuntime } from '../wasm/runtime.ts';

/** When the WebAssembly GEMM runs, and on how many threads. */
export interface GemmConfig {
  /** Threads for one product, the calling one included (env SEMIFLOW_THREADS; at most MAX_THREADS). */
  threads: number;
  /** Products of fewer flops (2·batch·m·n·k) run in the plain JS kernel. */
  wasmMinFlops: number;
  /** Products of fewer flops run on the calling thread alone. */
  threadMinFlops: number;
  /**
   * Larger products are split over the threads only where that ran faster for their shape (see thread-choice.ts);
   * false splits every one (tests that want the workers to take pieces).
   */
  adaptiveThreads: boolean;
}

/** Measured only on 2 cores: the training products are too small for more than a few threads to pay. */
const DEFAULT_MAX_THREADS = 4;

function threadsFromEnv(): number {
  const raw = platform.env('SEMIFLOW_THREADS');
  if (raw === undefined || raw === '') return Math.min(platform.cores(), DEFAULT_MAX_THREADS);
  const threads = Number(raw);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new ConfigError(`SEMIFLOW_THREADS must be a positive integer, got ${describeValue(raw)}`);
  }
  return Math.min(threads, MAX_THREADS);
}

function configuredThreads(): number {
  return (config.threads ??= threadsFromEnv());
}

/**
 * Crossovers measured here (best of interleaved runs): WebAssembly beats the JS kernel from about 8³
 * (1.2 µs against 1.8 µs; the fixed cost is ~1 µs of copies and the call); two threads beat one from
 * about 64³ (13 µs against 15.5 µs, 1.46× at 128³, 1.87× at 1024³).
 */
const config: Omit<GemmConfig, 'threads'> & { threads: number | undefined } = {
  // Read on first use, from the platform the entry point has set by then.
  threads: undefined,
  wasmMinFlops: 2 * 8 ** 3,
  threadMinFlops: 2 * 64 ** 3,
  adaptiveThreads: true,
};

/**
 * Changes the GEMM settings (tests force threads on small products with it); returns a function that
 * restores the previous ones.
 */
export function configureGemm(options: Partial<GemmConfig>): () => void {
  const where = 'configureGemm';
  checkOptionKeys(options, ['threads', 'wasmMinFlops', 'threadMinFlops', 'adaptiveThreads'], where);
  const previous = { ...config };
  if (options.threads !== undefined) config.threads = Math.min(positiveInt(options.threads, 'threads', where), MAX_THREADS);
  if (options.adaptiveThreads !== undefined) config.adaptiveThreads = trueOrFalse(options.adaptiveThreads, 'adaptiveThreads', where);
  for (const key of ['wasmMinFlops', 'threadMinFlops'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0)) throw new ConfigError(`${where}: ${key} must be a number >= 0, got ${describeValue(value)}`);
    config[key] = value;
  }
  return () => Object.assign(config, previous);
}

/** What the fast matmul runs on, for a bench's header. */
export interface GemmInfo {
  /** WebAssembly SIMD128 and shared memory are there (else float32 products run in the JS kernel). */
  simd: boolean;
  /** The GEMM multiply-adds with relaxed SIMD's relaxed_madd (FMA where the CPU has it; SEMIFLOW_FMA=0 turns it off). */
  fma: boolean;
  threads: number;
  /** The register tile, rows×columns. */
  tile: string;
  /** The first error a worker reported, if any. */
  workerError?: string;
}

export function gemmInfo(): GemmInfo {
  const rt = gemmRuntime();
  const info = { simd: rt !== null, fma: rt?.fma ?? false, threads: configuredThreads(), tile: `${BLOCKING.mr}x${BLOCKING.nr}` };
  return pool?.error ? { ...info, workerError: pool.error.message } : info;
}

/**
 * How long a worker spins for the next product before it sleeps (Atomics.wait), and the caller for the workers'
 * last pieces. Short: a sleeping worker wakes tens of µs late, but a spinning one takes a core from whatever
 * else runs (our own main thread between products, another process), and the products of a training step
 * come up to a few ms apart.
 */
const SPIN_MS = 0.1;

let pool: WorkerPool | undefined;
const choice = new ThreadChoice();

/** The pool for `threads` threads, started on the first product that wants it. */
function poolFor(threads: number): WorkerPool | undefined {
  const rt = gemmRuntime();
  if (threads < 2 || !rt || pool?.stalled || platform.startThread === null) return undefined;
  pool ??= new WorkerPool(rt.module, rt.memory, 'chunk', SPIN_MS);
  pool.grow(threads);
  return pool;
}

/** Starts the worker pool for the configured threads now and resolves once the workers are up (for warm-ups). */
export async function gemmReady(): Promise<void> {
  await poolFor(configuredThreads())?.ready();
}

/**
 * The matmul primitive on the WebAssembly SIMD GEMM for float32 (see wasm/gemm-kernel.ts for its
 * summation order); float64, empty and tiny products go to the reference kernel. Results are the same
 * bits for any thread count.
 */
export const fastMatmul: Kernel<'matmul'> = (inputs, shapes, params, out) => {
  const [a, b] = inputs;
  const rank = out.shape.length;
  const m = out.shape[rank - 2];
  const n = out.shape[rank - 1];
  const k = params.transposeA ? shapes[0][rank - 2] : shapes[0][rank - 1];
  const batch = sizeOf(out.shape.slice(0, -2));
  const flops = 2 * batch * m * n * k;
  if (out.dtype !== 'float32' || !(a instanceof Float32Array) || !(b instanceof Float32Array) || flops < Math.max(1, config.wasmMinFlops)) {
    return matmulKernel(inputs, shapes, params, out);
  }
  const problem = { a, b, batch, m, n, k, transposeA: params.transposeA, transposeB: params.transposeB };
  return multiply(problem, flops) ?? matmulKernel(inputs, shapes, params, out);
};

/**
 * The affine primitive: on the WebAssembly GEMM the bias and relu are applied in the store of each output tile
 * (no pass over C afterwards); elsewhere the matmul kernel, then the reference's pass over its output. Same bits.
 */
export const fastAffine: Kernel<'affine'> = (inputs, shapes, params, out) => {
  const [x, w, bias] = inputs;
  const [m, k] = shapes[0];
  const n = shapes[1][1];
  const flops = 2 * m * n * k;
  if (out.dtype === 'float32' && x instanceof Float32Array && w instanceof Float32Array && bias instanceof Float32Array && flops >= Math.max(1, config.wasmMinFlops)) {
    const problem = { a: x, b: w, batch: 1, m, n, k, transposeA: false, transposeB: false, bias, relu: params.activation === 'relu' };
    const c = multiply(problem, flops);
    if (c !== undefined) return c;
  }
  const plain = { transposeA: false, transposeB: false };
  return addBiasActivate(fastMatmul([x, w], [shapes[0], shapes[1]], plain, out), bias, params.activation);
};

/** The product on the calling thread or split over the pool, as GemmConfig says; undefined when WebAssembly cannot take it. */
export function multiply(p: GemmProblem, flops: number): Float32Array | undefined {
  const shape = `${p.batch} ${p.m} ${p.n} ${p.k} ${p.transposeA} ${p.transposeB} ${p.bias ? 'bias' : ''} ${p.a instanceof Float32Array ? '' : 'unfold'}`;
  return onThreads(shape, flops, (pool, threads) => wasmGemm(p, pool, threads));
}

/** Products of fewer flops run in the plain JS kernel (GemmConfig.wasmMinFlops, at least 1). */
export function gemmMinFlops(): number {
  return Math.max(1, config.wasmMinFlops);
}

/**
 * Runs work of `flops` on the GEMM module's threads: on the calling thread alone (pool undefined) or split over the
 * pool, as GemmConfig says and, when adaptive, as the calls of the same `shape` measured faster (thread-choice.ts).
 */
export function onThreads<T>(shape: string, flops: number, run: (pool: WorkerPool | undefined, threads: number) => T): T {
  const threads = configuredThreads();
  if (threads < 2 || flops < config.threadMinFlops) return run(undefined, 1);
  if (!config.adaptiveThreads) return run(poolFor(threads), threads);
  const key = `${threads} ${shape}`;
  const split = choice.split(key);
  const started = performance.now();
  const result = split ? run(poolFor(threads), threads) : run(undefined, 1);
  choice.took(key, split, performance.now() - started);
  return result;
}
