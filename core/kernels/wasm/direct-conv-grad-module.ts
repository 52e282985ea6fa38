import { FunctionBuilder, i32, v128 } from './emit.ts';
import { pieceFunction } from './job-pieces.ts';

/** Taps a directConvGrad call keeps in registers: kh·kw up to this many (3×3). */
export const GRAD_TAPS = 9;

/**
 * directConvGrad(x, g, y, out, width, outH, outW, kh, kw, filters, relu, rows, v0, v1, patches): the kernel and bias
 * gradients of a one-channel convolution (stride 1, no dilation) for the filter vectors v0 .. v1 (4 filters each),
 * without a gz array: gz = g & (y > 0) with `relu` (reluGrad's bits), else g, read [rows, filters] at g and y; out
 * [kh·kw + 1, filters] gets Σ_p x[p + tap]·gz[p] per tap, then Σ_p gz[p]. Each tap sums its KC-pixel blocks as the
 * GEMM does for convFilterGrad's patchesᵀ·gz: from zero in the order of p, acc = fma(x, gz, acc) with `fma` else
 * acc + x·gz, the first block stored and later ones added to it; the bias sums p in order from +0, as sum's kernel
 * does. So the bits of convFilterGrad(x, gz) and sum(gz). Each block's patch rows (GRAD_TAPS values a pixel) are
 * unfolded into `patches` (kc·GRAD_TAPS floats of the caller's scratch) once for all the piece's vectors, and the
 * block's rows of g and y stay in cache across them, so they are read from memory once.
 */
export function directConvGrad(kc: number, fma: boolean): FunctionBuilder {
  const f = new FunctionBuilder(new Array(15).fill(i32));
  const [x, g, y, out, width, outH, outW, kh, kw, filters, relu, rows, v0, v1, patches] = Array.from({ length: 15 }, (_, i) => i);
  const [v, p, blockEnd, start, xp, ow, oh, gp, yp, pp, rowBytes, taps, t, addr, gEnd] = Array.from({ length: 15 }, () => f.local(i32));
  const off = Array.from({ length: GRAD_TAPS }, () => f.local(i32));
  const acc = Array.from({ length: GRAD_TAPS }, () => f.local(v128));
  const [bias, gv] = [f.local(v128), f.local(v128)];
  const patchBytes = 4 * GRAD_TAPS;
  f.get(kh).get(kw).mul().set(taps);
  f.get(filters).i32(4).mul().set(rowBytes);
  // Slot s reads tap t = s (or tap 0 past the last tap, its sum never stored): (t / kw)·width + t % kw pixels on.
  off.forEach((o, s) => {
    f.i32(s).i32(0).i32(s).get(taps).ltS().select().set(t);
    f.get(t).get(kw).divU().get(width).mul().get(t).get(kw).remU().add().i32(4).mul().set(o);
  });
  f.get(x).set(xp);
  f.forRange(start, () => f.i32(0), () => f.get(rows), kc, () => {
    f.get(start).i32(kc).add().set(blockEnd);
    f.min(blockEnd, rows).set(blockEnd);
    unfoldBlock();
    f.forRange(v, () => f.get(v0), () => f.get(v1), 1, () => {
      f.get(start).get(rowBytes).mul().get(v).i32(16).mul().add().set(t);
      f.get(g).get(t).add().set(gp);
      f.get(y).get(t).add().set(yp);
      f.get(g).get(blockEnd).get(rowBytes).mul().add().get(v).i32(16).mul().add().set(gEnd);
      f.get(patches).set(pp);
      for (const a of acc) f.zeroV128().set(a);
      // The bias's running sum: +0 at the first block, else what the last block stored.
      f.get(out).get(taps).get(rowBytes).mul().add().get(v).i32(16).mul().add().set(addr);
      f.get(start).eqz().when(() => f.zeroV128().set(bias), () => f.get(addr).loadV128().set(bias));
      f.doWhile(() => {
        f.get(gp).loadV128().set(gv);
        f.get(relu).when(() => f.get(gv).get(yp).loadV128().zeroV128().gtF32x4().andV128().set(gv));
        f.get(bias).get(gv).addF32x4().set(bias);
        acc.forEach((a, s) => {
          if (fma) f.get(pp).splatLoad(4 * s).get(gv).get(a).relaxedMaddF32x4().set(a);
          else f.get(a).get(pp).splatLoad(4 * s).get(gv).mulF32x4().addF32x4().set(a);
        });
        f.bump(gp, () => f.get(rowBytes));
        f.bump(yp, () => f.get(rowBytes));
        f.bump(pp, patchBytes);
      }, () => f.get(gp).get(gEnd).ltS());
      f.get(addr).get(bias).storeV128();
      acc.forEach((a, s) => {
        f.i32(s).get(taps).ltS().when(() => {
          f.get(out).i32(s).get(rowBytes).mul().add().get(v).i32(16).mul().add().set(addr);
          f.get(start).eqz().when(() => f.get(addr).get(a).storeV128(), () => f.get(addr).get(addr).loadV128().get(a).addF32x4().storeV128());
        });
      });
    });
  });
  return f;

  // The block's pixels start .. blockEnd into `patches`, GRAD_TAPS values each; xp, ow, oh walk on to blockEnd.
  function unfoldBlock(): void {
    f.get(patches).set(pp);
    f.forRange(p, () => f.get(start), () => f.get(blockEnd), 1, () => {
      off.forEach((o, s) => f.get(pp).get(xp).get(o).add().loadF32().storeF32(4 * s));
      f.bump(pp, patchBytes);
      f.bump(xp, 4);
      // Past a row's last pixel: the next row's first; past an image's last row: the next image's first.
      f.bump(ow, 1);
      f.get(ow).get(outW).eq().when(() => {
        f.i32(0).set(ow);
        f.bump(xp, () => f.get(kw).i32(1).sub().i32(4).mul());
        f.bump(oh, 1);
        f.get(oh).get(outH).eq().when(() => {
          f.i32(0).set(oh);
          f.bump(xp, () => f.get(kh).i32(1).sub().get(width).mul().i32(4).mul());
        });
      });
    });
  }
}

/**
 * Word offsets of a directConvGrad job: its arguments, the filter vectors in pieces of `span`, and the workers'
 * scratch (worker w's patches at scratch + w·scratchStride).
 */
export const CONV_GRAD_JOB = {
  x: 0, g: 1, y: 2, out: 3, width: 4, outH: 5, outW: 6, kh: 7, kw: 8, filters: 9, relu: 10, rows: 11, vectors: 12, span: 13,
  scratch: 14, scratchStride: 15,
} as const;

/**
 * convGradChunk(job, q, worker): filter vectors q·span .. min((q+1)·span, vectors) of a directConvGrad job (function
 * `gradIndex`) with the worker's scratch; pieces share no output.
 */
export function convGradChunk(gradIndex: number): FunctionBuilder {
  const { f, word, lo, count } = pieceFunction(CONV_GRAD_JOB.span, CONV_GRAD_JOB.vectors, 1);
  const worker = 2;
  for (const w of ['x', 'g', 'y', 'out', 'width', 'outH', 'outW', 'kh', 'kw', 'filters', 'relu', 'rows'] as const) word(CONV_GRAD_JOB[w]);
  f.get(lo).get(lo).get(count).add();
  word(CONV_GRAD_JOB.scratch);
  word(CONV_GRAD_JOB.scratchStride);
  f.get(worker).mul().add();
  f.call(gradIndex);
  return f;
}
