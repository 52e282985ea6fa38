import fc from 'fast-check';
import {
  affine, avgPool2d, conv2d, conv2dTranspose, fold, matmul, maxPool2d, tensor, unfold,
} from '../../index.ts';
import { arbBroadcastShapes, arbConvConfig, arbDistinctTensor, arbPoolConfig, arbTensor } from '../../testing.ts';
import type { Conv2dOptions, Padding, Pool2dOptions, Tensor } from '../../index.ts';
import type { Reference, SpecTable } from './spec.ts';
import { apply } from '../../core/dispatch.ts';
import { at, atBroadcast, broadcastShape, forEachIndex, ravel } from './spec.ts';

type Pair = readonly [number, number];

/** Output positions and leading padding along one spatial axis; 'same' follows TF: ceil(size / stride), the smaller half before. */
function windowAxis(size: number, k: number, s: number, padding: Padding): { out: number; before: number } {
  if (padding === 'valid') return { out: Math.floor((size - k) / s) + 1, before: 0 };
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return { out, before: Math.floor(total / 2) };
}

/** The [row, col] window offsets and image pixels of the output position (oy, ox) that fall inside the image. */
function windowPixels(
  oy: number, ox: number, [kh, kw]: Pair, [sh, sw]: Pair, before: Pair, [height, width]: Pair, [dh, dw]: Pair = [1, 1],
): [number, number, number, number][] {
  const pixels: [number, number, number, number][] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const y = oy * sh + i * dh - before[0];
      const x = ox * sw + j * dw - before[1];
      if (y >= 0 && y < height && x >= 0 && x < width) pixels.push([i, j, y, x]);
    }
  }
  return pixels;
}

/**
 * Direct cross-correlation of x [N,H,W,inC] with kernel [kh,kw,inC/groups,outC], taps `dilations` apart; pixels
 * outside the image count as 0. Output channel co reads the input channels of its group, co / (outC / groups).
 */
export function naiveConv2d(x: Tensor, kernel: Tensor, strides: Pair, padding: Padding, dilations: Pair = [1, 1], groups = 1): Reference {
  const [batch, height, width] = x.shape;
  const [kh, kw, groupC, outC] = kernel.shape;
  const rows = windowAxis(height, (kh - 1) * dilations[0] + 1, strides[0], padding);
  const cols = windowAxis(width, (kw - 1) * dilations[1] + 1, strides[1], padding);
  const values: number[] = [];
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < rows.out; oy++) {
      for (let ox = 0; ox < cols.out; ox++) {
        const pixels = windowPixels(oy, ox, [kh, kw], strides, [rows.before, cols.before], [height, width], dilations);
        for (let co = 0; co < outC; co++) {
          const first = Math.floor(co / (outC / groups)) * groupC;
          let s = 0;
          for (const [i, j, y, xx] of pixels) {
            for (let ci = 0; ci < groupC; ci++) s += at(x, [n, y, xx, first + ci]) * at(kernel, [i, j, ci, co]);
          }
          values.push(s);
        }
      }
    }
  }
  return { shape: [batch, rows.out, cols.out, outC], values };
}

/**
 * Transposed convolution by its definition: input pixel (i, j) adds x·kernel[a, b, co, :] to output pixel
 * (i·sh + a - before, j·sw + b - before), with Keras's output sizes.
 */
function naiveConv2dTranspose(x: Tensor, kernel: Tensor, [sh, sw]: Pair, padding: Padding): Reference {
  const [batch, height, width, inC] = x.shape;
  const [kh, kw, outC] = kernel.shape;
  const size = (n: number, k: number, s: number) => (padding === 'same' ? n * s : n * s + Math.max(k - s, 0));
  const lead = (k: number, s: number) => (padding === 'same' ? Math.floor(Math.max(k - s, 0) / 2) : 0);
  const shape = [batch, size(height, kh, sh), size(width, kw, sw), outC];
  const values = new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0);
  forEachIndex([batch, height, width, kh, kw, outC], ([n, i, j, a, b, co]) => {
    const y = i * sh + a - lead(kh, sh);
    const xx = j * sw + b - lead(kw, sw);
    if (y < 0 || y >= shape[1] || xx < 0 || xx >= shape[2]) return;
    let s = 0;
    for (let ci = 0; ci < inC; ci++) s += at(x, [n, i, j, ci]) * at(kernel, [a, b, co, ci]);
    values[((n * shape[1] + y) * shape[2] + xx) * outC + co] += s;
  });
  return { shape, values };
}

/** Reduces the real pixels of every window of x [N,H,W,C]; padded positions are never part of a window. */
function naivePool2d(x: Tensor, poolSize: Pair, strides: Pair, padding: Padding, reduce: (window: number[]) => number): Reference {
  const [batch, height, width, channels] = x.shape;
  const rows = windowAxis(height, poolSize[0], strides[0], padding);
  const cols = windowAxis(width, poolSize[1], strides[1], padding);
  const values: number[] = [];
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < rows.out; oy++) {
      for (let ox = 0; ox < cols.out; ox++) {
        const pixels = windowPixels(oy, ox, poolSize, strides, [rows.before, cols.before], [height, width]);
        for (let c = 0; c < channels; c++) values.push(reduce(pixels.map(([, , y, xx]) => at(x, [n, y, xx, c]))));
      }
    }
  }
  return { shape: [batch, rows.out, cols.out, channels], values };
}

export function naiveMaxPool2d(x: Tensor, poolSize: Pair, strides: Pair, padding: Padding): Reference {
  return naivePool2d(x, poolSize, strides, padding, (window) => Math.max(...window));
}

/** The mean over the real pixels only, as TF and Keras do. */
export function naiveAvgPool2d(x: Tensor, poolSize: Pair, strides: Pair, padding: Padding): Reference {
  return naivePool2d(x, poolSize, strides, padding, (window) => window.reduce((a, b) => a + b, 0) / window.length);
}

/** NumPy matmul: batch axes broadcast, a 1-D left operand is a row and a 1-D right one a column, dropped from the result. */
function naiveMatmul(a: Tensor, b: Tensor): Reference {
  const k = a.shape[a.rank - 1];
  const m = a.rank === 1 ? 1 : a.shape[a.rank - 2];
  const n = b.rank === 1 ? 1 : b.shape[b.rank - 1];
  const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const values: number[] = [];
  forEachIndex(batch, (index) => {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const u = a.rank === 1 ? a.storage[p] : atBroadcast(a, [...index, i, p]);
          const v = b.rank === 1 ? b.storage[p] : atBroadcast(b, [...index, p, j]);
          s += u * v;
        }
        values.push(s);
      }
    }
  });
  return { shape: [...batch, ...(a.rank === 1 ? [] : [m]), ...(b.rank === 1 ? [] : [n])], values };
}

/** activation(x·w + bias) with x's leading axes as rows, by plain loops. */
function naiveAffine(x: Tensor, w: Tensor, bias: Tensor, relu: boolean): Reference {
  const [k, n] = w.shape;
  const rows = x.size / k;
  const values: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += x.storage[r * k + p] * w.storage[p * n + j];
      s += bias.storage[j];
      values.push(relu ? Math.max(s, 0) : s);
    }
  }
  return { shape: [...x.shape.slice(0, -1), n], values };
}

/** Pre-activations at least 0.05 from relu's kink, where central differences would straddle it. */
function awayFromKink(z: Reference): boolean {
  return Array.from(z.values).every((v) => Math.abs(v) >= 0.05);
}

/** activation(conv + bias) of an unpadded image by plain loops, for the convAffine primitive. */
function naiveConvAffine(x: Tensor, kernel: Tensor, bias: Tensor, strides: Pair, dilations: Pair, relu: boolean): Reference {
  const z = naiveConv2d(x, kernel, strides, 'valid', dilations);
  const f = bias.size;
  const values = Array.from(z.values, (v, i) => v + bias.storage[i % f]).map((v) => (relu ? Math.max(v, 0) : v));
  return { shape: z.shape, values };
}

/** y[n,oh,ow,i,j,c] = x[n, oh·sh + i·dh, ow·sw + j·dw, c]. */
function naiveUnfold(x: Tensor, [kh, kw]: Pair, [sh, sw]: Pair, [dh, dw]: Pair): Reference {
  const [batch, height, width, channels] = x.shape;
  const shape = [batch, Math.floor((height - (kh - 1) * dh - 1) / sh) + 1, Math.floor((width - (kw - 1) * dw - 1) / sw) + 1, kh, kw, channels];
  const values: number[] = [];
  forEachIndex(shape, ([n, oh, ow, i, j, c]) => values.push(at(x, [n, oh * sh + i * dh, ow * sw + j * dw, c])));
  return { shape, values };
}

/**
 * y[n,y,x,c] = Σ term(n, oh, ow, i, j, c) over every window position (oh, ow) of an outH×outW grid and tap (i, j)
 * of a kh×kw window that lands on (y, x): oh·sh + i·dh = y and ow·sw + j·dw = x. The sum a fold makes.
 */
function naiveFoldOf(
  [batch, height, width, channels]: number[], [outH, outW, kh, kw]: number[], [sh, sw]: Pair, [dh, dw]: Pair,
  term: (n: number, oh: number, ow: number, i: number, j: number, c: number) => number,
): Reference {
  const shape = [batch, height, width, channels];
  const values: number[] = [];
  forEachIndex(shape, ([n, y, x, c]) => {
    let s = 0;
    for (let oh = 0; oh < outH; oh++) {
      for (let i = 0; i < kh; i++) {
        if (oh * sh + i * dh !== y) continue;
        for (let ow = 0; ow < outW; ow++) {
          for (let j = 0; j < kw; j++) {
            if (ow * sw + j * dw === x) s += term(n, oh, ow, i, j, c);
          }
        }
      }
    }
    values.push(s);
  });
  return { shape, values };
}

/** y[n,y,x,c] = Σ cols[n,oh,ow,i,j,c] over every window position and tap with oh·sh + i·dh = y and ow·sw + j·dw = x. */
function naiveFold(cols: Tensor, height: number, width: number, strides: Pair, dilations: Pair): Reference {
  const [batch, outH, outW, kh, kw, channels] = cols.shape;
  return naiveFoldOf([batch, height, width, channels], [outH, outW, kh, kw], strides, dilations,
    (n, oh, ow, i, j, c) => at(cols, [n, oh, ow, i, j, c]));
}

/** y[n,y,x,c] = Σ x[n,oh,ow,f]·kernel[i,j,c,f] over the window positions and taps with oh·sh + i·dh = y and ow·sw + j·dw = x. */
function naiveConvTranspose(x: Tensor, kernel: Tensor, height: number, width: number, strides: Pair, dilations: Pair): Reference {
  const [batch, outH, outW, filters] = x.shape;
  const [kh, kw, channels] = kernel.shape;
  return naiveFoldOf([batch, height, width, channels], [outH, outW, kh, kw], strides, dilations, (n, oh, ow, i, j, c) => {
    let s = 0;
    for (let f = 0; f < filters; f++) s += at(x, [n, oh, ow, f]) * at(kernel, [i, j, c, f]);
    return s;
  });
}

/** y[i,j,c,f] = Σ x[n, oh·sh + i·dh, ow·sw + j·dw, c]·g[n,oh,ow,f] over the images and window positions. */
function naiveConvFilterGrad(x: Tensor, g: Tensor, [kh, kw]: Pair, [sh, sw]: Pair, [dh, dw]: Pair): Reference {
  const [batch, outH, outW, filters] = g.shape;
  const shape = [kh, kw, x.shape[3], filters];
  const values: number[] = [];
  forEachIndex(shape, ([i, j, c, f]) => {
    let s = 0;
    forEachIndex([batch, outH, outW], ([n, oh, ow]) => {
      s += at(x, [n, oh * sh + i * dh, ow * sw + j * dw, c]) * at(g, [n, oh, ow, f]);
    });
    values.push(s);
  });
  return { shape, values };
}

/** convAffineGrad's value: [the kernel gradient of gz; gz summed over its rows], gz = g where 0 < y (relu) or g. */
function naiveConvAffineGrad(x: Tensor, g: Tensor, y: Tensor, kernel: Pair, strides: Pair, dilations: Pair, relu: boolean): Reference {
  const gz = relu ? tensor(Array.from(g.storage, (v, i) => (0 < y.storage[i] ? v : 0)), g.shape, 'float64') : g;
  const { shape, values } = naiveConvFilterGrad(x, gz, kernel, strides, dilations);
  const filters = g.shape[3];
  const bias = new Array<number>(filters).fill(0);
  gz.storage.forEach((v, i) => (bias[i % filters] += v));
  return { shape: [shape[0] * shape[1] * shape[2] + 1, filters], values: [...Array.from(values), ...bias] };
}

/** sumPool's value: the sum of each 'valid' window. */
function naiveSumPool(x: Tensor, [kh, kw]: Pair, [sh, sw]: Pair): Reference {
  const [n, h, w, c] = x.shape;
  const shape = [n, Math.floor((h - kh) / sh) + 1, Math.floor((w - kw) / sw) + 1, c];
  const values: number[] = [];
  forEachIndex(shape, ([b, oh, ow, k]) => {
    let s = 0;
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) s += at(x, [b, oh * sh + i, ow * sw + j, k]);
    values.push(s);
  });
  return { shape, values };
}

/** maxPoolGrad's value for tiling windows: each window's g over its elements equal to its max, split by their count. */
function naiveMaxPoolGrad(x: Tensor, g: Tensor, [kh, kw]: Pair): Reference {
  const values = new Array<number>(x.size).fill(0);
  forEachIndex(g.shape, ([n, oh, ow, c]) => {
    const taps: number[] = [];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) taps.push(ravel([n, oh * kh + i, ow * kw + j, c], x.shape));
    const top = Math.max(...taps.map((t) => x.storage[t]));
    const hits = taps.filter((t) => x.storage[t] === top);
    for (const t of hits) values[t] = at(g, [n, oh, ow, c]) / hits.length;
  });
  return { shape: [...x.shape], values };
}

const dim = (max: number) => fc.integer({ min: 1, max });
const pairOf = (max: number) => fc.tuple(dim(max), dim(max));

/**
 * Batch, channels, a window, strides and dilations (null: the default) and how many pixels the image has beyond
 * the window's extent.
 */
const windowSetup = fc.record({
  batch: dim(2),
  channels: dim(2),
  kernel: pairOf(3),
  strides: fc.option(pairOf(3)),
  dilations: fc.option(pairOf(2)),
  extra: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
}).map((w) => ({ ...w, extent: [(w.kernel[0] - 1) * (w.dilations?.[0] ?? 1) + 1, (w.kernel[1] - 1) * (w.dilations?.[1] ?? 1) + 1] as const }));

/** The optional window arguments as a caller could pass them: left out while they are defaults. */
function windowArgs(strides: Pair | null, dilations: Pair | null): [Pair?, Pair?] {
  if (dilations !== null) return [strides ?? [1, 1], dilations];
  return strides === null ? [] : [strides];
}

/** The options as a caller could write them: the shorthand uses a number for an equal pair and leaves defaults out. */
function convOptions(strides: Pair, padding: Padding, shorthand: boolean, dilations: Pair = [1, 1], groups = 1): Conv2dOptions | undefined {
  if (!shorthand) return { strides, padding, dilations, groups };
  const options: Conv2dOptions = {};
  const short = (p: Pair) => (p[0] === p[1] ? p[0] : p);
  if (strides[0] !== 1 || strides[1] !== 1) options.strides = short(strides);
  if (padding !== 'valid') options.padding = padding;
  if (dilations[0] !== 1 || dilations[1] !== 1) options.dilations = short(dilations);
  if (groups !== 1) options.groups = groups;
  return Object.keys(options).length === 0 ? undefined : options;
}

/** conv2d cases beyond arbConvConfig: dilated taps and channel groups, 'valid' images always large enough. */
const dilatedGroupedConv = fc.record({
  batch: dim(2),
  groups: dim(3),
  inPerGroup: dim(2),
  outPerGroup: dim(2),
  kernel: pairOf(3),
  strides: pairOf(2),
  dilations: pairOf(3),
  padding: fc.constantFrom<Padding>('valid', 'same'),
  extra: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
});

function poolOptions(poolSize: Pair, strides: Pair, padding: Padding, shorthand: boolean): Pool2dOptions {
  if (!shorthand) return { poolSize, strides, padding };
  const options: Pool2dOptions = { poolSize: poolSize[0] === poolSize[1] ? poolSize[0] : poolSize };
  if (strides[0] !== poolSize[0] || strides[1] !== poolSize[1]) options.strides = strides[0] === strides[1] ? strides[0] : strides;
  if (padding !== 'valid') options.padding = padding;
  return options;
}

function poolCases(
  pool: (x: Tensor, options: Pool2dOptions) => Tensor,
  reference: (x: Tensor, poolSize: Pair, strides: Pair, padding: Padding) => Reference,
  values: (shape: number[]) => fc.Arbitrary<Tensor>,
) {
  return arbPoolConfig().chain((cfg) =>
    fc.tuple(values([cfg.batch, cfg.height, cfg.width, cfg.channels]), fc.boolean()).map(([x, shorthand]) => {
      const options = poolOptions(cfg.poolSize, cfg.strides, cfg.padding, shorthand);
      return {
        inputs: [x],
        run: (a: Tensor) => pool(a, options),
        reference: (a: Tensor) => reference(a, cfg.poolSize, cfg.strides, cfg.padding),
        label: `options ${JSON.stringify(options)}`,
      };
    }));
}

export const windowLinalgSpecs = {
  matmul: {
    cases: fc.record({
      // The second kind has no size-1 batch dims of its own, so a 1 there always broadcasts against a larger dim.
      batches: fc.oneof(arbBroadcastShapes({ maxRank: 3, maxDim: 3 }), arbBroadcastShapes({ minRank: 1, maxRank: 3, minDim: 2, maxDim: 3 })),
      m: dim(4),
      k: dim(4),
      n: dim(4),
      vectors: fc.oneof(
        { arbitrary: fc.constant('none' as const), weight: 4 },
        { arbitrary: fc.constantFrom('left' as const, 'right' as const, 'both' as const), weight: 3 },
      ),
    }).chain(({ batches: [batchA, batchB], m, k, n, vectors }) =>
      fc.tuple(
        arbTensor(vectors === 'left' || vectors === 'both' ? [k] : [...batchA, m, k]),
        arbTensor(vectors === 'right' || vectors === 'both' ? [k] : [...batchB, k, n]),
      )).map(([x, y]) => ({
      inputs: [x, y],
      run: (a, b) => matmul(a, b),
      reference: (a, b) => naiveMatmul(a, b),
    })),
    gradient: 'checked',
    secondOrder: true,
  },
  affine: {
    cases: fc.record({
      lead: fc.array(dim(3), { minLength: 0, maxLength: 2 }),
      k: dim(4),
      n: dim(4),
      activation: fc.constantFrom('linear' as const, 'relu' as const),
    }).chain(({ lead, k, n, activation }) =>
      fc.tuple(arbTensor([...lead, k]), arbTensor([k, n]), arbTensor([n]))
        .filter(([x, w, b]) => activation === 'linear' || awayFromKink(naiveAffine(x, w, b, false)))
        .map(([x, w, b]) => ({
          inputs: [x, w, b],
          run: (a: Tensor, v: Tensor, c: Tensor) => affine(a, v, c, { activation }),
          reference: (a: Tensor, v: Tensor, c: Tensor) => naiveAffine(a, v, c, activation === 'relu'),
          label: `activation ${activation}`,
        }))),
    gradient: 'checked',
    secondOrder: true,
  },
  // The primitive alone (conv2dAffine, which Conv2D uses, has no export of its own): one- and two-channel images.
  convAffine: {
    cases: windowSetup.chain(({ batch, kernel, strides, dilations, extent, extra }) => fc.record({
      channels: fc.integer({ min: 1, max: 2 }),
      filters: dim(3),
      activation: fc.constantFrom('linear' as const, 'relu' as const),
    }).chain(({ channels, filters, activation }) => {
      const step: Pair = strides ?? [1, 1];
      const spacing: Pair = dilations ?? [1, 1];
      return fc.tuple(
        arbTensor([batch, extent[0] + extra[0], extent[1] + extra[1], channels]), arbTensor([kernel[0], kernel[1], channels, filters]), arbTensor([filters]),
      ).filter(([x, k, b]) => activation === 'linear' || awayFromKink(naiveConvAffine(x, k, b, step, spacing, false)))
        .map(([x, k, b]) => ({
          inputs: [x, k, b],
          run: (a: Tensor, v: Tensor, c: Tensor) => apply('convAffine', [a, v, c], { strides: step, dilations: spacing, activation }),
          reference: (a: Tensor, v: Tensor, c: Tensor) => naiveConvAffine(a, v, c, step, spacing, activation === 'relu'),
          label: `kernel ${kernel.join('x')} strides ${step.join('x')} dilations ${spacing.join('x')} ${activation}`,
        }));
    })),
    gradient: 'checked',
    secondOrder: true,
  },
  // The primitive alone (convAffine's kernel gradient): the patches of x, transposed, times g.
  convFilterGrad: {
    cases: windowSetup.chain(({ batch, channels, kernel, strides, dilations, extent, extra }) => {
      const step: Pair = strides ?? [1, 1];
      const spacing: Pair = dilations ?? [1, 1];
      const image = [batch, extent[0] + extra[0], extent[1] + extra[1], channels];
      const pixels = [batch, Math.floor(extra[0] / step[0]) + 1, Math.floor(extra[1] / step[1]) + 1];
      return dim(3).chain((filters) => fc.tuple(arbTensor(image), arbTensor([...pixels, filters]))).map(([x, g]) => ({
        inputs: [x, g],
        run: (a: Tensor, v: Tensor) => apply('convFilterGrad', [a, v], { kernel, strides: step, dilations: spacing }),
        reference: (a: Tensor, v: Tensor) => naiveConvFilterGrad(a, v, kernel, step, spacing),
        label: `kernel ${kernel.join('x')} strides ${step.join('x')} dilations ${spacing.join('x')}`,
      }));
    }),
    gradient: 'checked',
    secondOrder: true,
  },
  // The primitive alone (convAffine's kernel and bias gradients): y, the convolution's output, is fixed (its mask has
  // no gradient); x and g are checked.
  convAffineGrad: {
    cases: windowSetup.chain(({ batch, channels, kernel, strides, dilations, extent, extra }) => {
      const step: Pair = strides ?? [1, 1];
      const spacing: Pair = dilations ?? [1, 1];
      const image = [batch, extent[0] + extra[0], extent[1] + extra[1], channels];
      const pixels = [batch, Math.floor(extra[0] / step[0]) + 1, Math.floor(extra[1] / step[1]) + 1];
      const setup = fc.record({ filters: dim(3), activation: fc.constantFrom('linear' as const, 'relu' as const) });
      // y only masks: its values moved half a unit off 0, so no subnormal rounds to 0 in float32 (the mask's kink).
      const arbY = (shape: number[]) => arbTensor(shape).map((t) => tensor(Array.from(t.storage, (v) => v + (v > 0 ? 0.5 : -0.5)), t.shape, 'float64'));
      return setup.chain(({ filters, activation }) => fc.tuple(arbTensor(image), arbTensor([...pixels, filters]), arbY([...pixels, filters])).map(([x, g, y]) => ({
        inputs: [x, g],
        run: (a: Tensor, v: Tensor) => apply('convAffineGrad', [a, v, y.cast(v.dtype)], { kernel, strides: step, dilations: spacing, activation }),
        reference: (a: Tensor, v: Tensor) => naiveConvAffineGrad(a, v, y, kernel, step, spacing, activation === 'relu'),
        label: `kernel ${kernel.join('x')} strides ${step.join('x')} dilations ${spacing.join('x')} ${activation}`,
      })));
    }),
    gradient: 'checked',
    secondOrder: true,
  },
  // The primitive alone (convAffine's input gradient): pixels [N,OH,OW,F] times the kernel, folded.
  convTranspose: {
    cases: windowSetup.chain(({ batch, channels, kernel, strides, dilations, extent, extra }) => {
      const step: Pair = strides ?? [1, 1];
      const spacing: Pair = dilations ?? [1, 1];
      const height = extent[0] + extra[0];
      const width = extent[1] + extra[1];
      const pixels = [batch, Math.floor(extra[0] / step[0]) + 1, Math.floor(extra[1] / step[1]) + 1];
      return dim(3).chain((filters) => fc.tuple(arbTensor([...pixels, filters]), arbTensor([kernel[0], kernel[1], channels, filters]))).map(([x, k]) => ({
        inputs: [x, k],
        run: (a: Tensor, v: Tensor) => apply('convTranspose', [a, v], { strides: step, dilations: spacing, height, width }),
        reference: (a: Tensor, v: Tensor) => naiveConvTranspose(a, v, height, width, step, spacing),
        label: `image ${height}x${width} kernel ${kernel.join('x')} strides ${step.join('x')} dilations ${spacing.join('x')}`,
      }));
    }),
    gradient: 'checked',
    secondOrder: true,
  },
  unfold: {
    cases: windowSetup.chain(({ batch, channels, kernel, strides, dilations, extent, extra }) =>
      arbTensor([batch, extent[0] + extra[0], extent[1] + extra[1], channels]).map((x) => ({
        inputs: [x],
        run: (a: Tensor) => unfold(a, kernel, ...windowArgs(strides, dilations)),
        reference: (a: Tensor) => naiveUnfold(a, kernel, strides ?? [1, 1], dilations ?? [1, 1]),
        label: `kernel ${kernel.join('x')} strides ${strides?.join('x') ?? 'default'} dilations ${dilations?.join('x') ?? 'default'}`,
      }))),
    gradient: 'checked',
    secondOrder: true,
  },
  fold: {
    cases: windowSetup.chain(({ batch, channels, kernel, strides, dilations, extent, extra }) => {
      const [sh, sw] = strides ?? [1, 1];
      const height = extent[0] + extra[0];
      const width = extent[1] + extra[1];
      const shape = [batch, Math.floor(extra[0] / sh) + 1, Math.floor(extra[1] / sw) + 1, kernel[0], kernel[1], channels];
      return arbTensor(shape).map((x) => ({
        inputs: [x],
        run: (a: Tensor) => fold(a, height, width, ...windowArgs(strides, dilations)),
        reference: (a: Tensor) => naiveFold(a, height, width, [sh, sw], dilations ?? [1, 1]),
        label: `image ${height}x${width} strides ${strides?.join('x') ?? 'default'} dilations ${dilations?.join('x') ?? 'default'}`,
      }));
    }),
    gradient: 'checked',
    secondOrder: true,
  },
  conv2d: {
    cases: fc.oneof(
      arbConvConfig().map((cfg) => ({ ...cfg, dilations: [1, 1] as Pair, groups: 1 })),
      dilatedGroupedConv.map(({ inPerGroup, outPerGroup, extra, ...c }) => ({
        ...c,
        inChannels: inPerGroup * c.groups,
        outChannels: outPerGroup * c.groups,
        height: (c.kernel[0] - 1) * c.dilations[0] + 1 + extra[0],
        width: (c.kernel[1] - 1) * c.dilations[1] + 1 + extra[1],
      })),
    ).chain((cfg) =>
      fc.tuple(
        arbTensor([cfg.batch, cfg.height, cfg.width, cfg.inChannels]),
        arbTensor([cfg.kernel[0], cfg.kernel[1], cfg.inChannels / cfg.groups, cfg.outChannels]),
        fc.boolean(),
      ).map(([x, kernel, shorthand]) => {
        const options = convOptions(cfg.strides, cfg.padding, shorthand, cfg.dilations, cfg.groups);
        return {
          inputs: [x, kernel],
          run: (a: Tensor, b: Tensor) => (options === undefined ? conv2d(a, b) : conv2d(a, b, options)),
          reference: (a: Tensor, b: Tensor) => naiveConv2d(a, b, cfg.strides, cfg.padding, cfg.dilations, cfg.groups),
          label: `options ${JSON.stringify(options ?? 'default')}`,
        };
      })),
    gradient: 'checked',
    secondOrder: true,
  },
  conv2dTranspose: {
    cases: fc.record({
      batch: dim(2), height: dim(3), width: dim(3), inChannels: dim(3), outChannels: dim(3),
      kernel: pairOf(3), strides: pairOf(3), padding: fc.option(fc.constantFrom<Padding>('valid', 'same')),
    }).chain((cfg) => fc.tuple(
      arbTensor([cfg.batch, cfg.height, cfg.width, cfg.inChannels]),
      arbTensor([cfg.kernel[0], cfg.kernel[1], cfg.outChannels, cfg.inChannels]),
    ).map(([x, kernel]) => ({
      inputs: [x, kernel],
      run: (a: Tensor, b: Tensor) => conv2dTranspose(a, b, cfg.padding === null ? { strides: cfg.strides } : { strides: cfg.strides, padding: cfg.padding }),
      reference: (a: Tensor, b: Tensor) => naiveConv2dTranspose(a, b, cfg.strides, cfg.padding ?? 'valid'),
      label: `strides ${cfg.strides.join('x')} padding ${cfg.padding ?? 'default'}`,
    }))),
    gradient: 'checked',
    secondOrder: true,
  },
  // The primitive alone: 'valid' windows, rows and columns past the last whole window left out.
  maxPool: {
    cases: windowSetup.chain(({ batch, channels, kernel, strides, extra }) => {
      const step: Pair = strides ?? kernel;
      return arbDistinctTensor([batch, kernel[0] + extra[0], kernel[1] + extra[1], channels]).map((x) => ({
        inputs: [x],
        run: (a: Tensor) => apply('maxPool', [a], { kernel, strides: step }),
        reference: (a: Tensor) => naiveMaxPool2d(a, kernel, step, 'valid'),
        label: `kernel ${kernel.join('x')} strides ${step.join('x')}`,
      }));
    }),
    gradient: 'checked',
    secondOrder: true,
  },
  // The primitive alone: 'valid' windows, rows and columns past the last whole window left out.
  sumPool: {
    cases: windowSetup.chain(({ batch, channels, kernel, strides, extra }) => {
      const step: Pair = strides ?? kernel;
      return arbTensor([batch, kernel[0] + extra[0], kernel[1] + extra[1], channels]).map((x) => ({
        inputs: [x],
        run: (a: Tensor) => apply('sumPool', [a], { kernel, strides: step }),
        reference: (a: Tensor) => naiveSumPool(a, kernel, step),
        label: `kernel ${kernel.join('x')} strides ${step.join('x')}`,
      }));
    }),
    gradient: 'checked',
    secondOrder: true,
  },
  // The primitive alone (maxPool's rule for tiling windows): x of small integers, so windows tie, fixed with its max;
  // g is the one input. Reference: g over each window where x is its max, split by the hits; 0 past the last window.
  maxPoolGrad: {
    cases: windowSetup.chain(({ batch, channels, kernel, extra }) => {
      const shape = [batch, kernel[0] + extra[0], kernel[1] + extra[1], channels];
      const pooled = [batch, Math.floor(shape[1] / kernel[0]), Math.floor(shape[2] / kernel[1]), channels];
      const size = shape.reduce((a, b) => a * b, 1);
      return fc.tuple(fc.array(fc.integer({ min: -2, max: 2 }), { minLength: size, maxLength: size }), arbTensor(pooled)).map(([v, g]) => {
        const x = tensor(v, shape, 'float64');
        const params = { kernel, strides: kernel };
        return {
          inputs: [g],
          run: (a: Tensor) => {
            const xa = x.cast(a.dtype);
            return apply('maxPoolGrad', [xa, apply('maxPool', [xa], params), a], params);
          },
          reference: (a: Tensor) => naiveMaxPoolGrad(x, a, kernel),
          label: `kernel ${kernel.join('x')} x ${JSON.stringify(v)}`,
        };
      });
    }),
    gradient: 'checked',
    secondOrder: true,
  },
  maxPool2d: {
    cases: poolCases(maxPool2d, naiveMaxPool2d, (shape) => arbDistinctTensor(shape)),
    gradient: 'checked',
    secondOrder: true,
  },
  avgPool2d: {
    cases: poolCases(avgPool2d, naiveAvgPool2d, (shape) => arbTensor(shape)),
    gradient: 'checked',
    secondOrder: true,
  },
} satisfies Partial<SpecTable>;
