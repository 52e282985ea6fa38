import type { Kernel } from '../kernel.ts';
import { wasmDirectConv } from '../wasm/direct-conv.ts';
import { fastAffine } from './matmul.ts';
import { fastUnfold } from './window.ts';

/**
 * convAffine: one-channel float32 images at stride 1 without dilation convolve directly in WebAssembly (see
 * wasm/direct-conv-module.ts: no patch matrix, kh·kw times smaller than the unfolded one); anything else unfolds
 * and runs the fast affine kernel. Same bits either way.
 */
export const fastConvAffine: Kernel<'convAffine'> = (inputs, shapes, params, out) => {
  const [x, kernel, bias] = inputs;
  const [[images, height, width, channels], [kh, kw]] = shapes;
  const [n, oh, ow, f] = out.shape;
  const { strides, dilations, activation } = params;
  const plain = strides[0] === 1 && strides[1] === 1 && dilations[0] === 1 && dilations[1] === 1;
  if (plain && channels === 1 && out.dtype === 'float32' && x instanceof Float32Array && kernel instanceof Float32Array && bias instanceof Float32Array) {
    const y = wasmDirectConv({ x, w: kernel, bias, images, height, width, kh, kw, filters: f, relu: activation === 'relu' });
    if (y !== undefined) return y;
  }
  const taps = kh * kw * channels;
  const cols = fastUnfold([x], [shapes[0]], { kernel: [kh, kw], strides, dilations }, { shape: [n, oh, ow, kh, kw, channels], dtype: out.dtype });
  return fastAffine([cols, kernel, bias], [[n * oh * ow, taps], [taps, f], [f]], { activation }, { shape: [n * oh * ow, f], dtype: out.dtype });
};
