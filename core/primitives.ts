import type { DType } from './dtype.ts';

/**
 * The primitive ops. Everything else is a composition of these, and only these have vjp rules.
 * Binary primitives take operands of equal shape and dtype: broadcasting happens in the composites.
 */
export interface PrimParams {
  // unary elementwise
  neg: {};
  exp: {};
  log: {};
  sqrt: {};
  reciprocal: {};
  expm1: {};
  log1p: {};
  erf: {};
  erfc: {};
  sin: {};
  cos: {};
  // sigmoid and tanh in their overflow-free forms, one pass each (the LSTM's gates); their rules use the output
  sigmoid: {};
  tanh: {};
  // their vjps as one pass each: sigmoidGrad(y, g) = g·(y·(1 − y)), tanhGrad(y, g) = g·(1 − y·y), every step
  // rounded to the dtype as the composition of mul and sub rounds it, so the bits are the composition's
  sigmoidGrad: {};
  tanhGrad: {};
  // floor and round (half to even) are piecewise constant: their gradient is 0
  floor: {};
  round: {};
  // binary elementwise
  add: {};
  mul: {};
  // comparisons: 1 where true, 0 where false; they have no gradient
  less: {};
  equal: {};
  // where(cond, a, b): a where cond is non-zero, else b
  where: {};
  // relu(x) = x where 0 < x, else +0 (-0 and NaN included); reluGrad(x, g) = g where 0 < x, else +0: relu's vjp
  relu: {};
  reluGrad: {};
  // reductions keep the reduced axes with size 1
  sum: { axes: readonly number[] };
  max: { axes: readonly number[] };
  // maxGrad(x, y, g) with y = max(x, axes) kept-dims: g shared equally among the elements of x equal to y (max's vjp)
  maxGrad: { axes: readonly number[] };
  // maxPool(x) [N,H,W,C] -> [N,OH,OW,C]: the max of each kernel window placed every `strides` pixels ('valid': the
  // rows and columns past the last whole window are not read), taps in order (i, then j) from -Infinity as max
  // takes them: max over unfold's or the tiles' window axes without the crop or the patches (issue 17)
  maxPool: PoolParams;
  // maxPoolGrad(x, y, g) for windows that tile (strides = kernel), y = maxPool(x), g its cotangent: x's cotangent,
  // each window's g shared equally among its elements equal to its max, +0 past the last whole window: max's rule
  // (maxGrad) on the windows in place, without the crop to whole windows and the pad back (issue 17)
  maxPoolGrad: PoolParams;
  // sumPool(x) [N,H,W,C] -> [N,OH,OW,C]: the sum of each window, 'valid', taps in order (i, then j) from +0 as sum
  // takes them over the windows' axes: avgPool2d's sums without the crop to whole windows or the patches (issue 17)
  sumPool: PoolParams;
  // movement
  reshape: { shape: readonly number[] };
  permute: { perm: readonly number[] };
  expand: { shape: readonly number[] };
  pad: { pads: readonly (readonly [number, number])[]; value: number };
  slice: { begin: readonly number[]; size: readonly number[] };
  concat: { axis: number };
  // [..., m, k] x [..., k, n] with equal batch dims; a flag reads that operand's last two axes swapped
  matmul: { transposeA: boolean; transposeB: boolean };
  // affine(x, w, bias) = x·w + bias for x [m,k], w [k,n], bias [n] (added to every row), then relu with activation
  // 'relu': matmul, add and relu in one call, so the fast kernel adds and clamps in the GEMM's store; same bits
  affine: { activation: AffineActivation };
  // convAffine(x, kernel, bias) = activation(conv(x, kernel) + bias) for x [N,H,W,C] (padded already), kernel
  // [kh,kw,C,F], bias [F]: unfold, then affine on the patches, in one call; the fast kernel convolves one-channel
  // images directly (no patch matrix) with the same bits
  convAffine: { strides: readonly [number, number]; dilations: readonly [number, number]; activation: AffineActivation };
  // convTranspose(x, kernel) = fold(x·kernelᵀ) for x [N,OH,OW,F], kernel [kh,kw,C,F]: each pixel's kernel-weighted
  // patch added into a [N,height,width,C] image (conv's input gradient; a transposed convolution, uncropped) in one
  // call, so the fast kernel folds in WebAssembly memory without handing out the patches; same bits
  // convFilterGrad(x, g) = unfold(x)ᵀ·g for x [N,H,W,C] and g [N,OH,OW,F], as a kernel [kh,kw,C,F] (conv's kernel
  // gradient) in one call, so the fast kernel unfolds x in WebAssembly memory; same bits
  convFilterGrad: WindowParams;
  convTranspose: { strides: readonly [number, number]; dilations: readonly [number, number]; height: number; width: number };
  // convAffineGrad(x, g, y) = [convFilterGrad(x, gz); the sum of gz's rows] as [kh·kw·C + 1, F], gz = reluGrad(y, g)
  // with activation 'relu' (y: convAffine's output) else g: a convolution's kernel and bias gradients in one call, so
  // the fast kernel masks g and sums it in the pass that multiplies it, with no gz array; same bits as the parts
  convAffineGrad: WindowParams & { activation: AffineActivation };
  // windows over NHWC: unfold [N,H,W,C] -> [N,OH,OW,KH,KW,C] with y[n,oh,ow,i,j,c] = x[n, oh·sh + i·dh, ow·sw + j·dw, c];
  // fold is its transpose (overlaps add up)
  unfold: WindowParams;
  fold: WindowParams & { height: number; width: number };
  stopGradient: {};
  cast: { dtype: DType };
  // gather(x, indices): x with the `axis` entries picked by a 1-D tensor of integer indices (repeats allowed);
  // scatterAdd(u, indices) is its transpose: u's entries along `axis` added into a zero axis of length `size`.
  gather: { axis: number };
  scatterAdd: { axis: number; size: number };
  // topkIndices(x): the positions of the k largest values along the last axis, largest first (ties: lower index
  // first; NaN above every number), as values of x's dtype; no gradient
  topkIndices: { k: number };
  // softmaxCrossEntropy(z, y) for z, y [..., K] -> [...]: −Σ_k y_k·logSoftmax(z)_k per row (the categorical losses'
  // forward, ~10 primitives as a composite), in one pass per row; softmaxCrossEntropyGrad(z, y, g) with g [...]:
  // g·(softmax(z)·Σ_k y_k − y), z's cotangent, also one pass per row (issue 17)
  softmaxCrossEntropy: {};
  softmaxCrossEntropyGrad: {};
}

/** The activations the affine primitive fuses. */
export const AFFINE_ACTIVATIONS = ['linear', 'relu'] as const;
export type AffineActivation = (typeof AFFINE_ACTIVATIONS)[number];

/** A pooling window and its step. */
export interface PoolParams {
  kernel: readonly [number, number];
  strides: readonly [number, number];
}

/** A window of kernel taps spaced `dilations` apart, placed every `strides` pixels. */
export interface WindowParams {
  kernel: readonly [number, number];
  strides: readonly [number, number];
  dilations: readonly [number, number];
}

export type Prim = keyof PrimParams;

export const UNARY_PRIMS = ['neg', 'exp', 'log', 'sqrt', 'reciprocal', 'expm1', 'log1p', 'erf', 'erfc', 'sin', 'cos', 'sigmoid', 'tanh', 'floor', 'round'] as const;
export const BINARY_PRIMS = ['add', 'mul', 'less', 'equal'] as const;
export type UnaryPrim = (typeof UNARY_PRIMS)[number];
export type BinaryPrim = (typeof BINARY_PRIMS)[number];
