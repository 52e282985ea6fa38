import { FunctionBuilder, i32, v128 } from './emit.ts';
import { pieceFunction } from './job-pieces.ts';

/**
 * directConv(x, w, bias, y, images, height, width, outH, outW, kh, kw, filters, relu): a convolution of one-channel
 * images x [images, height, width] (stride 1, no dilation) with w [kh·kw, filters], + bias [filters], then relu
 * when `relu` is non-zero, into y [images, outH, outW, filters] (byte offsets; filters a multiple of 4·groupVectors).
 * Each output pixel keeps `groupVectors` f32x4 accumulators of filters and runs the taps in order (i, then j):
 * acc = fma(x, w, acc) with `fma`, else acc + x·w. That is the GEMM's arithmetic on the im2col matrix, whose
 * column p is tap i·kw + j: the same products, added in the same order from zero, then the same store (see macro in
 * gemm-macro.ts), so the same bits, without the matrix of kh·kw copies of every pixel.
 */
export function directConv(groupVectors: number, fma: boolean): FunctionBuilder {
  const f = new FunctionBuilder(new Array(13).fill(i32));
  const [x, w, bias, y, images, height, width, outH, outW, kh, kw, filters, relu] = Array.from({ length: 13 }, (_, i) => i);
  const [n, oh, ow, i, j, g, xRow, xTap, wTap, out] = Array.from({ length: 10 }, () => f.local(i32));
  const acc = Array.from({ length: groupVectors }, () => f.local(v128));
  const xs = f.local(v128);
  const sum = f.local(v128);
  const groupBytes = 16 * groupVectors;
  f.forRange(g, () => f.i32(0), () => f.get(filters).i32(4).mul(), groupBytes, () => {
    f.get(y).get(g).add().set(out);
    f.forRange(n, () => f.i32(0), () => f.get(images), 1, () => {
      f.forRange(oh, () => f.i32(0), () => f.get(outH), 1, () => {
        f.forRange(ow, () => f.i32(0), () => f.get(outW), 1, () => {
          for (const a of acc) f.zeroV128().set(a);
          // x[n, oh, ow] and the group's first filter of tap 0.
          f.get(x).get(n).get(height).mul().get(oh).add().get(width).mul().get(ow).add().i32(4).mul().add().set(xRow);
          f.get(w).get(g).add().set(wTap);
          f.forRange(i, () => f.i32(0), () => f.get(kh), 1, () => {
            f.get(xRow).set(xTap);
            f.forRange(j, () => f.i32(0), () => f.get(kw), 1, () => {
              f.get(xTap).splatLoad().set(xs);
              acc.forEach((a, v) => {
                if (fma) f.get(xs).get(wTap).loadV128(16 * v).get(a).relaxedMaddF32x4().set(a);
                else f.get(a).get(xs).get(wTap).loadV128(16 * v).mulF32x4().addF32x4().set(a);
              });
              f.bump(xTap, 4);
              f.bump(wTap, () => f.get(filters).i32(4).mul());
            });
            f.bump(xRow, () => f.get(width).i32(4).mul());
          });
          const store = (clamp: boolean) => () => {
            acc.forEach((a, v) => {
              f.get(a).get(bias).get(g).add().loadV128(16 * v).addF32x4().set(sum);
              f.get(out).get(sum);
              if (clamp) f.get(sum).zeroV128().gtF32x4().andV128();
              f.storeV128(16 * v);
            });
          };
          f.get(relu).when(store(true), store(false));
          f.bump(out, () => f.get(filters).i32(4).mul());
        });
      });
    });
  });
  return f;
}

/** Word offsets of a directConv job (see direct-conv-module.ts): pieces of `span` images each. */
export const CONV_JOB = {
  x: 0, w: 1, bias: 2, y: 3, height: 4, width: 5, outH: 6, outW: 7, kh: 8, kw: 9, filters: 10, relu: 11, images: 12, span: 13,
} as const;

/**
 * convChunk(job, q): images q·span .. min((q+1)·span, images) of a directConv job, with 8 vectors of filters per
 * pixel where filters is a multiple of 32 (directConv(8), function `wideIndex`), else 1 (`narrowIndex`). Images never share an output pixel, so pieces run in any order.
 */
export function convChunk(wideIndex: number, narrowIndex: number): FunctionBuilder {
  const { f, word, lo, count } = pieceFunction(CONV_JOB.span, CONV_JOB.images);
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
    f.call(wideIndex);
  }, () => {
    args();
    f.call(narrowIndex);
  });
  return f;
}
