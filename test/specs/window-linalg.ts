import fc from 'fast-check';
import {
  avgPool2d, conv2d, fold, matmul, maxPool2d, unfold,
} from '../../index.ts';
import { arbBroadcastShapes, arbConvConfig, arbDistinctTensor, arbPoolConfig, arbTensor } from '../../testing.ts';
import type { Conv2dOptions, Padding, Pool2dOptions, Tensor } from '../../index.ts';
import type { Reference, SpecTable } from './spec.ts';
import { at, atBroadcast, broadcastShape, forEachIndex } from './spec.ts';

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
  oy: number, ox: number, [kh, kw]: Pair, [sh, sw]: Pair, before: Pair, [height, width]: Pair,
): [number, number, number, number][] {
  const pixels: [number, number, number, number][] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const y = oy * sh + i - before[0];
      const x = ox * sw + j - before[1];
      if (y >= 0 && y < height && x >= 0 && x < width) pixels.push([i, j, y, x]);
    }
  }
  return pixels;
}

/** Direct cross-correlation of x [N,H,W,inC] with kernel [kh,kw,inC,outC]; pixels outside the image count as 0. */
export function naiveConv2d(x: Tensor, kernel: Tensor, strides: Pair, padding: Padding): Reference {
  const [batch, height, width, inC] = x.shape;
  const [kh, kw, , outC] = kernel.shape;
  const rows = windowAxis(height, kh, strides[0], padding);
  const cols = windowAxis(width, kw, strides[1], padding);
  const values: number[] = [];
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < rows.out; oy++) {
      for (let ox = 0; ox < cols.out; ox++) {
        const pixels = windowPixels(oy, ox, [kh, kw], strides, [rows.before, cols.before], [height, width]);
        for (let co = 0; co < outC; co++) {
          let s = 0;
          for (const [i, j, y, xx] of pixels) {
            for (let ci = 0; ci < inC; ci++) s += at(x, [n, y, xx, ci]) * at(kernel, [i, j, ci, co]);
          }
          values.push(s);
        }
      }
    }
  }
  return { shape: [batch, rows.out, cols.out, outC], values };
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

/** y[n,oh,ow,i,j,c] = x[n, oh·sh + i, ow·sw + j, c]. */
function naiveUnfold(x: Tensor, [kh, kw]: Pair, [sh, sw]: Pair): Reference {
  const [batch, height, width, channels] = x.shape;
  const shape = [batch, Math.floor((height - kh) / sh) + 1, Math.floor((width - kw) / sw) + 1, kh, kw, channels];
  const values: number[] = [];
  forEachIndex(shape, ([n, oh, ow, i, j, c]) => values.push(at(x, [n, oh * sh + i, ow * sw + j, c])));
  return { shape, values };
}

/** y[n,y,x,c] = Σ cols[n,oh,ow,i,j,c] over every window position and offset with oh·sh + i = y and ow·sw + j = x. */
function naiveFold(cols: Tensor, height: number, width: number, [sh, sw]: Pair): Reference {
  const [batch, outH, outW, kh, kw, channels] = cols.shape;
  const shape = [batch, height, width, channels];
  const values: number[] = [];
  forEachIndex(shape, ([n, y, x, c]) => {
    let s = 0;
    for (let oh = 0; oh < outH; oh++) {
      for (let i = 0; i < kh; i++) {
        if (oh * sh + i !== y) continue;
        for (let ow = 0; ow < outW; ow++) {
          for (let j = 0; j < kw; j++) {
            if (ow * sw + j === x) s += at(cols, [n, oh, ow, i, j, c]);
          }
        }
      }
    }
    values.push(s);
  });
  return { shape, values };
}

const dim = (max: number) => fc.integer({ min: 1, max });
const pairOf = (max: number) => fc.tuple(dim(max), dim(max));

/** Batch, channels, a window, strides (null: the default) and how many pixels the image has beyond the window. */
const windowSetup = fc.record({
  batch: dim(2),
  channels: dim(2),
  kernel: pairOf(3),
  strides: fc.option(pairOf(3)),
  extra: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
});

/** The options as a caller could write them: the shorthand uses a number for an equal pair and leaves defaults out. */
function convOptions(strides: Pair, padding: Padding, shorthand: boolean): Conv2dOptions | undefined {
  if (!shorthand) return { strides, padding };
  const options: Conv2dOptions = {};
  if (strides[0] !== 1 || strides[1] !== 1) options.strides = strides[0] === strides[1] ? strides[0] : strides;
  if (padding !== 'valid') options.padding = padding;
  return Object.keys(options).length === 0 ? undefined : options;
}

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
  unfold: {
    cases: windowSetup.chain(({ batch, channels, kernel, strides, extra }) =>
      arbTensor([batch, kernel[0] + extra[0], kernel[1] + extra[1], channels]).map((x) => ({
        inputs: [x],
        run: (a: Tensor) => (strides === null ? unfold(a, kernel) : unfold(a, kernel, strides)),
        reference: (a: Tensor) => naiveUnfold(a, kernel, strides ?? [1, 1]),
        label: `kernel ${kernel.join('x')} strides ${strides === null ? 'default' : strides.join('x')}`,
      }))),
    gradient: 'checked',
    secondOrder: true,
  },
  fold: {
    cases: windowSetup.chain(({ batch, channels, kernel, strides, extra }) => {
      const [sh, sw] = strides ?? [1, 1];
      const height = kernel[0] + extra[0];
      const width = kernel[1] + extra[1];
      const shape = [batch, Math.floor(extra[0] / sh) + 1, Math.floor(extra[1] / sw) + 1, kernel[0], kernel[1], channels];
      return arbTensor(shape).map((x) => ({
        inputs: [x],
        run: (a: Tensor) => (strides === null ? fold(a, height, width) : fold(a, height, width, strides)),
        reference: (a: Tensor) => naiveFold(a, height, width, [sh, sw]),
        label: `image ${height}x${width} strides ${strides === null ? 'default' : strides.join('x')}`,
      }));
    }),
    gradient: 'checked',
    secondOrder: true,
  },
  conv2d: {
    cases: arbConvConfig().chain((cfg) =>
      fc.tuple(
        arbTensor([cfg.batch, cfg.height, cfg.width, cfg.inChannels]),
        arbTensor([cfg.kernel[0], cfg.kernel[1], cfg.inChannels, cfg.outChannels]),
        fc.boolean(),
      ).map(([x, kernel, shorthand]) => {
        const options = convOptions(cfg.strides, cfg.padding, shorthand);
        return {
          inputs: [x, kernel],
          run: (a: Tensor, b: Tensor) => (options === undefined ? conv2d(a, b) : conv2d(a, b, options)),
          reference: (a: Tensor, b: Tensor) => naiveConv2d(a, b, cfg.strides, cfg.padding),
          label: `options ${JSON.stringify(options ?? 'default')}`,
        };
      })),
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
