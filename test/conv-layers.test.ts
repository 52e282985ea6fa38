// The convolution and image-geometry layers of issue 15: each against a direct loop, its gradient checked over
// fast-check shapes (float64), Keras's defaults, and errors that name the layer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConfigError, Conv2D, Conv2DTranspose, Cropping2D, DepthwiseConv2D, SeparableConv2D, ShapeError, UpSampling2D, ValueError, ZeroPadding2D,
  checkLayerGrad, randomNormal, tensor, zeros,
} from 'semiflow';
import type { Layer, Tensor } from 'semiflow';
import { naiveConv2d } from './specs/window-linalg.ts';

const RUNS = 20;
const seedArb = fc.integer({ min: 0, max: 1000 });
const padArb = fc.constantFrom<'valid' | 'same'>('valid', 'same');
const small = (min: number, max: number) => fc.integer({ min, max });
const pairArb = (min: number, max: number) => fc.tuple(small(min, max), small(min, max));

function close(actual: Tensor, expected: ArrayLike<number>, tol = 1e-12): void {
  expect(actual.size).toBe(expected.length);
  for (let i = 0; i < actual.size; i++) expect(Math.abs(actual.storage[i] - expected[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i])));
}
function expectGradOk(layer: Layer, x: Tensor, seed: number): void {
  const result = checkLayerGrad(layer, x, { seed });
  expect(result.ok, result.message).toBe(true);
}
const image = (shape: number[], seed: number) => randomNormal(shape, { seed, dtype: 'float64' });
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a, (v, i) => v * b[i]).reduce((s, v) => s + v, 0);
const withBias = (values: ArrayLike<number>, bias: Tensor) => Array.from(values, (v, i) => v + bias.storage[i % bias.size]);

/** A depthwise kernel [kh,kw,C,m] as the full kernel [kh,kw,C,C·m] it equals: zero except [a,b,c,c·m+k] = K[a,b,c,k]. */
function blockDiagonal(kernel: Tensor): Tensor {
  const [kh, kw, c, m] = kernel.shape;
  const full = new Float64Array(kh * kw * c * c * m);
  for (let t = 0; t < kh * kw; t++) {
    for (let ci = 0; ci < c; ci++) for (let k = 0; k < m; k++) full[(t * c + ci) * c * m + ci * m + k] = kernel.storage[(t * c + ci) * m + k];
  }
  return tensor(full, [kh, kw, c, c * m], 'float64');
}

describe('Conv2D with dilationRate and groups', () => {
  const arb = fc.record({
    batch: small(1, 2), groups: small(1, 3), perGroupIn: small(1, 2), perGroupOut: small(1, 2),
    kernel: pairArb(1, 3), dilation: pairArb(1, 2), padding: padArb, extra: pairArb(0, 2), seed: seedArb,
  });

  it('matches a direct dilated, grouped convolution loop plus bias', () => {
    fc.assert(fc.property(arb, (c) => {
      const layer = new Conv2D(c.groups * c.perGroupOut, c.kernel, { dilationRate: c.dilation, groups: c.groups, padding: c.padding, biasInitializer: 'randomNormal' });
      const span = [(c.kernel[0] - 1) * c.dilation[0] + 1, (c.kernel[1] - 1) * c.dilation[1] + 1];
      const x = image([c.batch, span[0] + c.extra[0], span[1] + c.extra[1], c.groups * c.perGroupIn], c.seed);
      const y = layer.apply(x);
      expect(layer.params.kernel.shape).toEqual([...c.kernel, c.perGroupIn, c.groups * c.perGroupOut]);
      const ref = naiveConv2d(x, layer.params.kernel, [1, 1], c.padding, c.dilation, c.groups);
      expect(y.shape).toEqual(ref.shape);
      close(y, withBias(ref.values, layer.params.bias));
    }), { numRuns: RUNS });
  });

  it('has a correct gradient for its input, kernel and bias', () => {
    fc.assert(fc.property(arb, (c) => {
      const layer = new Conv2D(c.groups * c.perGroupOut, c.kernel, { dilationRate: c.dilation, groups: c.groups, padding: c.padding, activation: 'tanh' });
      const span = [(c.kernel[0] - 1) * c.dilation[0] + 1, (c.kernel[1] - 1) * c.dilation[1] + 1];
      expectGradOk(layer, image([c.batch, span[0] + c.extra[0], span[1] + c.extra[1], c.groups * c.perGroupIn], c.seed), c.seed);
    }), { numRuns: RUNS });
  });

  it("takes Keras's padding names in any case, and refuses what Keras refuses, naming the layer", () => {
    expect(new Conv2D(2, 3, { padding: 'SAME' }).padding).toBe('same');
    expect(new Conv2D(2, 3, { padding: 'Valid' }).padding).toBe('valid');
    expect(() => new Conv2D(2, 3, { name: 'c1', padding: 'full' as 'same' })).toThrow(/c1: unknown padding 'full' \(expected 'valid' or 'same', in any case\)/);
    expect(() => new Conv2D(2, 3, { name: 'c2', strides: 2, dilationRate: 2 })).toThrow(ConfigError);
    expect(() => new Conv2D(3, 3, { name: 'c3', groups: 2 })).toThrow(/c3: filters \(3\) must be a multiple of groups \(2\)/);
    expect(() => new Conv2D(4, 3, { name: 'c4', groups: 2 }).apply(zeros([1, 5, 5, 3]))).toThrow(/c4: input \[1,5,5,3\] has 3 channels, which do not split into 2 groups/);
    expect(() => new Conv2D(4, 3, { name: 'c5', dilationRate: 3 }).apply(zeros([1, 6, 6, 1]))).toThrow(/c5: the 7x7 window does not fit in a 6x6 input/);
    expect(() => new Conv2D(4, 3, { name: 'c6', dilationRate: 0 })).toThrow(ValueError);
  });
});

describe('Conv2DTranspose', () => {
  const arb = fc.record({
    batch: small(1, 2), inC: small(1, 3), filters: small(1, 3), kernel: pairArb(1, 3), strides: pairArb(1, 3),
    padding: padArb, size: pairArb(1, 3), seed: seedArb,
  });

  it("is the adjoint of Conv2D: ⟨convT(y), x⟩ = ⟨y, conv(x)⟩, with Keras's output sizes", () => {
    fc.assert(fc.property(arb, (c) => {
      const layer = new Conv2DTranspose(c.filters, c.kernel, { strides: c.strides, padding: c.padding, useBias: false });
      const y = image([c.batch, ...c.size, c.inC], c.seed);
      const out = layer.apply(y);
      const grow = (n: number, k: number, s: number) => (c.padding === 'same' ? n * s : n * s + Math.max(k - s, 0));
      expect(out.shape).toEqual([c.batch, grow(c.size[0], c.kernel[0], c.strides[0]), grow(c.size[1], c.kernel[1], c.strides[1]), c.filters]);
      // A convolution with the same kernel [kh,kw,filters,inC] maps an output-sized x back to y's size.
      const x = image(out.shape as number[], c.seed + 1);
      const forward = naiveConv2d(x, layer.params.kernel, c.strides, c.padding);
      expect(forward.shape).toEqual(y.shape);
      const [lhs, rhs] = [dot(out.storage, x.storage), dot(forward.values, y.storage)];
      expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(rhs)));
    }), { numRuns: RUNS });
  });

  it('has a correct gradient for its input, kernel and bias', () => {
    fc.assert(fc.property(arb, (c) => {
      const layer = new Conv2DTranspose(c.filters, c.kernel, { strides: c.strides, padding: c.padding, activation: 'sigmoid' });
      expectGradOk(layer, image([c.batch, ...c.size, c.inC], c.seed), c.seed);
    }), { numRuns: RUNS });
  });

  it('has kernel [kh,kw,filters,channels] and refuses dilationRate, which its op lacks', () => {
    const layer = new Conv2DTranspose(5, [2, 3], { name: 'up' });
    layer.apply(zeros([1, 4, 4, 2]));
    expect(layer.weights.map((w) => [w.name, w.shape])).toEqual([['kernel', [2, 3, 5, 2]], ['bias', [5]]]);
    expect(() => new Conv2DTranspose(2, 3, { dilationRate: 2 } as object)).toThrow(/unknown option 'dilationRate'/);
  });
});

describe('DepthwiseConv2D and SeparableConv2D', () => {
  const arb = fc.record({
    batch: small(1, 2), channels: small(1, 3), multiplier: small(1, 2), filters: small(1, 3), kernel: pairArb(1, 3),
    strides: pairArb(1, 2), dilated: fc.boolean(), padding: padArb, extra: pairArb(0, 2), seed: seedArb,
  }).map((c) => ({ ...c, dilation: (c.dilated ? [2, 1] : [1, 1]) as [number, number], strides: (c.dilated ? [1, 1] : c.strides) as [number, number] }));
  const input = (c: { batch: number; channels: number; kernel: [number, number]; dilation: [number, number]; extra: [number, number]; seed: number }) =>
    image([c.batch, (c.kernel[0] - 1) * c.dilation[0] + 1 + c.extra[0], (c.kernel[1] - 1) * c.dilation[1] + 1 + c.extra[1], c.channels], c.seed);

  it('DepthwiseConv2D convolves each channel with its own filters: a block-diagonal full convolution', () => {
    fc.assert(fc.property(arb, (c) => {
      const layer = new DepthwiseConv2D(c.kernel, { depthMultiplier: c.multiplier, strides: c.strides, dilationRate: c.dilation, padding: c.padding, biasInitializer: 'randomNormal' });
      const x = input(c);
      const y = layer.apply(x);
      expect(layer.weights.map((w) => [w.name, w.shape])).toEqual([['depthwise_kernel', [...c.kernel, c.channels, c.multiplier]], ['bias', [c.channels * c.multiplier]]]);
      const ref = naiveConv2d(x, blockDiagonal(layer.params.depthwise_kernel), c.strides, c.padding, c.dilation);
      expect(y.shape).toEqual(ref.shape);
      close(y, withBias(ref.values, layer.params.bias));
      expectGradOk(new DepthwiseConv2D(c.kernel, { depthMultiplier: c.multiplier, strides: c.strides, dilationRate: c.dilation, padding: c.padding, activation: 'tanh' }), x, c.seed);
    }), { numRuns: RUNS });
  });

  it('SeparableConv2D is the depthwise convolution followed by a 1×1 convolution, plus bias', () => {
    fc.assert(fc.property(arb, (c) => {
      const layer = new SeparableConv2D(c.filters, c.kernel, { depthMultiplier: c.multiplier, strides: c.strides, dilationRate: c.dilation, padding: c.padding, biasInitializer: 'randomNormal' });
      const x = input(c);
      const y = layer.apply(x);
      expect(layer.weights.map((w) => [w.name, w.shape])).toEqual([
        ['depthwise_kernel', [...c.kernel, c.channels, c.multiplier]], ['pointwise_kernel', [1, 1, c.channels * c.multiplier, c.filters]], ['bias', [c.filters]],
      ]);
      const spatial = naiveConv2d(x, blockDiagonal(layer.params.depthwise_kernel), c.strides, c.padding, c.dilation);
      const ref = naiveConv2d(tensor(Float64Array.from(spatial.values), spatial.shape, 'float64'), layer.params.pointwise_kernel, [1, 1], 'valid');
      expect(y.shape).toEqual(ref.shape);
      close(y, withBias(ref.values, layer.params.bias));
      expectGradOk(new SeparableConv2D(c.filters, c.kernel, { depthMultiplier: c.multiplier, strides: c.strides, dilationRate: c.dilation, padding: c.padding, activation: 'softplus' }), x, c.seed);
    }), { numRuns: RUNS });
  });

  it("has Keras's defaults: depthMultiplier 1, strides 1, 'valid', bias on", () => {
    const layer = new DepthwiseConv2D(3);
    expect([layer.depthMultiplier, layer.strides, layer.padding, layer.dilationRate, layer.useBias]).toEqual([1, [1, 1], 'valid', [1, 1], true]);
    expect(new SeparableConv2D(4, 3, { padding: 'SAME' }).apply(zeros([2, 5, 5, 3])).shape).toEqual([2, 5, 5, 4]);
    expect(() => new DepthwiseConv2D(3, { name: 'dw', depthMultiplier: 0 })).toThrow(/dw: depthMultiplier must be a positive integer, got number 0/);
  });
});

describe('ZeroPadding2D, Cropping2D and UpSampling2D', () => {
  const edges = fc.tuple(fc.tuple(small(0, 2), small(0, 2)), fc.tuple(small(0, 2), small(0, 2)));
  const arb = fc.record({ batch: small(1, 2), h: small(1, 4), w: small(1, 4), c: small(1, 2), edges, seed: seedArb });
  const at = (x: Tensor, n: number, i: number, j: number, k: number) => x.storage[((n * x.shape[1] + i) * x.shape[2] + j) * x.shape[3] + k];

  it('ZeroPadding2D puts zeros around the image, and Cropping2D takes them off again', () => {
    fc.assert(fc.property(arb, ({ batch, h, w, c, edges: [[top, bottom], [left, right]], seed }) => {
      const x = image([batch, h, w, c], seed);
      const padded = new ZeroPadding2D([[top, bottom], [left, right]]).apply(x);
      expect(padded.shape).toEqual([batch, h + top + bottom, w + left + right, c]);
      for (let n = 0; n < batch; n++) {
        for (let i = 0; i < padded.shape[1]; i++) {
          for (let j = 0; j < padded.shape[2]; j++) {
            const inside = i >= top && i < top + h && j >= left && j < left + w;
            for (let k = 0; k < c; k++) expect(at(padded, n, i, j, k)).toBe(inside ? at(x, n, i - top, j - left, k) : 0);
          }
        }
      }
      close(new Cropping2D([[top, bottom], [left, right]]).apply(padded), x.storage, 0);
      expectGradOk(new ZeroPadding2D([[top, bottom], [left, right]]), x, seed);
      expectGradOk(new Cropping2D([[top, bottom], [left, right]]), padded, seed);
    }), { numRuns: RUNS });
  });

  it('UpSampling2D repeats every pixel size[0] × size[1] times', () => {
    fc.assert(fc.property(arb, pairArb(1, 3), ({ batch, h, w, c, seed }, size) => {
      const x = image([batch, h, w, c], seed);
      const y = new UpSampling2D(size).apply(x);
      expect(y.shape).toEqual([batch, h * size[0], w * size[1], c]);
      for (let n = 0; n < batch; n++) {
        for (let i = 0; i < y.shape[1]; i++) {
          for (let j = 0; j < y.shape[2]; j++) for (let k = 0; k < c; k++) expect(at(y, n, i, j, k)).toBe(at(x, n, Math.floor(i / size[0]), Math.floor(j / size[1]), k));
        }
      }
      expectGradOk(new UpSampling2D(size), x, seed);
    }), { numRuns: RUNS });
  });

  it("reads Keras's forms of the amounts and has Keras's defaults", () => {
    expect(new ZeroPadding2D().padding).toEqual([[1, 1], [1, 1]]);
    expect(new ZeroPadding2D([1, 2]).padding).toEqual([[1, 1], [2, 2]]);
    expect(new Cropping2D().cropping).toEqual([[0, 0], [0, 0]]);
    expect(new Cropping2D(2).cropping).toEqual([[2, 2], [2, 2]]);
    expect(new UpSampling2D().size).toEqual([2, 2]);
    expect(() => new ZeroPadding2D(-1, { name: 'zp' })).toThrow(/zp: padding must be an integer ≥ 0/);
    expect(() => new ZeroPadding2D([[1, 2], 3] as never, { name: 'zp2' })).toThrow(ValueError);
    expect(() => new Cropping2D([[2, 1], [0, 0]], { name: 'crop' }).apply(zeros([1, 3, 3, 1]))).toThrow(ShapeError);
    expect(() => new Cropping2D([[2, 1], [0, 0]], { name: 'crop2' }).apply(zeros([1, 3, 3, 1]))).toThrow(/crop2: cropping \[\[2,1\],\[0,0\]\] leaves nothing of input \[1,3,3,1\]/);
    expect(() => new UpSampling2D(2, { interpolation: 'bilinear' as 'nearest', name: 'up' })).toThrow(/up: interpolation must be one of 'nearest', got string "bilinear"/);
    expect(() => new UpSampling2D(2, { name: 'up2' }).apply(zeros([2, 3]))).toThrow(/up2: expected input of rank 4/);
  });
});
