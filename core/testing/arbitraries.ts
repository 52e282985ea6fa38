import fc from 'fast-check';
import type { DType } from '../dtype.ts';
import type { Padding } from '../ops/window.ts';
import { sizeOf } from '../shape.ts';
import { tensor } from '../creation.ts';
import type { Tensor } from '../tensor.ts';

export interface ShapeConstraints {
  minRank?: number;
  maxRank?: number;
  /** Dims are drawn from [minDim, maxDim]; size 1 is drawn often on purpose, to exercise broadcasting. */
  minDim?: number;
  maxDim?: number;
}

/** Shapes with a bias towards size-1 dims. */
export function arbShape({ minRank = 0, maxRank = 4, minDim = 1, maxDim = 5 }: ShapeConstraints = {}): fc.Arbitrary<number[]> {
  const dim = minDim <= 1 && maxDim >= 1
    ? fc.oneof({ arbitrary: fc.constant(1), weight: 1 }, { arbitrary: fc.integer({ min: minDim, max: maxDim }), weight: 3 })
    : fc.integer({ min: minDim, max: maxDim });
  return fc.array(dim, { minLength: minRank, maxLength: maxRank });
}

/**
 * Two shapes that broadcast together: the second may drop leading axes, and either side may have 1
 * where the other has a larger dim.
 */
export function arbBroadcastShapes(constraints: ShapeConstraints = {}): fc.Arbitrary<[number[], number[]]> {
  return arbShape({ ...constraints, minRank: Math.max(constraints.minRank ?? 0, 0) }).chain((full) =>
    fc.tuple(
      fc.array(fc.constantFrom<'keep' | 'one-left' | 'one-right'>('keep', 'one-left', 'one-right'), { minLength: full.length, maxLength: full.length }),
      fc.integer({ min: 0, max: full.length }),
      fc.boolean(),
    ).map(([choices, dropped, swap]) => {
      const left = full.map((d, i) => (choices[i] === 'one-left' ? 1 : d));
      const right = full.map((d, i) => (choices[i] === 'one-right' ? 1 : d)).slice(dropped);
      return (swap ? [right, left] : [left, right]) as [number[], number[]];
    }),
  );
}

export interface ValueConstraints {
  min?: number;
  max?: number;
  dtype?: DType;
  /**
   * Points where the op has a kink or a pole (0 for relu and abs, say): values closer than `gap` are pushed away,
   * so a finite difference never straddles one.
   */
  avoid?: readonly number[];
  gap?: number;
}

/** A tensor of the given shape with finite values in [min, max] (float64 by default: it is for gradient checks). */
export function arbTensor(shape: readonly number[], { min = -2, max = 2, dtype = 'float64', avoid = [], gap = 1e-2 }: ValueConstraints = {}): fc.Arbitrary<Tensor> {
  const value = arbValue(min, max).map((v) => pushAway(v, avoid, gap));
  return fc.array(value, { minLength: sizeOf(shape), maxLength: sizeOf(shape) }).map((values) => tensor(values, shape, dtype));
}

/** A tensor whose values are pairwise at least `gap` apart, for max, argmax and pooling (no ties to split). */
export function arbDistinctTensor(shape: readonly number[], { min = -2, gap = 0.05, dtype = 'float64' }: { min?: number; gap?: number; dtype?: DType } = {}): fc.Arbitrary<Tensor> {
  const n = sizeOf(shape);
  return fc.tuple(
    fc.array(fc.integer(), { minLength: n, maxLength: n }),
    fc.array(fc.double({ min: 0, max: gap / 4, noNaN: true }), { minLength: n, maxLength: n }),
  ).map(([keys, jitter]) => {
    const order = keys.map((k, i) => [k, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const values = new Array<number>(n);
    order.forEach(([, i], rank) => {
      values[i] = min + rank * gap + jitter[i];
    });
    return tensor(values, shape, dtype);
  });
}

/**
 * Mostly uniform over [min, max]; fc.double alone spreads over representable doubles, so nine values in ten
 * would sit within 1e-3 of 0. One draw in five keeps fast-check's bias towards edge values (0, the bounds, tiny).
 */
function arbValue(min: number, max: number): fc.Arbitrary<number> {
  const steps = 2 ** 30;
  return fc.oneof(
    { weight: 4, arbitrary: fc.noBias(fc.integer({ min: 0, max: steps })).map((i) => min + ((max - min) * i) / steps) },
    { weight: 1, arbitrary: fc.double({ min, max, noNaN: true, noDefaultInfinity: true }) },
  );
}

function pushAway(v: number, avoid: readonly number[], gap: number): number {
  for (const point of avoid) {
    if (Math.abs(v - point) < gap) return v < point ? point - gap : point + gap;
  }
  return v;
}

/** Two independent integers in [min, max]: a window, strides, or the pixels an image has beyond its window. */
function arbPair(min: number, max: number): fc.Arbitrary<[number, number]> {
  return fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }));
}

export interface ConvConfig {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernel: [number, number];
  strides: [number, number];
  padding: Padding;
}

/** Small conv2d configurations; with 'valid' padding the kernel always fits the input. */
export function arbConvConfig(): fc.Arbitrary<ConvConfig> {
  return fc.record({
    batch: fc.integer({ min: 1, max: 2 }),
    inChannels: fc.integer({ min: 1, max: 3 }),
    outChannels: fc.integer({ min: 1, max: 3 }),
    kernel: arbPair(1, 3),
    strides: arbPair(1, 2),
    padding: fc.constantFrom<Padding>('valid', 'same'),
    extra: arbPair(0, 3),
  }).map(({ extra, ...c }) => ({ ...c, height: c.kernel[0] + extra[0], width: c.kernel[1] + extra[1] }));
}

export interface PoolConfig {
  batch: number;
  height: number;
  width: number;
  channels: number;
  poolSize: [number, number];
  strides: [number, number];
  padding: Padding;
}

/** Small pooling configurations, strides both equal to and different from the pool size. */
export function arbPoolConfig(): fc.Arbitrary<PoolConfig> {
  return fc.record({
    batch: fc.integer({ min: 1, max: 2 }),
    channels: fc.integer({ min: 1, max: 3 }),
    poolSize: arbPair(1, 3),
    strideChoice: fc.option(arbPair(1, 3)),
    padding: fc.constantFrom<Padding>('valid', 'same'),
    extra: arbPair(0, 3),
  }).map(({ extra, strideChoice, ...c }) => ({
    ...c,
    strides: strideChoice ?? c.poolSize,
    height: c.poolSize[0] + extra[0],
    width: c.poolSize[1] + extra[1],
  }));
}
