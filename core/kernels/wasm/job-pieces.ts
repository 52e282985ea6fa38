import { FunctionBuilder, i32 } from './emit.ts';

/** A function run once per piece of a job: (job, q, ...extra i32 arguments), with lo and count of piece q set first. */
export interface PieceFunction {
  f: FunctionBuilder;
  /** The argument holding the job's byte offset. */
  job: number;
  /** Pushes the job's i32 word w. */
  word: (w: number) => FunctionBuilder;
  /** Locals: the piece's first item, q·span, and its length, min(span, total − lo). */
  lo: number;
  count: number;
}

/** Starts piece q of a job of `total` items in pieces of `span` (both job words); q is overwritten. */
export function pieceFunction(span: number, total: number, extraArguments = 0): PieceFunction {
  const f = new FunctionBuilder(new Array(2 + extraArguments).fill(i32));
  const [job, q] = [0, 1];
  const [lo, count] = [f.local(i32), f.local(i32)];
  const word = (w: number) => f.get(job).loadI32(4 * w);
  f.get(q);
  word(span);
  f.mul().set(lo);
  word(total);
  f.get(lo).sub().set(count);
  word(span);
  f.set(q);
  f.min(count, q).set(count);
  return { f, job, word, lo, count };
}
