import { FunctionBuilder, i32 } from './emit.ts';
import { callGemm } from './gemm-call.ts';

/**
 * Blocking of the GEMM: an MR×NR register tile (NR a multiple of 4 lanes), KC steps of the inner
 * dimension per block, and MC rows × NC columns per packed block of A and B.
 */
export interface Blocking {
  mr: number;
  nr: number;
  kc: number;
  mc: number;
  nc: number;
}

/** Function indices in the module (gemm-module.ts) of what gemm and packAllB call. */
export interface GemmFunctions {
  packA: number;
  packB: number;
  macro: number;
}

/** Word offsets in the job descriptor that `chunk` reads from memory (one i32 each). */
export const JOB = {
  a: 0, b: 1, c: 2, aRow: 3, aDepth: 4, bCol: 5, bDepth: 6, ldc: 7, k: 8, m: 9, n: 10,
  aBatch: 11, bBatch: 12, cBatch: 13, perMatrix: 14, splitRows: 15, span: 16,
  scratch: 17, scratchStride: 18, packedB: 19, bias: 20, epilogue: 21, kind: 22, prepackedB: 23,
} as const;
export const JOB_WORDS = 24;

/** What the last KC block's store does after the sum: nothing, + bias[j], or relu(· + bias[j]). */
export const EPILOGUE = { none: 0, bias: 1, biasRelu: 2 } as const;

/**
 * C[r0:r1, c0:c1] = op(A)·op(B) for one matrix, with op(A)[i,p] at a + i·aRow + p·aDepth and
 * op(B)[p,j] at b + p·bDepth + j·bCol (bytes), C rows ldc bytes apart. r0 and c0 must sit on tile
 * boundaries. Loops: NC columns, then KC deep (pack B), then MC rows (pack A), then the macro-kernel.
 * Each C element sums its KC block in float32 lanes in the order of p, then adds the blocks in order:
 * the same order whatever range of C a call covers, hence whatever thread computes it. The last KC block
 * applies `epilogue` with the bias row at `bias` (see macro). With `prepacked` ≠ 0 (and c0 = 0), op(B) is
 * packed already at that byte offset as packAllB lays it out, and no block of B is packed here.
 */
export function gemm({ nr: NR, kc: KC, mc: MC, nc: NC }: Blocking, fns: GemmFunctions): FunctionBuilder {
  const f = new FunctionBuilder(new Array(18).fill(i32));
  const [a, b, c, aRow, aDepth, bCol, bDepth, ldc, k, r0, r1, c0, c1, ap, bp, bias, epilogue, prepacked] = Array.from({ length: 18 }, (_, i) => i);
  const [jc, pc, ic, nc, kc, mc, lim] = [f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32)];
  const bq = f.local(i32);
  f.forRange(jc, () => f.get(c0), () => f.get(c1), NC, () => {
    blockLength(f, c1, jc, NC, nc, lim);
    f.forRange(pc, () => f.i32(0), () => f.get(k), KC, () => {
      blockLength(f, k, pc, KC, kc, lim);
      f.get(prepacked).eqz().when(() => {
        f.get(b).get(pc).get(bDepth).mul().add().get(jc).get(bCol).mul().add();
        f.get(bCol).get(bDepth).get(nc).get(kc).get(bp).call(fns.packB);
        f.get(bp).set(bq);
      }, () => prepackedBlock(f, prepacked, jc, pc, k, nc, NR, bq));
      f.forRange(ic, () => f.get(r0), () => f.get(r1), MC, () => {
        blockLength(f, r1, ic, MC, mc, lim);
        f.get(a).get(ic).get(aRow).mul().add().get(pc).get(aDepth).mul().add();
        f.get(aRow).get(aDepth).get(mc).get(kc).get(ap).call(fns.packA);
        f.get(ap).get(bq);
        f.get(c).get(ic).get(ldc).mul().add().get(jc).i32(4).mul().add();
        f.get(ldc).get(mc).get(nc).get(kc).get(pc).eqz();
        f.get(bias).get(jc).i32(4).mul().add();
        // The epilogue only where this block is the last: pc + kc = k.
        f.get(epilogue).i32(0).get(pc).get(kc).add().get(k).eq().select();
        f.call(fns.macro);
      });
    });
  });
  return f;
}

/** length = min(size, total − at), with lim as scratch: the extent of the block at `at`. */
function blockLength(f: FunctionBuilder, total: number, at: number, size: number, length: number, lim: number): void {
  f.get(total).get(at).sub().set(length);
  f.i32(size).set(lim);
  f.min(length, lim).set(length);
}

/** bq = prepacked + 4·(jc·k + pc·ncPad), ncPad = nc rounded up to whole NR panels: block (jc, pc) of packAllB's layout. */
function prepackedBlock(f: FunctionBuilder, prepacked: number, jc: number, pc: number, k: number, nc: number, nr: number, bq: number): void {
  f.get(prepacked).get(jc).get(k).mul();
  f.get(pc).get(nc).i32(nr - 1).add().i32(nr).divU().i32(nr).mul().mul();
  f.add().i32(4).mul().add().set(bq);
}

/**
 * packAllB(job): packs the whole op(B) of the job's first matrix at JOB.prepackedB, for pieces that split C by rows
 * and would each pack all of it again: blocks of NC columns, each KC deep blocks in order, block (jc, pc) of
 * nc columns at 4·(jc·k + pc·ncPad) bytes in, the layout packB writes (panels of NR, zeros past the edge).
 */
export function packAllB({ nr: NR, kc: KC, nc: NC }: Blocking, fns: GemmFunctions): FunctionBuilder {
  const f = new FunctionBuilder([i32]);
  const [job] = [0];
  const [jc, pc, nc, kc, lim, n, k, dst] = Array.from({ length: 8 }, () => f.local(i32));
  const word = (w: number) => f.get(job).loadI32(4 * w);
  word(JOB.n);
  f.set(n);
  word(JOB.k);
  f.set(k);
  word(JOB.prepackedB);
  f.set(dst);
  f.forRange(jc, () => f.i32(0), () => f.get(n), NC, () => {
    blockLength(f, n, jc, NC, nc, lim);
    f.forRange(pc, () => f.i32(0), () => f.get(k), KC, () => {
      blockLength(f, k, pc, KC, kc, lim);
      word(JOB.b);
      f.get(pc);
      word(JOB.bDepth);
      f.mul().add().get(jc);
      word(JOB.bCol);
      f.mul().add();
      word(JOB.bCol);
      word(JOB.bDepth);
      f.get(nc).get(kc);
      prepackedBlock(f, dst, jc, pc, k, nc, NR, lim);
      f.get(lim).call(fns.packB);
    });
  });
  return f;
}

/**
 * The product piece of chunk(job, q, worker) (gemm-module.ts), for a job of kind gemm: a job is `batch` matrices, each
 * cut into `perMatrix` pieces of `span` rows (splitRows = 1) or columns; `worker` picks its own packing scratch. Pieces
 * never share a C element, so threads can take them in any order.
 */
export function gemmPiece(f: FunctionBuilder, job: number, q: number, worker: number, gemmIndex: number): void {
  const [t, s, lo, hi, ap, rows] = [f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32)];
  const word = (w: number) => f.get(job).loadI32(4 * w);
  word(JOB.perMatrix);
  f.set(s);
  f.get(q).get(s).divU().set(t);
  f.get(q).get(s).remU().set(s);
  word(JOB.splitRows);
  f.set(rows);
  word(JOB.span);
  f.get(s).mul().set(lo);
  word(JOB.span);
  f.get(lo).add().set(hi);
  f.get(rows).when(() => { word(JOB.m); f.set(s); }, () => { word(JOB.n); f.set(s); });
  f.min(hi, s).set(hi);
  word(JOB.scratch);
  word(JOB.scratchStride);
  f.get(worker).mul().add().set(ap);
  for (const [base, stride] of [[JOB.a, JOB.aBatch], [JOB.b, JOB.bBatch], [JOB.c, JOB.cBatch]]) {
    word(base);
    word(stride);
    f.get(t).mul().add();
  }
  for (const w of [JOB.aRow, JOB.aDepth, JOB.bCol, JOB.bDepth, JOB.ldc, JOB.k]) word(w);
  // Rows lo..hi and all columns, or all rows and columns lo..hi.
  f.get(lo).i32(0).get(rows).select();
  f.get(hi);
  word(JOB.m);
  f.get(rows).select();
  f.i32(0).get(lo).get(rows).select();
  word(JOB.n);
  f.get(hi).get(rows).select();
  callGemm(f, JOB, job, ap, gemmIndex);
}

/** Bytes of packing scratch one thread needs: an MC×KC panel of A and a KC×NC panel of B. */
export function scratchBytes({ mc, kc, nc }: Blocking): number {
  return 4 * kc * (mc + nc);
}
