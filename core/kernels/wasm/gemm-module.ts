import { FunctionBuilder, encodeModule, i32, v128 } from './emit.ts';
import { directConv } from './direct-conv-module.ts';
import { convGemmChunk, foldRows, unfoldRange } from './conv-gemm-module.ts';
import { adamFunction } from './adam.ts';
import { callGemm } from './gemm-call.ts';
import { maxPool } from './elementwise-module.ts';

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

/** Word offsets in the job descriptor that `chunk` reads from memory (one i32 each). */
export const JOB = {
  a: 0, b: 1, c: 2, aRow: 3, aDepth: 4, bCol: 5, bDepth: 6, ldc: 7, k: 8, m: 9, n: 10,
  aBatch: 11, bBatch: 12, cBatch: 13, perMatrix: 14, splitRows: 15, span: 16,
  scratch: 17, scratchStride: 18, packedB: 19, bias: 20, epilogue: 21, kind: 22, prepackedB: 23,
} as const;
export const JOB_WORDS = 24;

/**
 * What a job is (its word JOB.kind): a product laid out as JOB says, a convolution laid out as CONV_JOB says, a
 * convolution as a product of its patch rows, laid out as JOB and CONV_GEMM_JOB (conv-gemm-module.ts) say, or an
 * Adam step as ADAM_JOB says, or a 2×2 max pooling as POOL_JOB says.
 */
export const JOB_KIND = { gemm: 0, directConv: 1, convGemm: 2, adam: 3, maxPool: 4 } as const;

/** Word offsets of a directConv job (see direct-conv-module.ts): pieces of `span` images each. */
export const CONV_JOB = {
  x: 0, w: 1, bias: 2, y: 3, height: 4, width: 5, outH: 6, outW: 7, kh: 8, kw: 9, filters: 10, relu: 11, images: 12, span: 13,
} as const;

/**
 * Word offsets of an adam job (see adam.ts): `pairs` pairs of float32 at byte offsets p, g, m, v, in pieces of `span`
 * pairs; from word `constants` on, the seven float64 arguments of adam after `pairs` (beta1, c1, beta2, c2, lrT, decay, epsilon).
 */
export const ADAM_JOB = { p: 0, g: 1, m: 2, v: 3, pairs: 4, span: 5, constants: 8 } as const;

/**
 * Word offsets of a maxPool job: `images` images at byte offset x, `imageBytes` apart, their image rows `stride`
 * bytes apart, pooled 2×2 into [images, outH, B, C] at y, in pieces of `span` images.
 */
export const POOL_JOB = { x: 0, y: 1, images: 2, outH: 3, B: 4, C: 5, stride: 6, imageBytes: 7, span: 8 } as const;

/** What the last KC block's store does after the sum: nothing, + bias[j], or relu(· + bias[j]). */
export const EPILOGUE = { none: 0, bias: 1, biasRelu: 2 } as const;

// Function indices, in the order of `exports` below.
const PACK_A = 0, PACK_B = 1, MACRO = 2, GEMM = 3, DIRECT_CONV_WIDE = 5, DIRECT_CONV_NARROW = 6, CONV_CHUNK = 7, UNFOLD_RANGE = 8, CONV_GEMM_CHUNK = 9;
const ADAM = 11, ADAM_CHUNK = 12, MAX_POOL = 14, POOL_CHUNK = 15;

/**
 * Packs `lines` lines of an operand, `kc` deep, into panels of `width` lines laid out [panel][p][line]:
 * line l, step p of the source is at src + l·lineStride + p·depthStride (bytes). Lines past the edge are
 * zero, so the micro-kernel never branches on them. A full panel moves as vectors when its lines are
 * adjacent (lineStride = 4: one v128 per 4 lines and step) or each line is contiguous (depthStride = 4:
 * 4×4 blocks loaded along lines and transposed); otherwise one value at a time.
 */
function pack(width: number): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32, i32, i32, i32]);
  const [src, lineStride, depthStride, lines, kc, dst] = [0, 1, 2, 3, 4, 5];
  const [l0, count, p, l, s, d, dd, width4] = [f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32)];
  const q = [f.local(i32), f.local(i32), f.local(i32), f.local(i32)];
  const r = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  const t = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  const step = width * 4;
  f.i32(width).set(width4);
  f.get(dst).set(d);
  f.forRange(l0, () => f.i32(0), () => f.get(lines), width, () => {
    f.get(lines).get(l0).sub().set(count);
    f.min(count, width4).set(count);
    if (width % 4 !== 0) {
      packStrided();
      return;
    }
    const full = () => f.get(count).i32(width).eq();
    full();
    f.get(lineStride).i32(4).eq().and();
    f.when(packAdjacent, () => {
      full();
      f.get(depthStride).i32(4).eq().and();
      f.when(packTransposed, packStrided);
    });
    f.bump(d, () => f.get(kc).i32(step).mul());
  });
  return f;

  function packAdjacent(): void {
    f.get(src).get(l0).i32(4).mul().add().set(s);
    f.get(d).set(dd);
    f.forRange(p, () => f.i32(0), () => f.get(kc), 1, () => {
      for (let v = 0; v < width / 4; v++) f.get(dd).get(s).loadV128(16 * v).storeV128(16 * v);
      f.bump(s, () => f.get(depthStride));
      f.bump(dd, step);
    });
  }

  // Per group of 4 lines: 4 steps of each line as one v128, transposed into 4 steps of the panel.
  function packTransposed(): void {
    for (let g = 0; g < width / 4; g++) {
      q.forEach((x, i) => f.get(src).get(l0).i32(4 * g + i).add().get(lineStride).mul().add().set(x));
      f.get(d).i32(16 * g).add().set(dd);
      f.i32(0).set(p);
      f.block(() => {
        f.op(0x03, 0x40);
        f.get(kc).get(p).sub().i32(4).ltS().brIf(1);
        q.forEach((x, i) => {
          f.get(x).loadV128().set(r[i]);
          f.bump(x, 16);
        });
        // [r0 r1 r2 r3] rows of lines → columns of steps: interleave pairs, then halves.
        f.get(r[0]).get(r[1]).shuffleF32([0, 4, 1, 5]).set(t[0]);
        f.get(r[0]).get(r[1]).shuffleF32([2, 6, 3, 7]).set(t[1]);
        f.get(r[2]).get(r[3]).shuffleF32([0, 4, 1, 5]).set(t[2]);
        f.get(r[2]).get(r[3]).shuffleF32([2, 6, 3, 7]).set(t[3]);
        f.get(dd).get(t[0]).get(t[2]).shuffleF32([0, 1, 4, 5]).storeV128(0);
        f.get(dd).get(t[0]).get(t[2]).shuffleF32([2, 3, 6, 7]).storeV128(step);
        f.get(dd).get(t[1]).get(t[3]).shuffleF32([0, 1, 4, 5]).storeV128(2 * step);
        f.get(dd).get(t[1]).get(t[3]).shuffleF32([2, 3, 6, 7]).storeV128(3 * step);
        f.bump(dd, 4 * step);
        f.bump(p, 4);
        f.br(0).op(0x0b);
      });
      f.forRange(p, () => f.get(p), () => f.get(kc), 1, () => {
        q.forEach((x, i) => {
          f.get(dd).get(x).loadF32().storeF32(4 * i);
          f.bump(x, 4);
        });
        f.bump(dd, step);
      });
    }
  }

  // One line at a time (reads stride depthStride, writes stride width·4), zeros past the edge.
  function packStrided(): void {
    f.forRange(l, () => f.i32(0), () => f.i32(width), 1, () => {
      f.get(d).get(l).i32(4).mul().add().set(dd);
      f.get(l).get(count).ltS();
      f.when(() => {
        f.get(src).get(l0).get(l).add().get(lineStride).mul().add().set(s);
        f.forRange(p, () => f.i32(0), () => f.get(kc), 1, () => {
          f.get(dd).get(s).loadF32().storeF32();
          f.bump(s, () => f.get(depthStride));
          f.bump(dd, step);
        });
      }, () => {
        f.forRange(p, () => f.i32(0), () => f.get(kc), 1, () => {
          f.get(dd).f32zero().storeF32();
          f.bump(dd, step);
        });
      });
    });
  }
}

/**
 * The macro-kernel: every MR×NR tile of an mc×nc block of C from packed panels of A (ap) and B (bp),
 * kc deep. Each tile keeps MR·NR/4 f32x4 accumulators in locals; per step it loads NR/4 vectors of B,
 * splats MR values of A and updates each accumulator: acc = fma(a, b, acc) with `fma` (relaxed_madd, one
 * rounding where the CPU fuses it), else acc + a·b (two roundings). `first` (the first KC block) stores the
 * sums; later blocks add them to C. Tiles run whole: C must be padded to multiples of MR rows and NR columns.
 * `epilogue` (EPILOGUE, on the last KC block only) then adds the bias row at `bias` (the block's first column,
 * padded like C) to each stored sum, and relu maps it to sum & (sum > 0): the same two roundings and the same
 * bits as the add and relu kernels run on C afterwards, while the tile is still in registers.
 */
function macro({ mr, nr }: Blocking, fma: boolean): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32, i32, i32, i32, i32, i32, i32, i32]);
  const [ap, bp, c, ldc, mc, nc, kc, first, bias, epilogue] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [jr, ir, pa, pb, end, row] = [f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32)];
  const biasRow = f.local(i32);
  const sum = f.local(v128);
  const vectors = nr / 4;
  const bv = Array.from({ length: vectors }, () => f.local(v128));
  const av = f.local(v128);
  const acc = Array.from({ length: mr }, () => Array.from({ length: vectors }, () => f.local(v128)));
  f.forRange(jr, () => f.i32(0), () => f.get(nc), nr, () => {
    f.forRange(ir, () => f.i32(0), () => f.get(mc), mr, () => {
      f.get(ap).get(ir).get(kc).mul().i32(4).mul().add().set(pa);
      f.get(bp).get(jr).get(kc).mul().i32(4).mul().add().set(pb);
      f.get(pa).get(kc).i32(mr * 4).mul().add().set(end);
      for (const rowAcc of acc) for (const x of rowAcc) f.zeroV128().set(x);
      f.doWhile(() => {
        bv.forEach((x, v) => f.get(pb).loadV128(16 * v).set(x));
        acc.forEach((rowAcc, i) => {
          f.get(pa).splatLoad(4 * i).set(av);
          rowAcc.forEach((x, v) => {
            if (fma) f.get(av).get(bv[v]).get(x).relaxedMaddF32x4().set(x);
            else f.get(x).get(av).get(bv[v]).mulF32x4().addF32x4().set(x);
          });
        });
        f.bump(pa, mr * 4);
        f.bump(pb, nr * 4);
      }, () => f.get(pa).get(end).ltS());
      f.get(c).get(ir).get(ldc).mul().add().get(jr).i32(4).mul().add().set(row);
      f.get(bias).get(jr).i32(4).mul().add().set(biasRow);
      const store = (accumulate: boolean, mode: number) => () => {
        acc.forEach((rowAcc, i) => {
          rowAcc.forEach((x, v) => {
            if (accumulate) f.get(row).loadV128(16 * v).get(x).addF32x4();
            else f.get(x);
            if (mode !== EPILOGUE.none) f.get(biasRow).loadV128(16 * v).addF32x4();
            f.set(sum).get(row).get(sum);
            if (mode === EPILOGUE.biasRelu) f.get(sum).zeroV128().gtF32x4().andV128();
            f.storeV128(16 * v);
          });
          if (i < mr - 1) f.bump(row, () => f.get(ldc));
        });
      };
      const stores = (accumulate: boolean) => () => {
        f.get(epilogue).eqz().when(store(accumulate, EPILOGUE.none), () => {
          f.get(epilogue).i32(EPILOGUE.bias).eq().when(store(accumulate, EPILOGUE.bias), store(accumulate, EPILOGUE.biasRelu));
        });
      };
      f.get(first).when(stores(false), stores(true));
    });
  });
  return f;
}

/**
 * C[r0:r1, c0:c1] = op(A)·op(B) for one matrix, with op(A)[i,p] at a + i·aRow + p·aDepth and
 * op(B)[p,j] at b + p·bDepth + j·bCol (bytes), C rows ldc bytes apart. r0 and c0 must sit on tile
 * boundaries. Loops: NC columns, then KC deep (pack B), then MC rows (pack A), then the macro-kernel.
 * Each C element sums its KC block in float32 lanes in the order of p, then adds the blocks in order:
 * the same order whatever range of C a call covers, hence whatever thread computes it. The last KC block
 * applies `epilogue` with the bias row at `bias` (see macro). With `prepacked` ≠ 0 (and c0 = 0), op(B) is
 * packed already at that byte offset as packAllB lays it out, and no block of B is packed here.
 */
function gemm({ nr: NR, kc: KC, mc: MC, nc: NC }: Blocking): FunctionBuilder {
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
        f.get(bCol).get(bDepth).get(nc).get(kc).get(bp).call(PACK_B);
        f.get(bp).set(bq);
      }, () => prepackedBlock(f, prepacked, jc, pc, k, nc, NR, bq));
      f.forRange(ic, () => f.get(r0), () => f.get(r1), MC, () => {
        blockLength(f, r1, ic, MC, mc, lim);
        f.get(a).get(ic).get(aRow).mul().add().get(pc).get(aDepth).mul().add();
        f.get(aRow).get(aDepth).get(mc).get(kc).get(ap).call(PACK_A);
        f.get(ap).get(bq);
        f.get(c).get(ic).get(ldc).mul().add().get(jc).i32(4).mul().add();
        f.get(ldc).get(mc).get(nc).get(kc).get(pc).eqz();
        f.get(bias).get(jc).i32(4).mul().add();
        // The epilogue only where this block is the last: pc + kc = k.
        f.get(epilogue).i32(0).get(pc).get(kc).add().get(k).eq().select();
        f.call(MACRO);
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
 * nc columns at 4·(jc·k + pc·ncPad) bytes in, the layout PACK_B writes (panels of NR, zeros past the edge).
 */
function packAllB({ nr: NR, kc: KC, nc: NC }: Blocking): FunctionBuilder {
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
      f.get(lim).call(PACK_B);
    });
  });
  return f;
}

/**
 * chunk(job, q, worker): the q-th piece of the job described at byte offset `job`. A job is `batch`
 * matrices, each cut into `perMatrix` pieces of `span` rows (splitRows = 1) or columns; `worker` picks
 * its own packing scratch. Pieces never share a C element, so threads can take them in any order.
 * A job of kind directConv goes to convChunk instead, one of kind convGemm to convGemmChunk, one of kind adam to
 * adamChunk, one of kind maxPool to poolChunk.
 */
function chunk(): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32]);
  const [job, q, worker] = [0, 1, 2];
  const [t, s, lo, hi, ap, rows] = [f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32)];
  const word = (w: number) => f.get(job).loadI32(4 * w);
  word(JOB.kind);
  f.i32(JOB_KIND.directConv).eq().when(() => {
    f.get(job).get(q).call(CONV_CHUNK);
    f.op(0x0f);
  });
  word(JOB.kind);
  f.i32(JOB_KIND.adam).eq().when(() => {
    f.get(job).get(q).call(ADAM_CHUNK);
    f.op(0x0f);
  });
  word(JOB.kind);
  f.i32(JOB_KIND.maxPool).eq().when(() => {
    f.get(job).get(q).call(POOL_CHUNK);
    f.op(0x0f);
  });
  word(JOB.kind);
  f.i32(JOB_KIND.convGemm).eq().when(() => {
    f.get(job).get(q).get(worker).call(CONV_GEMM_CHUNK);
    f.op(0x0f);
  });
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
  callGemm(f, JOB, job, ap, GEMM);
  return f;
}

/** Piece q of a job of `total` items in pieces of `span` (job words): lo = q·span, count = min(span, total − lo); q is overwritten. */
function pieceOf(f: FunctionBuilder, job: number, q: number, span: number, total: number, lo: number, count: number): void {
  const word = (w: number) => f.get(job).loadI32(4 * w);
  f.get(q);
  word(span);
  f.mul().set(lo);
  word(total);
  f.get(lo).sub().set(count);
  word(span);
  f.set(q);
  f.min(count, q).set(count);
}

/**
 * convChunk(job, q): images q·span .. min((q+1)·span, images) of a directConv job, with 8 vectors of filters per
 * pixel where filters is a multiple of 32, else 1. Images never share an output pixel, so pieces run in any order.
 */
function convChunk(): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32]);
  const [job, q] = [0, 1];
  const [lo, count] = [f.local(i32), f.local(i32)];
  const word = (w: number) => f.get(job).loadI32(4 * w);
  pieceOf(f, job, q, CONV_JOB.span, CONV_JOB.images, lo, count);
  // directConv's arguments for the piece: x and y advanced to image lo, `count` images.
  const args = (): void => {
    word(CONV_JOB.x);
    f.get(lo);
    word(CONV_JOB.height);
    f.mul();
    word(CONV_JOB.width);
    f.mul().i32(4).mul().add();
    word(CONV_JOB.w);
    word(CONV_JOB.bias);
    word(CONV_JOB.y);
    f.get(lo);
    word(CONV_JOB.outH);
    f.mul();
    word(CONV_JOB.outW);
    f.mul();
    word(CONV_JOB.filters);
    f.mul().i32(4).mul().add();
    f.get(count);
    for (const w of [CONV_JOB.height, CONV_JOB.width, CONV_JOB.outH, CONV_JOB.outW, CONV_JOB.kh, CONV_JOB.kw, CONV_JOB.filters, CONV_JOB.relu]) word(w);
  };
  word(CONV_JOB.filters);
  f.i32(32).remU().eqz().when(() => {
    args();
    f.call(DIRECT_CONV_WIDE);
  }, () => {
    args();
    f.call(DIRECT_CONV_NARROW);
  });
  return f;
}

/** poolChunk(job, q): images q·span .. min((q+1)·span, images) of a maxPool job, one maxPool call each; images share no output. */
function poolChunk(): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32]);
  const [job, q] = [0, 1];
  const [lo, count, n] = [f.local(i32), f.local(i32), f.local(i32)];
  const word = (w: number) => f.get(job).loadI32(4 * w);
  pieceOf(f, job, q, POOL_JOB.span, POOL_JOB.images, lo, count);
  f.forRange(n, () => f.get(lo), () => f.get(lo).get(count).add(), 1, () => {
    // x + n·imageBytes, y + n·outH·B·C floats, then outH, B, C, stride.
    word(POOL_JOB.x);
    f.get(n);
    word(POOL_JOB.imageBytes);
    f.mul().add();
    word(POOL_JOB.y);
    f.get(n);
    word(POOL_JOB.outH);
    f.mul();
    word(POOL_JOB.B);
    f.mul();
    word(POOL_JOB.C);
    f.mul().i32(4).mul().add();
    for (const w of [POOL_JOB.outH, POOL_JOB.B, POOL_JOB.C, POOL_JOB.stride]) word(w);
    f.call(MAX_POOL);
  });
  return f;
}

/** adamChunk(job, q): pairs q·span .. min((q+1)·span, pairs) of an adam job. Pairs are independent, so pieces run in any order. */
function adamChunk(): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32]);
  const [job, q] = [0, 1];
  const [lo, count] = [f.local(i32), f.local(i32)];
  const word = (w: number) => f.get(job).loadI32(4 * w);
  pieceOf(f, job, q, ADAM_JOB.span, ADAM_JOB.pairs, lo, count);
  for (const base of [ADAM_JOB.p, ADAM_JOB.g, ADAM_JOB.m, ADAM_JOB.v]) {
    word(base);
    f.get(lo).i32(8).mul().add();
  }
  f.get(count);
  for (let c = 0; c < 7; c++) f.get(job).loadF64(4 * ADAM_JOB.constants + 8 * c);
  f.call(ADAM);
  return f;
}

/** Bytes of packing scratch one thread needs: an MC×KC panel of A and a KC×NC panel of B. */
export function scratchBytes({ mc, kc, nc }: Blocking): number {
  return 4 * kc * (mc + nc);
}

/**
 * The GEMM module for a blocking, multiply-adding with relaxed_madd when `fma` (the engine must have relaxed
 * SIMD on); it imports env.memory (shared, up to maximumPages).
 */
export function gemmModuleBytes(blocking: Blocking, maximumPages: number, fma: boolean): Uint8Array {
  const { mr, nr, mc, nc } = blocking;
  if (nr % 4 !== 0 || mc % mr !== 0 || nc % nr !== 0) throw new Error(`gemmModuleBytes: bad blocking ${JSON.stringify(blocking)}`);
  return encodeModule({
    memory: { initialPages: 1, maximumPages, shared: true },
    exports: {
      packA: pack(mr), packB: pack(nr), macro: macro(blocking, fma), gemm: gemm(blocking), chunk: chunk(),
      // After chunk, so the indices above stay; here so that a convolution rounds as the GEMM does (same fma).
      directConv8: directConv(8, fma), directConv1: directConv(1, fma), convChunk: convChunk(),
      unfoldRange: unfoldRange(), convGemmChunk: convGemmChunk(JOB, GEMM, UNFOLD_RANGE), foldRows: foldRows(),
      adam: adamFunction(), adamChunk: adamChunk(), packAllB: packAllB(blocking), maxPool: maxPool(), poolChunk: poolChunk(),
    },
  });
}
