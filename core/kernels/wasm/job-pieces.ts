import type { FunctionBuilder } from './emit.ts';

/** Piece q of a job of `total` items in pieces of `span` (job words): lo = q·span, count = min(span, total − lo); q is overwritten. */
export function pieceOf(f: FunctionBuilder, job: number, q: number, span: number, total: number, lo: number, count: number): void {
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
