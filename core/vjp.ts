import { apply } from './dispatch.ts';
import type { Prim, PrimParams } from './primitives.ts';
import type { Tensor } from './tensor.ts';
import { onesLike } from './creation.ts';
import { add, cast, cos, div, exp, expand, fold, logSoftmax, mul, neg, pad, permute, reshape, sin, slice, sub, sum, unfold, where } from './ops/index.ts';
import { reluGrad, sigmoidGrad, softmaxCrossEntropyGrad, tanhGrad } from './ops/activations.ts';
import { maxGrad } from './ops/reduce.ts';

/** What a rule sees of the primitive call it differentiates. */
export interface VjpContext<P extends Prim> {
  inputs: readonly Tensor[];
  output: Tensor;
  params: PrimParams[P];
}

/** One thunk per input (null: no gradient). Thunks run only for inputs that need a gradient. */
export type VjpRule<P extends Prim> = (g: Tensor, ctx: VjpContext<P>) => readonly ((() => Tensor) | null)[];

/**
 * Every derivative formula in semiflow, one per primitive. g is the cotangent of the output y.
 * The rules are written with ops, so a backward pass is itself differentiable: grad(grad(f)) works.
 */
export const vjpRules: { [P in Prim]: VjpRule<P> } = {
  neg: (g) => [() => neg(g)], // d(-x) = -1
  exp: (g, { output }) => [() => mul(g, output)], // d e^x = e^x
  log: (g, { inputs: [x] }) => [() => div(g, x)], // d log x = 1/x
  sqrt: (g, { output }) => [() => div(g, mul(output, 2))], // d √x = 1/(2√x)
  reciprocal: (g, { output }) => [() => neg(mul(g, mul(output, output)))], // d(1/x) = -1/x²
  expm1: (g, { output }) => [() => mul(g, add(output, 1))], // d(e^x - 1) = e^x
  log1p: (g, { inputs: [x] }) => [() => div(g, add(x, 1))], // d log(1+x) = 1/(1+x)
  erf: (g, { inputs: [x] }) => [() => mul(g, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))], // d erf x = (2/√π)·e^(−x²)
  erfc: (g, { inputs: [x] }) => [() => mul(g, mul(exp(neg(mul(x, x))), -2 / Math.sqrt(Math.PI)))], // d erfc x = −(2/√π)·e^(−x²)
  sin: (g, { inputs: [x] }) => [() => mul(g, cos(x))], // d sin x = cos x
  cos: (g, { inputs: [x] }) => [() => neg(mul(g, sin(x)))], // d cos x = −sin x
  sigmoid: (g, { output: y }) => [() => sigmoidGrad(y, g)], // d σ(x) = σ(1 − σ)
  tanh: (g, { output: y }) => [() => tanhGrad(y, g)], // d tanh x = 1 − tanh²
  // g'·y·(1 − y): d/dy = g'·(1 − 2y); linear in g', so its transpose in g' is itself.
  sigmoidGrad: (g, { inputs: [y, gOut] }) => [() => mul(g, mul(gOut, sub(1, mul(y, 2)))), () => sigmoidGrad(y, g)],
  // g'·(1 − y²): d/dy = −2·g'·y; linear in g'.
  tanhGrad: (g, { inputs: [y, gOut] }) => [() => mul(g, mul(gOut, mul(y, -2))), () => tanhGrad(y, g)],
  floor: () => [null], // piecewise constant
  round: () => [null],
  add: (g) => [() => g, () => g],
  mul: (g, { inputs: [a, b] }) => [() => mul(g, b), () => mul(g, a)],
  less: () => [null, null], // piecewise constant
  equal: () => [null, null],
  where: (g, { inputs: [cond] }) => [null, () => where(cond, g, 0), () => where(cond, 0, g)],
  relu: (g, { inputs: [x] }) => [() => reluGrad(x, g)], // 1 where 0 < x, else 0
  // Linear in g with a 0/1 diagonal mask, so its own transpose; x: piecewise constant.
  reluGrad: (g, { inputs: [x] }) => [null, () => reluGrad(x, g)],
  sum: (g, { inputs: [x] }) => [() => expand(g, x.shape)], // sum ↔ expand
  // The gradient is shared equally among the elements that reach the max.
  max: (g, { inputs: [x], output, params: { axes } }) => [() => maxGrad(x, output, g, axes)],
  // Linear in g: its transpose sums each group's hit·(1/count)·g' back onto the group. x and y: piecewise constant.
  maxPool: (g, { inputs: [x], output, params: { kernel, strides } }) => [() => maxPoolGrad(x, output, g, kernel, strides)],
  // Linear in g: its transpose sums each window's hit·(1/count)·g' back onto the window (the tiles of the crop, as the
  // composite's maxGrad and pad rules do). x and y: piecewise constant.
  maxPoolGrad: (g, { inputs: [x, y], params: { kernel: [kh, kw], strides } }) => [null, null, () => {
    const [n, oh, ow, c] = y.shape;
    const shares = mul(apply('maxPoolGrad', [x, y, onesLike(y)], { kernel: [kh, kw], strides }), g);
    const tiles = reshape(slice(shares, [0, 0, 0, 0], [n, oh * kh, ow * kw, c]), [n, oh, kh, ow, kw, c]);
    return reshape(sum(tiles, [2, 4], true), y.shape);
  }],
  // Linear: each window's cotangent spread over its pixels, as sum's rule (expand) on the composite's views: the crop's
  // tiles, then the crop's rule (a zero pad), or unfold's patches, then unfold's rule (fold).
  sumPool: (g, { inputs: [x], params: { kernel: [kh, kw], strides: [sh, sw] } }) => [() => {
    const [n, h, w, c] = x.shape;
    const [, oh, ow] = g.shape;
    if (sh !== kh || sw !== kw) return fold(expand(reshape(g, [n, oh, ow, 1, 1, c]), [n, oh, ow, kh, kw, c]), h, w, [sh, sw]);
    const tiles = reshape(expand(reshape(g, [n, oh, 1, ow, 1, c]), [n, oh, kh, ow, kw, c]), [n, oh * kh, ow * kw, c]);
    return oh * kh === h && ow * kw === w ? tiles : pad(tiles, [[0, 0], [0, h - oh * kh], [0, w - ow * kw], [0, 0]]);
  }],
  maxGrad: (g, { inputs: [x, y], params: { axes } }) => [null, null, () => sum(mul(maxGrad(x, y, onesLike(y), axes), g), axes, true)],
  reshape: (g, { inputs: [x] }) => [() => reshape(g, x.shape)],
  permute: (g, { params: { perm } }) => [() => permute(g, perm.map((_, i) => perm.indexOf(i)))], // inverse permutation
  expand: (g, { inputs: [x], params: { shape } }) => [() => sum(g, grownAxes(x.shape, shape), true)], // expand ↔ sum
  pad: (g, { inputs: [x], params: { pads } }) => [() => slice(g, pads.map(([lo]) => lo), x.shape)], // pad ↔ slice
  slice: (g, { inputs: [x], params: { begin, size } }) => [() => pad(g, begin.map((b, i) => [b, x.shape[i] - b - size[i]] as const))],
  concat: (g, { inputs, params: { axis } }) => {
    let offset = 0;
    return inputs.map((x) => {
      const begin = x.shape.map((_, i) => (i === axis ? offset : 0));
      offset += x.shape[axis];
      return () => slice(g, begin, x.shape);
    });
  },
  // C = op(A)·op(B): d op(A) = g·op(B)ᵀ and d op(B) = op(A)ᵀ·g, transposed back where a flag was set.
  matmul: (g, { inputs: [a, b], params: { transposeA: ta, transposeB: tb } }) => [
    () => (ta ? matmulPrim(b, g, tb, true) : matmulPrim(g, b, false, !tb)),
    () => (tb ? matmulPrim(g, a, true, ta) : matmulPrim(a, g, !ta, false)),
  ],
  // y = act(x·w + b): with z's cotangent gz = g (linear) or reluGrad(y, g) (y > 0 exactly where z > 0), the rules
  // of matmul, and of the bias's broadcast (a sum over the rows): the bits of the unfused composition's gradients.
  affine: (g, { inputs: [x, w, bias], output, params: { activation } }) => {
    let dz: Tensor | undefined;
    const gz = (): Tensor => (dz ??= activation === 'relu' ? reluGrad(output, g) : g);
    return [() => matmulPrim(gz(), w, false, true), () => matmulPrim(x, gz(), true, false), () => reshape(sum(gz(), [0], true), bias.shape)];
  },
  // unfold then affine on the patch rows: affine's rule on the rows, with unfold's (fold) for x in one convTranspose
  // (fold of gz·Kᵀ), and the kernel's and bias's in one convAffineGrad (the patches' product with gz, unfolded again
  // since the forward kept none, and gz's sum over rows), on gz where x's thunk made it, else masking g itself.
  // The bits of the composition's gradients.
  convAffine: (g, { inputs: [x, kernel, bias], output, params: { strides, dilations, activation } }) => {
    const [, h, w] = x.shape;
    const [kh, kw, c, f] = kernel.shape;
    const taps = kh * kw * c;
    let dz: Tensor | undefined;
    const gz = (): Tensor => (dz ??= activation === 'relu' ? reluGrad(output, g) : g);
    let both: Tensor | undefined;
    const window = { kernel: [kh, kw] as const, strides, dilations };
    const grads = (): Tensor => (both ??= dz === undefined
      ? apply('convAffineGrad', [x, g, output], { ...window, activation })
      : apply('convAffineGrad', [x, dz, output], { ...window, activation: 'linear' }));
    return [
      () => apply('convTranspose', [gz(), kernel], { strides, dilations, height: h, width: w }),
      () => reshape(slice(grads(), [0, 0], [taps, f]), kernel.shape),
      () => reshape(slice(grads(), [taps, 0], [1, f]), bias.shape),
    ];
  },
  // y = [Uᵀ·gz; 1ᵀ·gz], gz = m⊙g (m: y > 0 with relu, else 1), U = unfold(x) [P,T]: with ȳ = [K̄; b̄], dx is
  // convFilterGrad's (convTranspose(gz, K̄)) and dg = m⊙(U·K̄ + b̄ on every row); y: piecewise constant.
  convAffineGrad: (gy, { inputs: [x, g, y], params: { kernel, strides, dilations, activation } }) => {
    const [n, h, w, c] = x.shape;
    const [, oh, ow, f] = g.shape;
    const taps = kernel[0] * kernel[1] * c;
    const mask = (t: Tensor): Tensor => (activation === 'relu' ? reluGrad(y, t) : t);
    const kernelBar = (): Tensor => slice(gy, [0, 0], [taps, f]);
    return [
      () => apply('convTranspose', [mask(g), reshape(kernelBar(), [...kernel, c, f])], { strides, dilations, height: h, width: w }),
      () => {
        const patches = reshape(unfold(x, kernel, strides, dilations), [n * oh * ow, taps]);
        const rows = reshape(matmulPrim(patches, kernelBar(), false, false), g.shape);
        return mask(add(rows, reshape(slice(gy, [taps, 0], [1, f]), [f])));
      },
      null,
    ];
  },
  // y = Uᵀ·G with U = unfold(x) [P,T], G = g [P,F]: dU = G·ȳᵀ, folded, is convTranspose(g, ȳ); dG = U·ȳ.
  convFilterGrad: (gy, { inputs: [x, g], params: { kernel, strides, dilations } }) => {
    const [n, h, w, c] = x.shape;
    const [, oh, ow, f] = g.shape;
    const taps = kernel[0] * kernel[1] * c;
    return [
      () => apply('convTranspose', [g, gy], { strides, dilations, height: h, width: w }),
      () => reshape(matmulPrim(reshape(unfold(x, kernel, strides, dilations), [n * oh * ow, taps]), reshape(gy, [taps, f]), false, false), g.shape),
    ];
  },
  // y = fold(X·Kᵀ), X the pixels [P,F], K the kernel [T,F]: with the patches of g, U = unfold(g) [P,T],
  // dX = U·K and dK = Uᵀ·X.
  convTranspose: (g, { inputs: [x, kernel], params: { strides, dilations } }) => {
    const [n, oh, ow, f] = x.shape;
    const [kh, kw] = kernel.shape;
    const taps = kernel.shape[0] * kernel.shape[1] * kernel.shape[2];
    let rows: Tensor | undefined;
    const patches = (): Tensor => (rows ??= reshape(unfold(g, [kh, kw], strides, dilations), [n * oh * ow, taps]));
    return [
      () => reshape(matmulPrim(patches(), reshape(kernel, [taps, f]), false, false), x.shape),
      () => reshape(matmulPrim(patches(), reshape(x, [n * oh * ow, f]), true, false), kernel.shape),
    ];
  },
  unfold: (g, { inputs: [x], params: { strides, dilations } }) => [() => fold(g, x.shape[1], x.shape[2], strides, dilations)], // unfold ↔ fold
  fold: (g, { params: { kernel, strides, dilations } }) => [() => unfold(g, kernel, strides, dilations)],
  stopGradient: () => [null],
  cast: (g, { inputs: [x] }) => [() => cast(g, x.dtype)],
  // Both linear in their first input and each other's transpose; repeated indices add up in scatterAdd.
  gather: (g, { inputs: [x, indices], params: { axis } }) => [() => apply('scatterAdd', [g, indices], { axis, size: x.shape[axis] }), null],
  scatterAdd: (g, { inputs: [, indices], params: { axis } }) => [() => apply('gather', [g, indices], { axis }), null],
  topkIndices: () => [null], // piecewise constant
  // L = Σ_k y_k·(log Σ_j e^z_j − z_k) per row: dz = g·(softmax(z)·Σy − y) in one primitive, dy = −g·logSoftmax(z).
  softmaxCrossEntropy: (g, { inputs: [z, y] }) => [
    () => softmaxCrossEntropyGrad(z, y, g),
    () => mul(reshape(g, [...g.shape, 1]), neg(logSoftmax(z))),
  ],
  // out = g·(p·Y − y) with p = softmax(z), Y = Σy, and h its cotangent: with hp = Σ_k h_k·p_k,
  // dz = g·Y·p·(h − hp) (softmax's Jacobian), dy = g·(hp − h), dg = Y·hp − Σ_k h_k·y_k.
  softmaxCrossEntropyGrad: (h, { inputs: [z, y, g] }) => {
    const p = exp(logSoftmax(z));
    const perRow = reshape(g, [...g.shape, 1]);
    const hp = sum(mul(h, p), -1, true);
    const targets = sum(y, -1, true);
    return [
      () => mul(mul(mul(perRow, targets), p), sub(h, hp)),
      () => mul(perRow, sub(hp, h)),
      () => reshape(sub(mul(targets, hp), sum(mul(h, y), -1, true)), g.shape),
    ];
  },
};

function matmulPrim(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
  return apply('matmul', [a, b], { transposeA, transposeB });
}

/** The axes that expand grew from 1 to a larger size. */
function grownAxes(from: readonly number[], to: readonly number[]): number[] {
  return from.flatMap((d, i) => (d !== to[i] ? [i] : []));
}

/**
 * maxPool's x cotangent: max's rule (maxGrad) over the windows it reduced, as the composite pooling saw them.
 * Tiling windows (strides = kernel): maxPoolGrad, max's rule on the windows in place (the crop and its pad's zeros
 * included); others: unfold's patches, then unfold's rule (fold). The bits of the crop/unfold-then-max gradients.
 */
function maxPoolGrad(x: Tensor, y: Tensor, g: Tensor, [kh, kw]: readonly [number, number], [sh, sw]: readonly [number, number]): Tensor {
  if (sh === kh && sw === kw) return apply('maxPoolGrad', [x, y, g], { kernel: [kh, kw], strides: [sh, sw] });
  const [n, h, w, c] = x.shape;
  const [, oh, ow] = y.shape;
  const kept = [n, oh, ow, 1, 1, c];
  return fold(maxGrad(unfold(x, [kh, kw], [sh, sw]), reshape(y, kept), reshape(g, kept), [3, 4]), h, w, [sh, sw]);
}
