import { FunctionBuilder, i32 } from './emit.ts';
import { pieceOf } from './job-pieces.ts';

/**
 * Word offsets of a maxPool job: `images` images at byte offset x, `imageBytes` apart, their image rows `stride`
 * bytes apart, pooled 2×2 into [images, outH, B, C] at y, in pieces of `span` images.
 */
export const POOL_JOB = { x: 0, y: 1, images: 2, outH: 3, B: 4, C: 5, stride: 6, imageBytes: 7, span: 8 } as const;

/** poolChunk(job, q): images q·span .. min((q+1)·span, images) of a maxPool job, one call each of maxPool (elementwise-module.ts, function `maxPoolIndex`); images share no output. */
export function poolChunk(maxPoolIndex: number): FunctionBuilder {
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
    f.call(maxPoolIndex);
  });
  return f;
}
