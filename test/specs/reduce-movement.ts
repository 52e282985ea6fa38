import fc from 'fast-check';
import {
  argmax, concat, expand, flatten, logSoftmax, logsumexp, max, mean, min, oneHot, pad, permute, reshape, slice,
  softmax, sum, tensor, transpose,
} from '../../index.ts';
import { arbDistinctTensor, arbShape, arbTensor } from '../../testing.ts';
import type { Axes, Tensor } from '../../index.ts';
import { maxGrad } from '../../core/ops/reduce.ts';
import { sizeOf } from '../../core/shape.ts';
import type { OpCase, Reference, SpecTable } from './spec.ts';
import { at, atBroadcast, forEachIndex, ravel } from './spec.ts';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const small = { maxDim: 4 };

/** Each axis of a list written as itself or as its negative alias, at random. */
function arbAliases(axes: readonly number[], rank: number): fc.Arbitrary<number[]> {
  return fc.array(fc.boolean(), { minLength: axes.length, maxLength: axes.length }).map((negative) => axes.map((a, i) => (negative[i] ? a - rank : a)));
}

/** undefined, one axis (possibly negative), or a list of distinct axes in any order. */
export function arbAxes(rank: number): fc.Arbitrary<Axes> {
  const choices: fc.Arbitrary<Axes>[] = [fc.constant(undefined), fc.shuffledSubarray(range(rank)).chain((axes) => arbAliases(axes, rank))];
  if (rank > 0) choices.push(fc.integer({ min: -rank, max: rank - 1 }));
  return fc.oneof(...choices);
}

export const arbAxis = (rank: number): fc.Arbitrary<number> => fc.integer({ min: -rank, max: rank - 1 });

function axesOf(axis: Axes, rank: number): number[] {
  if (axis === undefined) return range(rank);
  return (typeof axis === 'number' ? [axis] : [...axis]).map((a) => (a < 0 ? a + rank : a));
}

/** Groups x's values by their position outside the reduced axes (in order along them) and reduces each group. */
export function reduceReference(x: Tensor, axis: Axes, keepDims: boolean, fn: (values: number[]) => number): Reference {
  const axes = axesOf(axis, x.rank);
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const groups = Array.from({ length: sizeOf(kept) }, (): number[] => []);
  forEachIndex(x.shape, (index, flat) => {
    groups[ravel(index.map((v, i) => (axes.includes(i) ? 0 : v)), kept)].push(x.storage[flat]);
  });
  return { shape: keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i)), values: groups.map(fn) };
}

/** Applies fn to every line of x along axis; the result has x's shape. */
export function alongAxis(x: Tensor, axis: number, fn: (line: number[]) => number[]): Reference {
  const a = axis < 0 ? axis + x.rank : axis;
  const values = new Array<number>(x.size);
  forEachIndex(x.shape, (index) => {
    if (index[a] !== 0) return;
    const positions = range(x.shape[a]).map((k) => ravel(index.map((v, i) => (i === a ? k : v)), x.shape));
    const out = fn(positions.map((p) => x.storage[p]));
    positions.forEach((p, k) => {
      values[p] = out[k];
    });
  });
  return { shape: [...x.shape], values };
}

const sumOf = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/** log Σ exp, shifted by the max so that large logits stay finite. */
function stableLogsumexp(values: number[]): number {
  const m = Math.max(...values);
  return m + Math.log(sumOf(values.map((v) => Math.exp(v - m))));
}

/**
 * Moderate logits, the same scaled up to ±1e4 (a naive exp overflows in float32 and float64) and/or shifted by ±1e4
 * (close logits far from 0, where float32 loses precision if the max is not subtracted first).
 */
function arbLogits(shape: readonly number[]): fc.Arbitrary<[Tensor, string]> {
  return fc.tuple(arbTensor(shape), fc.constantFrom(1, 5000), fc.constantFrom(0, -1e4, 1e4)).map(([x, scale, shift]) => [
    tensor(Array.from(x.storage, (v) => v * scale + shift), shape, 'float64'),
    `logits ×${scale} + ${shift}`,
  ]);
}

export const plain = (arb: (shape: readonly number[]) => fc.Arbitrary<Tensor>) => (shape: readonly number[]): fc.Arbitrary<[Tensor, string]> =>
  arb(shape).map((x) => [x, '']);

export function reductionCases(
  op: (x: Tensor, axis: Axes, keepDims: boolean) => Tensor,
  fn: (values: number[]) => number,
  input: (shape: readonly number[]) => fc.Arbitrary<[Tensor, string]>,
  shapes: fc.Arbitrary<number[]> = arbShape(small),
): fc.Arbitrary<OpCase> {
  return shapes
    .chain((shape) => fc.tuple(input(shape), arbAxes(shape.length), fc.boolean()))
    .map(([[x, note], axis, keepDims]): OpCase => ({
      inputs: [x],
      run: (a) => op(a, axis, keepDims),
      reference: (a) => reduceReference(a, axis, keepDims, fn),
      label: `axis ${JSON.stringify(axis)} keepDims ${keepDims} ${note}`,
    }));
}

/** softmax and logSoftmax: axis undefined (the default -1) or any axis, negative ones included. */
function normalizeCases(op: (x: Tensor, axis?: number) => Tensor, fn: (line: number[]) => number[]): fc.Arbitrary<OpCase> {
  return arbShape({ ...small, minRank: 1 })
    .chain((shape) => fc.tuple(arbLogits(shape), fc.option(arbAxis(shape.length), { nil: undefined })))
    .map(([[x, note], axis]): OpCase => ({
      inputs: [x],
      run: (a) => op(a, axis),
      reference: (a) => alongAxis(a, axis ?? -1, fn),
      label: `axis ${axis} ${note}`,
    }));
}

/** A shape of `size` elements: its prime factors spread over 0 to 4 axes. */
function arbShapeOfSize(size: number): fc.Arbitrary<number[]> {
  const primes: number[] = [];
  for (let n = size, p = 2; n > 1; p++) {
    for (; n % p === 0; n /= p) primes.push(p);
  }
  return fc.integer({ min: primes.length === 0 ? 0 : 1, max: 4 }).chain((rank) =>
    fc.array(fc.nat(Math.max(rank - 1, 0)), { minLength: primes.length, maxLength: primes.length }).map((groups) => {
      const dims = new Array<number>(rank).fill(1);
      primes.forEach((p, i) => {
        dims[groups[i]] *= p;
      });
      return dims;
    }),
  );
}

/** A random permutation of the axes, each written as itself or its negative alias. */
const arbPerm = (rank: number): fc.Arbitrary<number[]> =>
  fc.shuffledSubarray(range(rank), { minLength: rank, maxLength: rank }).chain((perm) => arbAliases(perm, rank));

function permuteReference(x: Tensor, perm: readonly number[]): Reference {
  const p = perm.map((a) => (a < 0 ? a + x.rank : a));
  const shape = p.map((a) => x.shape[a]);
  const values: number[] = [];
  forEachIndex(shape, (index) => {
    const source = new Array<number>(x.rank);
    p.forEach((a, i) => {
      source[a] = index[i];
    });
    values.push(at(x, source));
  });
  return { shape, values };
}

/**
 * The max primitive's vjp on its own: x of small integers (so groups tie), its kept-dims max, and g as the one
 * input (x and the max get no gradient). Reference: g over the group, where x is the max, split by the hit count.
 */
const maxGradCases: fc.Arbitrary<OpCase> = arbShape(small)
  .chain((shape) => fc.tuple(
    fc.array(fc.integer({ min: -2, max: 2 }), { minLength: sizeOf(shape), maxLength: sizeOf(shape) }).map((v) => tensor(v, shape, 'float64')),
    fc.shuffledSubarray(range(shape.length)),
  ))
  .chain(([x, axes]) => arbTensor(x.shape.map((d, i) => (axes.includes(i) ? 1 : d))).map((g): OpCase => ({
    inputs: [g],
    run: (a) => {
      const xa = x.cast(a.dtype);
      return maxGrad(xa, max(xa, axes, true), a, axes);
    },
    reference: (a) => {
      const top = reduceReference(x, axes, true, (v) => Math.max(...v));
      const hits = reduceReference(x, axes, true, (v) => v.filter((u) => u === Math.max(...v)).length);
      const values = new Array<number>(x.size);
      forEachIndex(x.shape, (index, flat) => {
        const o = ravel(index.map((v, i) => (axes.includes(i) ? 0 : v)), top.shape);
        values[flat] = x.storage[flat] === top.values[o] ? a.storage[o] / hits.values[o] : 0;
      });
      return { shape: [...x.shape], values };
    },
    label: `x ${JSON.stringify(Array.from(x.storage))} axes ${JSON.stringify(axes)}`,
  })));

export const reduceMovementSpecs = {
  sum: { cases: reductionCases(sum, sumOf, plain(arbTensor)), gradient: 'checked', secondOrder: true },
  max: { cases: reductionCases(max, (v) => Math.max(...v), plain(arbDistinctTensor)), gradient: 'checked', secondOrder: true },
  maxGrad: { cases: maxGradCases, gradient: 'checked', secondOrder: true },
  min: { cases: reductionCases(min, (v) => Math.min(...v), plain(arbDistinctTensor)), gradient: 'checked', secondOrder: true },
  mean: { cases: reductionCases(mean, (v) => sumOf(v) / v.length, plain(arbTensor)), gradient: 'checked', secondOrder: true },
  logsumexp: { cases: reductionCases(logsumexp, stableLogsumexp, arbLogits), gradient: 'checked', secondOrder: true },
  argmax: {
    cases: arbShape({ ...small, minRank: 1 })
      .chain((shape) => fc.tuple(arbDistinctTensor(shape), fc.option(arbAxis(shape.length), { nil: undefined })))
      .map(([x, axis]): OpCase => ({
        inputs: [x],
        run: (a) => argmax(a, axis),
        // The index of the max along the axis, as a value of the input's dtype.
        reference: (a) => reduceReference(a, axis ?? -1, false, (v) => v.indexOf(Math.max(...v))),
        label: `axis ${axis}`,
      })),
    gradient: 'zero',
  },
  softmax: {
    cases: normalizeCases(softmax, (line) => {
      const m = Math.max(...line);
      const e = line.map((v) => Math.exp(v - m));
      return e.map((v) => v / sumOf(e));
    }),
    gradient: 'checked',
    secondOrder: true,
  },
  logSoftmax: {
    cases: normalizeCases(logSoftmax, (line) => {
      const m = Math.max(...line);
      const logSum = Math.log(sumOf(line.map((v) => Math.exp(v - m))));
      return line.map((v) => v - m - logSum);
    }),
    gradient: 'checked',
    secondOrder: true,
  },
  reshape: {
    cases: arbShape(small)
      .chain((shape) => fc.tuple(arbTensor(shape), arbShapeOfSize(sizeOf(shape)), fc.option(fc.nat(), { nil: undefined })))
      .map(([x, target, inferred]): OpCase => {
        const shape = inferred === undefined || target.length === 0 ? target : target.map((d, i) => (i === inferred % target.length ? -1 : d));
        return {
          inputs: [x],
          run: (a) => reshape(a, shape),
          reference: (a) => {
            const known = sizeOf(shape.filter((d) => d !== -1));
            return { shape: shape.map((d) => (d === -1 ? a.size / known : d)), values: Array.from(a.storage) };
          },
          label: `shape ${JSON.stringify(shape)}`,
        };
      }),
    gradient: 'checked',
    secondOrder: true,
  },
  flatten: {
    cases: arbShape(small)
      .chain((shape) => fc.tuple(arbTensor(shape), shape.length === 0 ? fc.constant(undefined) : fc.option(arbAxis(shape.length), { nil: undefined })))
      .map(([x, startAxis]): OpCase => ({
        inputs: [x],
        run: (a) => flatten(a, startAxis),
        reference: (a) => {
          const start = startAxis === undefined ? 0 : startAxis < 0 ? startAxis + a.rank : startAxis;
          const shape = a.rank === 0 ? [1] : [...a.shape.slice(0, start), sizeOf(a.shape.slice(start))];
          return { shape, values: Array.from(a.storage) };
        },
        label: `startAxis ${startAxis}`,
      })),
    gradient: 'checked',
    secondOrder: true,
  },
  permute: {
    cases: arbShape(small)
      .chain((shape) => fc.tuple(arbTensor(shape), arbPerm(shape.length)))
      .map(([x, perm]): OpCase => ({
        inputs: [x],
        run: (a) => permute(a, perm),
        reference: (a) => permuteReference(a, perm),
        label: `perm ${JSON.stringify(perm)}`,
      })),
    gradient: 'checked',
    secondOrder: true,
  },
  transpose: {
    cases: arbShape(small)
      .chain((shape) => fc.tuple(arbTensor(shape), fc.option(arbPerm(shape.length), { nil: undefined })))
      .map(([x, perm]): OpCase => ({
        inputs: [x],
        run: (a) => transpose(a, perm),
        reference: (a) => permuteReference(a, perm ?? range(a.rank).reverse()),
        label: `perm ${JSON.stringify(perm)}`,
      })),
    gradient: 'checked',
    secondOrder: true,
  },
  expand: {
    cases: arbShape({ maxRank: 3, maxDim: 3 })
      .chain((shape) => fc.tuple(
        arbTensor(shape),
        fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
        fc.tuple(...shape.map((d) => (d === 1 ? fc.integer({ min: 1, max: 3 }) : fc.constant(d)))),
      ))
      .map(([x, leading, dims]): OpCase => {
        const shape = [...leading, ...dims];
        return {
          inputs: [x],
          run: (a) => expand(a, shape),
          reference: (a) => {
            const values: number[] = [];
            forEachIndex(shape, (index) => values.push(atBroadcast(a, index)));
            return { shape, values };
          },
          label: `shape ${JSON.stringify(shape)}`,
        };
      }),
    gradient: 'checked',
    secondOrder: true,
  },
  pad: {
    cases: arbShape(small)
      .chain((shape) => fc.tuple(
        arbTensor(shape),
        fc.array(fc.tuple(fc.nat(2), fc.nat(2)), { minLength: shape.length, maxLength: shape.length }),
        fc.option(fc.double({ min: -3, max: 3, noNaN: true }), { nil: undefined }),
      ))
      .map(([x, pads, value]): OpCase => ({
        inputs: [x],
        run: (a) => pad(a, pads, value),
        reference: (a) => {
          const shape = a.shape.map((d, i) => pads[i][0] + d + pads[i][1]);
          const values: number[] = [];
          forEachIndex(shape, (index) => {
            const source = index.map((v, i) => v - pads[i][0]);
            values.push(source.every((v, i) => v >= 0 && v < a.shape[i]) ? at(a, source) : (value ?? 0));
          });
          return { shape, values };
        },
        label: `pads ${JSON.stringify(pads)} value ${value}`,
      })),
    gradient: 'checked',
    secondOrder: true,
  },
  slice: {
    cases: arbShape(small)
      .chain((shape) => fc.tuple(
        arbTensor(shape),
        fc.tuple(...shape.map((d) => fc.nat(d - 1).chain((b) => fc.tuple(fc.constant(b), fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: d - b })))))),
        fc.boolean(),
      ))
      .map(([x, blocks, toEnd]): OpCase => {
        const begin = blocks.map(([b]) => b);
        const size = toEnd ? undefined : blocks.map(([, s]) => s);
        return {
          inputs: [x],
          run: (a) => slice(a, begin, size),
          reference: (a) => {
            const shape = a.shape.map((d, i) => (size === undefined || size[i] === -1 ? d - begin[i] : size[i]));
            const values: number[] = [];
            forEachIndex(shape, (index) => values.push(at(a, index.map((v, i) => v + begin[i]))));
            return { shape, values };
          },
          label: `begin ${JSON.stringify(begin)} size ${JSON.stringify(size)}`,
        };
      }),
    gradient: 'checked',
    secondOrder: true,
  },
  concat: {
    cases: arbShape({ minRank: 1, maxRank: 3, maxDim: 3 })
      .chain((shape) => fc.tuple(fc.constant(shape), arbAxis(shape.length), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 })))
      .chain(([shape, axis, lengths]) => {
        const a = axis < 0 ? axis + shape.length : axis;
        return fc.tuple(fc.constant(axis), fc.tuple(...lengths.map((n) => arbTensor(shape.map((d, i) => (i === a ? n : d))))));
      })
      .map(([axis, xs]): OpCase => ({
        inputs: xs,
        run: (...ts) => concat(ts, axis),
        reference: (...ts) => {
          const a = axis < 0 ? axis + ts[0].rank : axis;
          const shape = ts[0].shape.map((d, i) => (i === a ? sumOf(ts.map((t) => t.shape[a])) : d));
          const values: number[] = [];
          forEachIndex(shape, (index) => {
            let k = 0;
            let offset = index[a];
            while (offset >= ts[k].shape[a]) offset -= ts[k++].shape[a];
            values.push(at(ts[k], index.map((v, i) => (i === a ? offset : v))));
          });
          return { shape, values };
        },
        label: `axis ${axis}`,
      })),
    gradient: 'checked',
    secondOrder: true,
  },
  oneHot: {
    cases: fc.tuple(arbShape({ maxRank: 2 }), fc.integer({ min: 1, max: 4 }))
      .chain(([shape, depth]) => fc.tuple(
        fc.array(fc.nat(depth - 1), { minLength: sizeOf(shape), maxLength: sizeOf(shape) }).map((v) => tensor(v, shape, 'float64')),
        fc.constant(depth),
      ))
      .map(([indices, depth]): OpCase => ({
        inputs: [indices],
        run: (a) => oneHot(a, depth),
        reference: (a) => ({
          shape: [...a.shape, depth],
          values: Array.from(a.storage).flatMap((label) => range(depth).map((k) => (k === label ? 1 : 0))),
        }),
        label: `depth ${depth}`,
      })),
    gradient: 'zero',
  },
} satisfies Partial<SpecTable>;
