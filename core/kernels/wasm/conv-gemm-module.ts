import { FunctionBuilder, i32 } from './emit.ts';
import type { JOB as JobWords } from './gemm-kernel.ts';
import { callGemm } from './gemm-call.ts';

/**
 * Word offsets, past the GEMM's own JOB words, of a convGemm job's geometry: NHWC images at `x`, a kh×kw window with
 * strides and dilations, and a row block of `rowBlock` patch rows unfolded at `unfold` + worker·`unfoldStride`.
 */
export const CONV_GEMM_JOB = {
  x: 32, height: 33, width: 34, channels: 35, outH: 36, outW: 37, kh: 38, kw: 39, sh: 40, sw: 41, dh: 42, dw: 43,
  rowBlock: 44, unfold: 45, unfoldStride: 46,
} as const;
export const CONV_GEMM_WORDS = 47;

/** Runs shorter than this many bytes are copied one f32 at a time. */
const SHORT_RUN_BYTES = 64;

/**
 * Sets the locals `run` (bytes per run), `runs` (runs per patch row) and `pixel` (bytes per pixel, C·4) from the
 * params dw, kw and channels: without column dilation a patch row is one run of kw·C values, else kw runs of C,
 * dw·C apart. Shared by unfoldRange and foldRows, which walk patch rows alike.
 */
function patchRuns(f: FunctionBuilder, dw: number, kw: number, channels: number, run: number, runs: number, pixel: number): void {
  f.get(dw).i32(1).eq().when(() => {
    f.get(kw).get(channels).mul().i32(4).mul().set(run);
    f.i32(1).set(runs);
  }, () => {
    f.get(channels).i32(4).mul().set(run);
    f.get(kw).set(runs);
  });
  f.get(channels).i32(4).mul().set(pixel);
}

/**
 * unfoldRange(x, cols, first, count, height, width, channels, outH, outW, kh, kw, sh, sw, dh, dw): patch rows
 * first .. first + count of NHWC images x (row r is output pixel r of [images, outH, outW]) into cols
 * [count, kh·kw·channels] (byte offsets), in the unfold primitive's order: one memory.copy per patch row of
 * kw·channels values (per tap of channels values with column dilation), or f32 by f32 for a short row. Copies only:
 * the unfold kernels' values.
 */
export function unfoldRange(): FunctionBuilder {
  const f = new FunctionBuilder(new Array(15).fill(i32));
  const [x, cols, first, count, height, width, channels, outH, outW, kh, kw, sh, sw, dh, dw] = Array.from({ length: 15 }, (_, i) => i);
  const [n, oh, ow, r, i, j, b, src, run, runs, pixel] = Array.from({ length: 11 }, () => f.local(i32));
  patchRuns(f, dw, kw, channels, run, runs, pixel);
  // (n, oh, ow) of the first row.
  f.get(first).get(outW).remU().set(ow);
  f.get(first).get(outW).divU().set(oh);
  f.get(oh).get(outH).divU().set(n);
  f.get(oh).get(outH).remU().set(oh);
  f.forRange(r, () => f.i32(0), () => f.get(count), 1, () => {
    f.forRange(i, () => f.i32(0), () => f.get(kh), 1, () => {
      // x[n, oh·sh + i·dh, ow·sw, 0]
      f.get(n).get(height).mul().get(oh).get(sh).mul().add().get(i).get(dh).mul().add();
      f.get(width).mul().get(ow).get(sw).mul().add().get(pixel).mul().get(x).add().set(src);
      f.forRange(j, () => f.i32(0), () => f.get(runs), 1, () => {
        // A short run (one-channel images: 3 values) costs less copied value by value than through memory.copy.
        f.get(run).i32(SHORT_RUN_BYTES).ltS().when(() => {
          f.forRange(b, () => f.i32(0), () => f.get(run), 4, () => {
            f.get(cols).get(b).add().get(src).get(b).add().loadF32().storeF32();
          });
        }, () => {
          f.get(cols).get(src).get(run).memoryCopy();
        });
        f.bump(cols, () => f.get(run));
        f.bump(src, () => f.get(dw).get(pixel).mul());
      });
    });
    f.bump(ow, 1);
    f.get(ow).get(outW).eq().when(() => {
      f.i32(0).set(ow);
      f.bump(oh, 1);
      f.get(oh).get(outH).eq().when(() => {
        f.i32(0).set(oh);
        f.bump(n, 1);
      });
    });
  });
  return f;
}

/**
 * convGemmChunk(job, q, worker): rows q·span .. min((q+1)·span, m) of a convolution as a product of its patch rows
 * with the kernel, C = unfold(x)·W (+ bias, relu: JOB.epilogue), the patch matrix never whole: each block of
 * rowBlock rows is unfolded (unfoldRange, function `unfoldIndex`) into the worker's cache-sized scratch and
 * multiplied there (gemm, function `gemmIndex`, rows 0..rows of that block). Every C element sums the same KC
 * blocks in the same order as the product on the whole patch matrix, so the bits are the same for any row block,
 * piece and thread. `JOB`: the GEMM's word offsets (gemm-kernel.ts; gemm-module.ts builds this function into its module).
 */
export function convGemmChunk(JOB: typeof JobWords, gemmIndex: number, unfoldIndex: number): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32]);
  const [job, q, worker] = [0, 1, 2];
  const [ic, hi, rows, u, ap] = Array.from({ length: 5 }, () => f.local(i32));
  const word = (w: number) => f.get(job).loadI32(4 * w);
  f.get(q);
  word(JOB.span);
  f.mul().set(ic);
  word(JOB.span);
  f.get(ic).add().set(hi);
  word(JOB.m);
  f.set(rows);
  f.min(hi, rows).set(hi);
  word(CONV_GEMM_JOB.unfold);
  word(CONV_GEMM_JOB.unfoldStride);
  f.get(worker).mul().add().set(u);
  word(JOB.scratch);
  word(JOB.scratchStride);
  f.get(worker).mul().add().set(ap);
  f.forRange(ic, () => f.get(ic), () => f.get(hi), () => word(CONV_GEMM_JOB.rowBlock), () => {
    f.get(hi).get(ic).sub().set(rows);
    word(CONV_GEMM_JOB.rowBlock);
    f.set(q);
    f.min(rows, q).set(rows);
    word(CONV_GEMM_JOB.x);
    f.get(u).get(ic).get(rows);
    for (const w of ['height', 'width', 'channels', 'outH', 'outW', 'kh', 'kw', 'sh', 'sw', 'dh', 'dw'] as const) word(CONV_GEMM_JOB[w]);
    f.call(unfoldIndex);
    // gemm(a, b, c, aRow, aDepth, bCol, bDepth, ldc, k, r0, r1, c0, c1, …) on the block.
    f.get(u);
    word(JOB.b);
    word(JOB.c);
    f.get(ic);
    word(JOB.ldc);
    f.mul().add();
    for (const w of [JOB.aRow, JOB.aDepth, JOB.bCol, JOB.bDepth, JOB.ldc, JOB.k]) word(w);
    f.i32(0).get(rows).i32(0);
    word(JOB.n);
    callGemm(f, JOB, job, ap, gemmIndex);
  });
  return f;
}

/**
 * foldRows(cols, rowBytes, y, images, height, width, channels, outH, outW, kh, kw, sh, sw, dh, dw): the transpose of
 * unfoldRange: patch row r of cols (rowBytes apart: C of the GEMM, padded) added into NHWC images y, which the caller
 * zeroed. The fold kernels' order: rows in turn, each patch row's runs in turn, so every pixel gets its terms in
 * the same sequence, each f32 add rounded alone (4 lanes at a time, then one by one): the same sums.
 */
export function foldRows(): FunctionBuilder {
  const f = new FunctionBuilder(new Array(15).fill(i32));
  const [cols, rowBytes, y, images, height, width, channels, outH, outW, kh, kw, sh, sw, dh, dw] = Array.from({ length: 15 }, (_, i) => i);
  const [n, oh, ow, i, j, dst, src, b, run, runs, pixel, row] = Array.from({ length: 12 }, () => f.local(i32));
  patchRuns(f, dw, kw, channels, run, runs, pixel);
  f.get(cols).set(row);
  f.forRange(n, () => f.i32(0), () => f.get(images), 1, () => {
    f.forRange(oh, () => f.i32(0), () => f.get(outH), 1, () => {
      f.forRange(ow, () => f.i32(0), () => f.get(outW), 1, () => {
        f.get(row).set(src);
        f.forRange(i, () => f.i32(0), () => f.get(kh), 1, () => {
          // y[n, oh·sh + i·dh, ow·sw, 0]
          f.get(n).get(height).mul().get(oh).get(sh).mul().add().get(i).get(dh).mul().add();
          f.get(width).mul().get(ow).get(sw).mul().add().get(pixel).mul().get(y).add().set(dst);
          f.forRange(j, () => f.i32(0), () => f.get(runs), 1, () => {
            f.i32(0).set(b);
            f.block(() => {
              f.op(0x03, 0x40);
              f.get(run).get(b).sub().i32(16).ltS().brIf(1);
              f.get(dst).get(b).add().get(dst).get(b).add().loadV128().get(src).get(b).add().loadV128().addF32x4().storeV128();
              f.bump(b, 16).br(0).op(0x0b);
            });
            f.forRange(b, () => f.get(b), () => f.get(run), 4, () => {
              // f32.add
              f.get(dst).get(b).add().get(dst).get(b).add().loadF32().get(src).get(b).add().loadF32().op(0x92).storeF32();
            });
            f.bump(src, () => f.get(run));
            f.bump(dst, () => f.get(dw).get(pixel).mul());
          });
        });
        f.bump(row, () => f.get(rowBytes));
      });
    });
  });
  return f;
}
