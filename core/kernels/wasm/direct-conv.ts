import { allocateOutput } from '../../buffer-pool.ts';
import { instantiateExport } from './api.ts';
import { OPERANDS_OFFSET, gemmRuntime, reserveOperands } from './runtime.ts';
import type { GemmRuntime } from './runtime.ts';

type DirectConvFn = (...args: number[]) => void;

/** A one-channel convolution for directConv (see direct-conv-module.ts): images [n, height, width], kernel [kh·kw, filters]. */
export interface DirectConvProblem {
  x: Float32Array;
  w: Float32Array;
  bias: Float32Array;
  images: number;
  height: number;
  width: number;
  kh: number;
  kw: number;
  filters: number;
  relu: boolean;
}

const instances = new WeakMap<GemmRuntime, { wide: DirectConvFn; narrow: DirectConvFn }>();

function functionsOf(rt: GemmRuntime): { wide: DirectConvFn; narrow: DirectConvFn } {
  let fns = instances.get(rt);
  if (fns === undefined) {
    fns = { wide: instantiateExport<DirectConvFn>(rt.module, rt.memory, 'directConv8'), narrow: instantiateExport<DirectConvFn>(rt.module, rt.memory, 'directConv1') };
    instances.set(rt, fns);
  }
  return fns;
}

const align64 = (bytes: number) => Math.ceil(bytes / 64) * 64;

/**
 * The convolution on the calling thread in the GEMM module's memory, into a Float32Array from allocateOutput
 * [images, outH, outW, filters]; undefined without WebAssembly SIMD, for filters not a multiple of 4, or when the
 * operands do not fit. The same bits as the affine primitive on the unfolded image (see direct-conv-module.ts).
 */
export function wasmDirectConv(p: DirectConvProblem, rt = gemmRuntime()): Float32Array | undefined {
  const { images, height, width, kh, kw, filters } = p;
  if (rt === null || filters % 4 !== 0) return undefined;
  const outH = height - kh + 1;
  const outW = width - kw + 1;
  const xOff = OPERANDS_OFFSET;
  const wOff = xOff + align64(4 * p.x.length);
  const bOff = wOff + align64(4 * p.w.length);
  const yOff = bOff + align64(4 * filters);
  const size = images * outH * outW * filters;
  if (!reserveOperands(rt, yOff - xOff + 4 * size)) return undefined;
  const heap = new Float32Array(rt.memory.buffer);
  heap.set(p.x, xOff >> 2);
  heap.set(p.w, wOff >> 2);
  heap.set(p.bias, bOff >> 2);
  const { wide, narrow } = functionsOf(rt);
  (filters % 32 === 0 ? wide : narrow)(xOff, wOff, bOff, yOff, images, height, width, outH, outW, kh, kw, filters, p.relu ? 1 : 0);
  const y = allocateOutput('float32', size) as Float32Array;
  y.set(heap.subarray(yOff >> 2, (yOff >> 2) + size));
  return y;
}
