import { FunctionBuilder, i32 } from './emit.ts';
import { pieceFunction } from './job-pieces.ts';

/**
 * Word offsets of a maxPool or maxPoolGrad job: `images` images at byte offset x, `imageBytes` apart, their image rows
 * `stride` bytes apart, pooled 2×2 into [images, outH, B, C] at y, in pieces of `span` images; for maxPoolGrad, the
 * pooled cotangent at g and x's at dx (laid out as x).
 */
export const POOL_JOB = { x: 0, y: 1, images: 2, outH: 3, B: 4, C: 5, stride: 6, imageBytes: 7, span: 8, g: 9, dx: 10 } as const;

/**
 * Images q·span .. min((q+1)·span, images) of a job, one call each of function `index`: maxPool(x, y, outH, B, C,
 * stride), or with `grad` maxGrad(x, y, g, dx, outH, B, C, stride) (both in elementwise-module.ts); images share no output.
 */
function chunkOf(grad: boolean, index: number): FunctionBuilder {
  const { f, word, lo, count } = pieceFunction(POOL_JOB.span, POOL_JOB.images);
  const n = f.local(i32);
  // base + n·imageBytes, or base + n·outH·B·C floats.
  const image = (base: number) => {
    word(base);
    f.get(n);
    word(POOL_JOB.imageBytes);
    f.mul().add();
  };
  const pooled = (base: number) => {
    word(base);
    f.get(n);
    word(POOL_JOB.outH);
    f.mul();
    word(POOL_JOB.B);
    f.mul();
    word(POOL_JOB.C);
    f.mul().i32(4).mul().add();
  };
  f.forRange(n, () => f.get(lo), () => f.get(lo).get(count).add(), 1, () => {
    image(POOL_JOB.x);
    pooled(POOL_JOB.y);
    if (grad) {
      pooled(POOL_JOB.g);
      image(POOL_JOB.dx);
    }
    for (const w of [POOL_JOB.outH, POOL_JOB.B, POOL_JOB.C, POOL_JOB.stride]) word(w);
    f.call(index);
  });
  return f;
}

/** poolChunk(job, q): a piece of a maxPool job (function `maxPoolIndex`). */
export const poolChunk = (maxPoolIndex: number): FunctionBuilder => chunkOf(false, maxPoolIndex);

/** poolGradChunk(job, q): a piece of a maxPoolGrad job (function `maxGradIndex`). */
export const poolGradChunk = (maxGradIndex: number): FunctionBuilder => chunkOf(true, maxGradIndex);
