import type { Kernel } from '../kernel.ts';
import { convFilterGradKernel } from '../affine.ts';
import { unfoldOperand } from '../wasm/unfold-operand.ts';
import { gemmMinFlops, multiply } from './matmul.ts';

/**
 * convFilterGrad: for float32 operands the patches of x are unfolded inside the GEMM's memory as its A operand,
 * read transposed (unfoldOperand: no patch matrix unfolded in JS and copied in), and multiplied with g there;
 * anything else runs the reference's parts. The same values in the same product, so the same bits.
 */
export const fastConvFilterGrad: Kernel<'convFilterGrad'> = (inputs, shapes, params, out) => {
  const [x, g] = inputs;
  const [n, oh, ow, f] = shapes[1];
  const [kh, kw, c] = out.shape;
  const rows = n * oh * ow;
  const taps = kh * kw * c;
  const flops = 2 * rows * taps * f;
  if (out.dtype === 'float32' && x instanceof Float32Array && g instanceof Float32Array && flops >= gemmMinFlops()) {
    const a = unfoldOperand({ x, shape: shapes[0], kernel: params.kernel, strides: params.strides, dilations: params.dilations, outH: oh, outW: ow });
    const y = multiply({ a, b: g, batch: 1, m: taps, n: f, k: rows, transposeA: true, transposeB: false }, flops);
    if (y !== undefined) return y;
  }
  return convFilterGradKernel(inputs, shapes, params, out);
};
