import { allocateOutput } from '../../buffer-pool.ts';
import { EPILOGUE, JOB, JOB_WORDS } from './gemm-kernel.ts';
import { BLOCKING, JOB_OFFSET, OPERANDS_OFFSET, SCRATCH_OFFSET, SCRATCH_STRIDE, gemmRuntime, reserveOperands, writeJob } from './runtime.ts';
import type { GemmRuntime } from './runtime.ts';
import type { WorkerPool } from '../threads/pool.ts';

/** An operand that writes itself into the module's memory (patches unfolded there, say) instead of being copied in. */
export interface OperandWriter {
  /** The float32 values it writes. */
  readonly length: number;
  /** Bytes of scratch it needs past the product's own memory (and the caller's extra bytes). */
  readonly scratchBytes: number;
  /**
   * Writes the operand at byte `offset`, with `scratchBytes` free bytes at byte `scratchOffset`; the memory is grown
   * already. It may split the work over `threads` threads of `pool` (the product's).
   */
  write(rt: GemmRuntime, offset: number, scratchOffset: number, pool: WorkerPool | undefined, threads: number): void;
}

/** A batched product C[t] = op(A[t])·op(B[t]) of float32 operands laid out as the matmul primitive has them. */
export interface GemmProblem {
  a: Float32Array | OperandWriter;
  b: Float32Array;
  batch: number;
  m: number;
  n: number;
  k: number;
  transposeA: boolean;
  transposeB: boolean;
  /** With a bias row of n values, C[t] = op(A[t])·op(B[t]) + bias, and relu of that with `relu` (see macro in gemm-macro.ts). */
  bias?: Float32Array;
  relu?: boolean;
}

/** Pieces per thread when C is split: more than one, so a thread slowed by other work is waited on less. */
const PIECES_PER_THREAD = 2;

/**
 * Each piece packs the whole of the operand it does not split (B for a piece of rows): pieces narrower
 * than this cost more in packing than the second thread gains (9×86528×32 ran 0.65× on two threads
 * with pieces of 8 columns).
 */
const MIN_SPAN = 32;

/** Rows at least this long are copied out through a subarray view. */
const ROW_COPY_MIN = 64;

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;
const align64 = (bytes: number) => roundUp(bytes, 64);

/**
 * Computes the product in WebAssembly, split for `threads` threads on `pool` when given (else on the
 * calling thread), and returns C in a Float32Array from allocateOutput. A and B are copied in as they are
 * (the packing reads the transposed layouts); C is padded to whole tiles in memory and copied out.
 * Undefined when the operands do not fit in the module's memory or the engine has no SIMD.
 * `rt` (the process's runtime by default) must be the one `pool` runs.
 * Needs k ≥ 1 and batch·m·n ≥ 1.
 */
export function wasmGemm(p: GemmProblem, pool?: WorkerPool, threads = 1, rt = gemmRuntime()): Float32Array | undefined {
  const c = gemmInMemory(p, pool, threads, rt);
  return c && copyOut(c.heap, c.offset >> 2, p.batch, p.m, p.n, c.rows, c.ldc);
}

/** Where gemmInMemory left C: at byte `offset`, `rows` (m padded) × `ldc` columns per matrix; `end` the first byte past it. */
export interface GemmInMemory {
  heap: Float32Array;
  offset: number;
  rows: number;
  ldc: number;
  end: number;
}

/** wasmGemm without the copy out: C stays in the module's memory, with `extraBytes` reserved past it for the caller. */
export function gemmInMemory(p: GemmProblem, pool?: WorkerPool, threads = 1, rt = gemmRuntime(), extraBytes = 0): GemmInMemory | undefined {
  if (!rt) return undefined;
  const { mr, nr, kc, mc } = BLOCKING;
  const { batch, m, n, k } = p;
  const ldc = roundUp(n, nr);
  const mPad = roundUp(m, mr);
  const aOff = OPERANDS_OFFSET;
  const bOff = aOff + align64(4 * p.a.length);
  const biasOff = bOff + align64(4 * p.b.length);
  const cOff = biasOff + (p.bias ? align64(4 * ldc) : 0);
  const end = cOff + align64(4 * batch * mPad * ldc);
  const scratchBytes = p.a instanceof Float32Array ? 0 : p.a.scratchBytes;
  const split = pool ? splitC(m, n, batch, threads) : { splitRows: 1, span: m, perMatrix: 1 };
  // Pieces of rows would each pack all of op(B): pack it once here instead, for all of them.
  const prepack = batch === 1 && split.splitRows === 1 && split.perMatrix > 1;
  // Past C: the caller's extraBytes, then A's unfolding scratch, then the packed B.
  const scratchOff = end + extraBytes;
  const prepackOff = align64(scratchOff + scratchBytes);
  const last = prepack ? prepackOff + 4 * k * roundUp(n, nr) : scratchOff + scratchBytes;
  if (!reserveOperands(rt, last - aOff)) return undefined;
  const heap = new Float32Array(rt.memory.buffer);
  if (p.a instanceof Float32Array) heap.set(p.a, aOff >> 2);
  else p.a.write(rt, aOff, scratchOff, pool, threads);
  heap.set(p.b, bOff >> 2);
  if (p.bias) {
    // Padded with zeros to whole tiles, as C is: the padding columns are computed and never copied out.
    heap.set(p.bias, biasOff >> 2);
    heap.fill(0, (biasOff >> 2) + n, (biasOff >> 2) + ldc);
  }
  const job = new Int32Array(JOB_WORDS);
  job[JOB.a] = aOff;
  job[JOB.b] = bOff;
  job[JOB.c] = cOff;
  // Strides in bytes of op(A) along rows and depth, of op(B) along columns and depth.
  job[JOB.aRow] = p.transposeA ? 4 : 4 * k;
  job[JOB.aDepth] = p.transposeA ? 4 * m : 4;
  job[JOB.bCol] = p.transposeB ? 4 * k : 4;
  job[JOB.bDepth] = p.transposeB ? 4 : 4 * n;
  job[JOB.ldc] = 4 * ldc;
  job[JOB.k] = k;
  job[JOB.m] = m;
  job[JOB.n] = n;
  job[JOB.aBatch] = 4 * m * k;
  job[JOB.bBatch] = 4 * k * n;
  job[JOB.cBatch] = 4 * mPad * ldc;
  job[JOB.perMatrix] = split.perMatrix;
  job[JOB.splitRows] = split.splitRows;
  job[JOB.span] = split.span;
  job[JOB.scratch] = SCRATCH_OFFSET;
  job[JOB.scratchStride] = SCRATCH_STRIDE;
  job[JOB.packedB] = 4 * mc * kc;
  job[JOB.bias] = biasOff;
  job[JOB.epilogue] = !p.bias ? EPILOGUE.none : p.relu ? EPILOGUE.biasRelu : EPILOGUE.bias;
  job[JOB.prepackedB] = prepack ? prepackOff : 0;
  writeJob(rt, job);
  if (prepack) packAllB(rt)(JOB_OFFSET);
  const pieces = batch * split.perMatrix;
  if (pool && pieces > 1) pool.run(JOB_OFFSET, pieces);
  else for (let q = 0; q < pieces; q++) rt.chunk(JOB_OFFSET, q, 0);
  return { heap, offset: cOff, rows: mPad, ldc, end };
}

type PackAllB = (job: number) => void;

/** The runtime's packAllB export (see gemm-kernel.ts). */
export function packAllB(rt: GemmRuntime): PackAllB {
  return rt.exports.packAllB as PackAllB;
}

/**
 * Cuts each matrix's C along its longer side (in tiles) into about PIECES_PER_THREAD·threads pieces of
 * whole tiles, none narrower than MIN_SPAN; a batch with enough matrices is shared out one matrix per piece.
 */
function splitC(m: number, n: number, batch: number, threads: number): { splitRows: number; span: number; perMatrix: number } {
  const { mr, nr } = BLOCKING;
  const wanted = PIECES_PER_THREAD * threads;
  if (batch >= wanted) return { splitRows: 1, span: m, perMatrix: 1 };
  const rows = Math.ceil(m / mr) >= Math.ceil(n / nr);
  const [extent, tile] = rows ? [m, mr] : [n, nr];
  const tiles = Math.ceil(extent / tile);
  const spanTiles = Math.max(Math.ceil(tiles / Math.ceil(wanted / batch)), Math.ceil(MIN_SPAN / tile));
  return { splitRows: rows ? 1 : 0, span: spanTiles * tile, perMatrix: Math.ceil(tiles / spanTiles) };
}

/** C without its padding (batch matrices of mPad rows × ldc columns in memory) into a new or pooled array. */
export function copyOut(heap: Float32Array, c: number, batch: number, m: number, n: number, mPad: number, ldc: number): Float32Array {
  const out = allocateOutput('float32', batch * m * n) as Float32Array;
  if (ldc === n && (mPad === m || batch === 1)) {
    out.set(heap.subarray(c, c + batch * m * n));
    return out;
  }
  for (let t = 0, o = 0; t < batch; t++) {
    for (let i = 0; i < m; i++, o += n) {
      const from = c + (t * mPad + i) * ldc;
      // A short row costs less copied value by value than through a subarray view.
      if (n >= ROW_COPY_MIN) out.set(heap.subarray(from, from + n), o);
      else for (let j = 0; j < n; j++) out[o + j] = heap[from + j];
    }
  }
  return out;
}
