import type { Kernel } from '../kernel.ts';
import { wasmConvGemm } from '../wasm/conv-gemm.ts';
import { wasmDirectConv } from '../wasm/direct-conv.ts';
import { fastAffine, gemmMinFlops, onThreads } from './matmul.ts';
import { fastUnfold } from './window.ts';

/**
 * convAffine: one-channel float32 images at stride 1 without dilation convolve directly in WebAssembly (see
 * wasm/direct-conv-module.ts: no patch matrix, kh·kw times smaller than the unfolded one; images split over the
 * GEMM's threads as a product of the same flops would be); other float32 images run as an implicit GEMM
 * (wasm/conv-gemm.ts: each thread unfolds cache-sized blocks of patch rows and multiplies them, the patch matrix
 * never whole); anything else unfolds and runs the fast affine kernel. Same bits every way.
 */
export const fastConvAffine: Kernel<'convAffine'> = (inputs, shapes, params, out) => {
  const [x, kernel, bias] = inputs;
  const [[images, height, width, channels], [kh, kw]] = shapes;
  const [n, oh, ow, f] = out.shape;
  const { strides, dilations, activation } = params;
  const plain = strides[0] === 1 && strides[1] === 1 && dilations[0] === 1 && dilations[1] === 1;
  if (plain && channels === 1 && out.dtype === 'float32' && x instanceof Float32Array && kernel instanceof Float32Array && bias instanceof Float32Array) {
    const problem = { x, w: kernel, bias, images, height, width, kh, kw, filters: f, relu: activation === 'relu' };
    const flops = 2 * n * oh * ow * f * kh * kw;
    const y = onThreads(`conv ${images} ${height} ${width} ${kh} ${kw} ${f}`, flops, (pool, threads) => wasmDirectConv(problem, pool, threads));
    if (y !== undefined) return y;
  }
  const taps = kh * kw * channels;
  const flops = 2 * n * oh * ow * f * taps;
  if (out.dtype === 'float32' && x instanceof Float32Array && kernel instanceof Float32Array && bias instanceof Float32Array && flops >= gemmMinFlops()) {
    const problem = { x, shape: shapes[0], w: kernel, bias, kernel: [kh, kw] as const, strides, dilations, outH: oh, outW: ow, filters: f, relu: activation === 'relu' };
    const key = `convGemm ${shapes[0].join(' ')} ${kh} ${kw} ${f} ${strides.join(' ')} ${dilations.join(' ')}`;
    const y = onThreads(key, flops, (pool, threads) => wasmConvGemm(problem, pool, threads));
    if (y !== undefined) return y;
  }
  const cols = fastUnfold([x], [shapes[0]], { kernel: [kh, kw], strides, dilations }, { shape: [n, oh, ow, kh, kw, channels], dtype: out.dtype });
  return fastAffine([cols, kernel, bias], [[n * oh * ow, taps], [taps, f], [f]], { activation }, { shape: [n * oh * ow, f], dtype: out.dtype });
};
