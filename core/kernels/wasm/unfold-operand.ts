import type { OperandWriter } from './gemm.ts';

type UnfoldRange = (...args: number[]) => void;

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
 * unfolded in place by unfoldRange (conv-gemm-module.ts), instead of unfolding in JS and copying the kh·kw times
 * larger patch matrix in. The same values as the unfold kernels, hence the same product.
 */
export function unfoldOperand(p: UnfoldProblem): OperandWriter {
  const [images, height, width, channels] = p.shape;
  const rows = images * p.outH * p.outW;
  return {
    length: rows * p.kernel[0] * p.kernel[1] * channels,
    scratchBytes: Math.ceil(p.x.length / 16) * 64,
    write(rt, offset, scratchOffset) {
      new Float32Array(rt.memory.buffer).set(p.x, scratchOffset >> 2);
      (rt.exports.unfoldRange as UnfoldRange)(scratchOffset, offset, 0, rows, height, width, channels, p.outH, p.outW, ...p.kernel, ...p.strides, ...p.dilations);
    },
  };
}
