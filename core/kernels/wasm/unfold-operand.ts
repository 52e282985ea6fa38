import { UNFOLD_JOB } from './unfold-module.ts';
import type { OperandWriter } from './gemm.ts';
import { JOB_KIND } from './gemm-module.ts';
import { runPieces } from './runtime.ts';

/** Pieces per thread, as for the GEMM: a thread slowed by other work is waited on less. */
const PIECES_PER_THREAD = 2;

/** NHWC images [images, height, width, channels] and a window, as the unfold primitive takes them. */
export interface UnfoldProblem {
  x: Float32Array;
  shape: readonly number[];
  kernel: readonly [number, number];
  strides: readonly [number, number];
  dilations: readonly [number, number];
  outH: number;
  outW: number;
}

/**
 * The GEMM's A operand as the patches of x, [images·outH·outW, kh·kw·channels]: x is copied into the scratch and
 * unfolded in place by unfoldRange (conv-gemm-module.ts; pieces of rows split over the product's threads), instead
 * of unfolding in JS and copying the kh·kw times larger patch matrix in. The same values as the unfold kernels,
 * hence the same product.
 */
export function unfoldOperand(p: UnfoldProblem): OperandWriter {
  const [images, height, width, channels] = p.shape;
  const rows = images * p.outH * p.outW;
  return {
    length: rows * p.kernel[0] * p.kernel[1] * channels,
    scratchBytes: Math.ceil(p.x.length / 16) * 64,
    write(rt, offset, scratchOffset, pool, threads) {
      new Float32Array(rt.memory.buffer).set(p.x, scratchOffset >> 2);
      const span = pool ? Math.ceil(rows / (PIECES_PER_THREAD * threads)) : rows;
      const [[kh, kw], [sh, sw], [dh, dw]] = [p.kernel, p.strides, p.dilations];
      const words = { x: scratchOffset, cols: offset, rows, span, height, width, channels, outH: p.outH, outW: p.outW, kh, kw, sh, sw, dh, dw };
      runPieces(rt, JOB_KIND.unfold, UNFOLD_JOB, words, rows, span, pool);
    },
  };
}
