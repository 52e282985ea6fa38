import type { FunctionBuilder } from './emit.ts';
import { pieceFunction } from './job-pieces.ts';

/** Word offsets of an unfold job: unfoldRange's arguments but first and count, its `rows` patch rows in pieces of `span`. */
export const UNFOLD_JOB = {
  x: 0, cols: 1, rows: 2, span: 3, height: 4, width: 5, channels: 6, outH: 7, outW: 8, kh: 9, kw: 10, sh: 11, sw: 12, dh: 13, dw: 14,
} as const;

/** unfoldChunk(job, q): patch rows q·span .. min((q+1)·span, rows) of an unfold job (unfoldRange, function `unfoldIndex`); pieces share no row. */
export function unfoldChunk(unfoldIndex: number): FunctionBuilder {
  const { f, word, lo, count } = pieceFunction(UNFOLD_JOB.span, UNFOLD_JOB.rows);
  // unfoldRange(x, cols + lo·kh·kw·channels floats, lo, count, height, …)
  word(UNFOLD_JOB.x);
  word(UNFOLD_JOB.cols);
  f.get(lo);
  word(UNFOLD_JOB.kh);
  f.mul();
  word(UNFOLD_JOB.kw);
  f.mul();
  word(UNFOLD_JOB.channels);
  f.mul().i32(4).mul().add();
  f.get(lo).get(count);
  for (const w of ['height', 'width', 'channels', 'outH', 'outW', 'kh', 'kw', 'sh', 'sw', 'dh', 'dw'] as const) word(UNFOLD_JOB[w]);
  f.call(unfoldIndex);
  return f;
}
