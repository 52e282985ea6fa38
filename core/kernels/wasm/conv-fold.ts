import { allocateOutput } from '../../buffer-pool.ts';
import { gemmInMemory } from './gemm.ts';
import { gemmRuntime } from './runtime.ts';
import type { WorkerPool } from '../threads/pool.ts';

/** convTranspose's operands: pixels x [images, outH, outW, filters], kernel [kh, kw, channels, filters], an image of height × width. */
export interface ConvTransposeProblem {
  x: Float32Array;
  xShape: readonly number[];
  kernel: Float32Array;
  kernelShape: readonly number[];
  strides: readonly [number, number];
  dilations: readonly [number, number];
  height: number;
  width: number;
}

type FoldRows = (...args: number[]) => void;

const align64 = (bytes: number) => Math.ceil(bytes / 64) * 64;

/**
 * fold(x·kernelᵀ) in the GEMM module's memory: the product of the pixels with the flattened kernel (split over the
 * pool's threads as the GEMM splits any product), then foldRows adds its patch rows into the zeroed images there, so
 * only the images are copied out, not the kh·kw times larger patches. The bits of the GEMM then the fold kernels;
 * undefined where the GEMM cannot run.
 */
export function wasmConvTranspose(p: ConvTransposeProblem, pool?: WorkerPool, threads = 1, rt = gemmRuntime()): Float32Array | undefined {
  if (!rt) return undefined;
  const [images, outH, outW, filters] = p.xShape;
  const [kh, kw, channels] = p.kernelShape;
  const taps = kh * kw * channels;
  const size = images * p.height * p.width * channels;
  const product = { a: p.x, b: p.kernel, batch: 1, m: images * outH * outW, n: taps, k: filters, transposeA: false, transposeB: true };
  const c = gemmInMemory(product, pool, threads, rt, align64(4 * size));
  if (c === undefined) return undefined;
  const y = c.end >> 2;
  c.heap.fill(0, y, y + size);
  (rt.exports.foldRows as FoldRows)(c.offset, 4 * c.ldc, c.end, images, p.height, p.width, channels, outH, outW, kh, kw, ...p.strides, ...p.dilations);
  const out = allocateOutput('float32', size) as Float32Array;
  out.set(c.heap.subarray(y, y + size));
  return out;
}
