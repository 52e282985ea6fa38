import { FunctionBuilder, encodeModule, i32 } from './emit.ts';
import { JOB, gemm, gemmPiece, packAllB } from './gemm-kernel.ts';
import type { Blocking } from './gemm-kernel.ts';
import { pack } from './gemm-pack.ts';
import { macro } from './gemm-macro.ts';
import { convChunk, directConv } from './direct-conv-module.ts';
import { convGemmChunk, foldRows, unfoldRange } from './conv-gemm-module.ts';
import { unfoldChunk } from './unfold-module.ts';
import { adamChunk, adamFunction } from './adam.ts';
import { poolChunk, poolGradChunk } from './pool-module.ts';
import { convGradChunk, directConvGrad } from './direct-conv-grad-module.ts';
import { maxGrad, maxPool } from './elementwise-module.ts';

/**
 * The GEMM module: the product's functions (gemm-kernel.ts, gemm-pack.ts, gemm-macro.ts) and the other jobs its
 * threads run on the same shared memory (a one-channel convolution, a convolution as a product of its patch rows,
 * an Adam step, a 2×2 max pooling), each emitted by its own file; this file numbers them and dispatches a job's
 * pieces by kind.
 */

/**
 * What a job is (its word JOB.kind): a product laid out as JOB says, a convolution laid out as CONV_JOB says, a
 * convolution as a product of its patch rows, laid out as JOB and CONV_GEMM_JOB (conv-gemm-module.ts) say, or an
 * Adam step as ADAM_JOB says, or a 2×2 max pooling or its maxPoolGrad as POOL_JOB says, or a one-channel convolution's kernel and bias
 * gradients as CONV_GRAD_JOB (direct-conv-grad-module.ts) says, or patch rows unfolded as UNFOLD_JOB (unfold-module.ts) says.
 */
export const JOB_KIND = { gemm: 0, directConv: 1, convGemm: 2, adam: 3, maxPool: 4, directConvGrad: 5, maxPoolGrad: 6, unfold: 7 } as const;

// Function indices, in the order of `exports` below.
const PACK_A = 0, PACK_B = 1, MACRO = 2, GEMM = 3, DIRECT_CONV_WIDE = 5, DIRECT_CONV_NARROW = 6, CONV_CHUNK = 7, UNFOLD_RANGE = 8, CONV_GEMM_CHUNK = 9;
const ADAM = 11, ADAM_CHUNK = 12, MAX_POOL = 14, POOL_CHUNK = 15, CONV_GRAD = 16, CONV_GRAD_CHUNK = 17, MAX_GRAD = 18, POOL_GRAD_CHUNK = 19, UNFOLD_CHUNK = 20;
const GEMM_FUNCTIONS = { packA: PACK_A, packB: PACK_B, macro: MACRO };

/**
 * chunk(job, q, worker): the q-th piece of the job described at byte offset `job`, with `worker`'s scratch: a job
 * of kind directConv goes to convChunk, one of kind adam to adamChunk, one of kind maxPool to poolChunk, one of kind
 * convGemm to convGemmChunk, one of kind directConvGrad to convGradChunk, one of kind maxPoolGrad to poolGradChunk,
 * one of kind unfold to unfoldChunk, and a product to gemmPiece.
 */
function chunk(): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32]);
  const [job, q, worker] = [0, 1, 2];
  const kinds = [
    [JOB_KIND.directConv, CONV_CHUNK], [JOB_KIND.adam, ADAM_CHUNK], [JOB_KIND.maxPool, POOL_CHUNK], [JOB_KIND.convGemm, CONV_GEMM_CHUNK],
    [JOB_KIND.directConvGrad, CONV_GRAD_CHUNK], [JOB_KIND.maxPoolGrad, POOL_GRAD_CHUNK], [JOB_KIND.unfold, UNFOLD_CHUNK],
  ];
  for (const [kind, index] of kinds) {
    f.get(job).loadI32(4 * JOB.kind);
    f.i32(kind).eq().when(() => {
      f.get(job).get(q);
      if (kind === JOB_KIND.convGemm || kind === JOB_KIND.directConvGrad) f.get(worker);
      f.call(index);
      f.op(0x0f);
    });
  }
  gemmPiece(f, job, q, worker, GEMM);
  return f;
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
      packA: pack(mr), packB: pack(nr), macro: macro(blocking, fma), gemm: gemm(blocking, GEMM_FUNCTIONS), chunk: chunk(),
      // After chunk, so the indices above stay; here so that a convolution rounds as the GEMM does (same fma).
      directConv8: directConv(8, fma), directConv1: directConv(1, fma), convChunk: convChunk(DIRECT_CONV_WIDE, DIRECT_CONV_NARROW),
      unfoldRange: unfoldRange(), convGemmChunk: convGemmChunk(JOB, GEMM, UNFOLD_RANGE), foldRows: foldRows(),
      adam: adamFunction(), adamChunk: adamChunk(ADAM), packAllB: packAllB(blocking, GEMM_FUNCTIONS), maxPool: maxPool(),
      poolChunk: poolChunk(MAX_POOL), directConvGrad: directConvGrad(blocking.kc, fma), convGradChunk: convGradChunk(CONV_GRAD),
      maxGrad: maxGrad(), poolGradChunk: poolGradChunk(MAX_GRAD), unfoldChunk: unfoldChunk(UNFOLD_RANGE),
    },
  });
}
