import type { FunctionBuilder } from './emit.ts';
import type { JOB as JobWords } from './gemm-kernel.ts';

/**
 * The last five of gemm's 18 arguments, then the call, for a caller that has pushed the first 13 (a … c1): the
 * worker's packing scratch `ap` for A and ap + JOB.packedB for B, and the job's bias, epilogue and prepackedB words.
 * One place for the tail that every caller of gemm (chunk, convGemmChunk) must pass alike.
 */
export function callGemm(f: FunctionBuilder, JOB: typeof JobWords, job: number, ap: number, gemmIndex: number): void {
  const word = (w: number) => f.get(job).loadI32(4 * w);
  f.get(ap).get(ap);
  word(JOB.packedB);
  f.add();
  word(JOB.bias);
  word(JOB.epilogue);
  word(JOB.prepackedB);
  f.call(gemmIndex);
}
