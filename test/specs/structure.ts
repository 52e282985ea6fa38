import fc from 'fast-check';
import {
  argmin, concat, cumsum, einsum, expandDims, flatten, gather, norm, prod, scatterAdd, split, squeeze, stack, std,
  tensor, tile, topk, unstack, variance,
} from '../../index.ts';
import { arbDistinctTensor, arbShape, arbTensor } from '../../testing.ts';
import type { Axes, Indices, NestedArray, NormOrder, Tensor } from '../../index.ts';
import { sizeOf } from '../../core/shape.ts';
import { alongAxis, arbAxes, arbAxis, plain, reduceReference, reductionCases } from './reduce-movement.ts';
import type { OpCase, Reference, SpecTable } from './spec.ts';
import { at, forEachIndex, ravel } from './spec.ts';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const positive = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);
const sumOf = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/** Integers in [0, n) shaped `shape` (repeats likely), as nested arrays (rank >= 1) or a float32 / float64 tensor. */
function arbIndices(shape: readonly number[], n: number): fc.Arbitrary<[Indices, number[]]> {
  const kinds = shape.length > 0 ? ['array', 'float32', 'float64'] as const : ['float32', 'float64'] as const;
  return fc.tuple(fc.array(fc.nat(n - 1), { minLength: sizeOf(shape), maxLength: sizeOf(shape) }), fc.constantFrom(...kinds))
    .map(([values, kind]) => {
      const t = tensor(values, shape, kind === 'array' ? 'float64' : kind);
      return [kind === 'array' ? t.toArray() as NestedArray[] : t, values];
    });
}

/** Small integers with ties, and now and then a NaN, for the index selection of topk. */
function arbTiedTensor(shape: readonly number[]): fc.Arbitrary<Tensor> {
  const value = fc.oneof({ arbitrary: fc.integer({ min: -2, max: 2 }), weight: 9 }, { arbitrary: fc.constant(Number.NaN), weight: 1 });
  return fc.array(value, { minLength: sizeOf(shape), maxLength: sizeOf(shape) }).map((v) => tensor(v, shape, 'float64'));
}

/** The positions of a row in topk order: larger first, NaN above all, the lower position on a tie. */
function topkOrder(row: number[]): number[] {
  const rank = (v: number): number => (Number.isNaN(v) ? Infinity : v);
  return range(row.length).sort((a, b) => rank(row[b]) - rank(row[a]) || (Number.isNaN(row[a]) && !Number.isNaN(row[b]) ? -1 : 0) || a - b);
}

/** Applies fn to every row of the last axis; each row gives k values. */
function byRows(x: Tensor, k: number, fn: (row: number[]) => number[]): Reference {
  const n = x.shape[x.rank - 1];
  const values: number[] = [];
  for (let r = 0; r < sizeOf(x.shape.slice(0, -1)); r++) values.push(...fn(Array.from(x.storage.subarray(r * n, (r + 1) * n))));
  return { shape: [...x.shape.slice(0, -1), k], values };
}

const topkCases = (values: (shape: readonly number[]) => fc.Arbitrary<Tensor>, pick: (row: number[], order: number[]) => number[]) =>
  arbShape({ minRank: 1, maxRank: 3, maxDim: 5 })
    .chain((shape) => fc.tuple(values(shape), fc.integer({ min: 0, max: shape[shape.length - 1] })))
    .map(([x, k]): OpCase => ({
      inputs: [x],
      run: (a) => topk(a, k)[pick === pickIndices ? 'indices' : 'values'],
      reference: (a) => byRows(a, k, (row) => pick(row, topkOrder(row).slice(0, k))),
      label: `k ${k}`,
    }));
const pickIndices = (_row: number[], order: number[]): number[] => order;
const pickValues = (row: number[], order: number[]): number[] => order.map((i) => row[i]);

/** The parts of a split or unstack joined flat, in order: one tensor the sweep can compare and differentiate. */
const joined = (parts: Tensor[]): Tensor => concat(parts.map((p) => flatten(p)));

/** The blocks of x along axis of the given sizes, each row-major, one after another. */
function partsReference(x: Tensor, axis: number, sizes: readonly number[]): Reference {
  const values: number[] = [];
  let begin = 0;
  for (const size of sizes) {
    forEachIndex(x.shape.map((d, i) => (i === axis ? size : d)), (index) => values.push(at(x, index.map((v, i) => (i === axis ? v + begin : v)))));
    begin += size;
  }
  return { shape: [values.length], values };
}

/** Sizes adding up to n: a list of non-negative parts, or a count that divides n. */
function arbSplit(n: number): fc.Arbitrary<number | number[]> {
  const counts = range(n).map((i) => i + 1).filter((c) => n % c === 0);
  const cuts = fc.array(fc.integer({ min: 0, max: n }), { maxLength: 3 }).map((points) => {
    const sorted = [0, ...points.sort((a, b) => a - b), n];
    return sorted.slice(1).map((p, i) => p - sorted[i]);
  });
  return fc.oneof(fc.constantFrom(...counts), cuts);
}

function cumsumReference(x: Tensor, axis: number, exclusive: boolean, reverse: boolean): Reference {
  return alongAxis(x, axis, (line) => line.map((_, i) => {
    const from = reverse ? (exclusive ? i + 1 : i) : 0;
    const to = reverse ? line.length : exclusive ? i : i + 1;
    return sumOf(line.slice(from, to));
  }));
}

/** The norms of one flat group of values. */
function normOf(values: number[], ord: NormOrder | undefined): number {
  if (ord === 1) return sumOf(values.map(Math.abs));
  if (ord === Infinity) return Math.max(...values.map(Math.abs));
  return Math.sqrt(sumOf(values.map((v) => v * v)));
}

/** Values whose magnitudes are pairwise apart (so max |x| has no tie), with random signs. */
function arbSignedDistinct(shape: readonly number[]): fc.Arbitrary<Tensor> {
  return fc.tuple(arbDistinctTensor(shape, { min: 0.1 }), fc.array(fc.boolean(), { minLength: sizeOf(shape), maxLength: sizeOf(shape) }))
    .map(([x, flips]) => tensor(Array.from(x.storage, (v, i) => (flips[i] ? -v : v)), shape, 'float64'));
}

/** Random equations: 1 to 3 operands over the letters a-d (repeats give diagonals), an explicit or implicit output. */
const arbEinsum = fc.record({
  operands: fc.array(fc.array(fc.constantFrom<string>('a', 'b', 'c', 'd'), { maxLength: 3 }), { minLength: 1, maxLength: 3 }),
  sizes: fc.record({ a: fc.integer({ min: 1, max: 3 }), b: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 3 }) }),
  explicit: fc.boolean(),
  keep: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  order: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
}).chain(({ operands, sizes, explicit, keep, order }) => {
  const used = [...new Set(operands.flat())].sort();
  const output = explicit
    ? used.filter((_, i) => keep[i]).sort((x, y) => order[used.indexOf(x)] - order[used.indexOf(y)])
    : used.filter((c) => operands.flat().filter((d) => d === c).length === 1);
  const equation = `${operands.map((o) => o.join('')).join(',')}${explicit ? `->${output.join('')}` : ''}`;
  const size = (c: string): number => sizes[c as keyof typeof sizes];
  return fc.tuple(...operands.map((o) => arbTensor(o.map(size), { min: -1, max: 1 }))).map((xs): OpCase => ({
    inputs: xs,
    run: (...ts) => einsum(equation, ...ts),
    // Σ over every assignment of the letters of the product of the operands' entries.
    reference: (...ts) => {
      const shape = output.map(size);
      const values = new Array<number>(sizeOf(shape)).fill(0);
      forEachIndex(used.map(size), (index) => {
        const value = (c: string): number => index[used.indexOf(c)];
        const term = ts.reduce((p, t, k) => p * at(t, operands[k].map(value)), 1);
        values[ravel(output.map(value), shape)] += term;
      });
      return { shape, values };
    },
    label: `equation ${equation}`,
  }));
});

export const structureSpecs = {
  gather: {
    cases: arbShape({ minRank: 1, maxRank: 3, maxDim: 4 })
      .chain((shape) => fc.tuple(fc.constant(shape), arbTensor(shape), arbAxis(shape.length), arbShape({ maxRank: 2, maxDim: 4 })))
      .chain(([shape, x, axis, indexShape]) => arbIndices(indexShape, shape[positive(axis, shape.length)]).map(([indices, flat]): OpCase => ({
        inputs: [x],
        run: (a) => gather(a, indices, axis),
        reference: (a) => {
          const ax = positive(axis, a.rank);
          const shape = [...a.shape.slice(0, ax), ...indexShape, ...a.shape.slice(ax + 1)];
          const values: number[] = [];
          forEachIndex(shape, (index) => {
            const picked = flat[ravel(index.slice(ax, ax + indexShape.length), indexShape)];
            values.push(at(a, [...index.slice(0, ax), picked, ...index.slice(ax + indexShape.length)]));
          });
          return { shape, values };
        },
        label: `axis ${axis} indices ${JSON.stringify(flat)} shaped ${JSON.stringify(indexShape)}`,
      }))),
    gradient: 'checked',
    secondOrder: true,
  },
  scatterAdd: {
    cases: fc.tuple(arbShape({ minRank: 1, maxRank: 3, maxDim: 4 }), arbShape({ maxRank: 2, maxDim: 4 }))
      .chain(([outShape, indexShape]) => fc.tuple(fc.constant(outShape), fc.constant(indexShape), arbAxis(outShape.length)))
      .chain(([outShape, indexShape, axis]) => {
        const ax = positive(axis, outShape.length);
        const updates = [...outShape.slice(0, ax), ...indexShape, ...outShape.slice(ax + 1)];
        return fc.tuple(arbTensor(updates), arbIndices(indexShape, outShape[ax])).map(([u, [indices, flat]]): OpCase => ({
          inputs: [u],
          run: (a) => scatterAdd(a, indices, outShape[ax], axis),
          reference: (a) => {
            const values = new Array<number>(sizeOf(outShape)).fill(0);
            forEachIndex(a.shape, (index, i) => {
              const target = flat[ravel(index.slice(ax, ax + indexShape.length), indexShape)];
              values[ravel([...index.slice(0, ax), target, ...index.slice(ax + indexShape.length)], outShape)] += a.storage[i];
            });
            return { shape: [...outShape], values };
          },
          label: `axis ${axis} size ${outShape[ax]} indices ${JSON.stringify(flat)}`,
        }));
      }),
    gradient: 'checked',
    secondOrder: true,
  },
  topkIndices: { cases: topkCases(arbTiedTensor, pickIndices), gradient: 'zero' },
  topk: { cases: topkCases(arbDistinctTensor, pickValues), gradient: 'checked', secondOrder: true },
  argmin: {
    cases: arbShape({ minRank: 1, maxRank: 4, maxDim: 4 })
      .chain((shape) => fc.tuple(arbDistinctTensor(shape), fc.option(arbAxis(shape.length), { nil: undefined })))
      .map(([x, axis]): OpCase => ({
        inputs: [x],
        run: (a) => (axis === undefined ? argmin(a) : argmin(a, axis)),
        reference: (a) => reduceReference(a, axis ?? -1, false, (v) => v.indexOf(Math.min(...v))),
        label: `axis ${axis}`,
      })),
    gradient: 'zero',
  },
  stack: {
    cases: fc.tuple(arbShape({ maxRank: 3, maxDim: 3 }), fc.integer({ min: 1, max: 3 }))
      .chain(([shape, count]) => fc.tuple(
        fc.tuple(...range(count).map(() => arbTensor(shape))),
        fc.integer({ min: -shape.length - 1, max: shape.length }),
      ))
      .map(([xs, axis]): OpCase => ({
        inputs: xs,
        run: (...ts) => stack(ts, axis),
        reference: (...ts) => {
          const ax = positive(axis, ts[0].rank + 1);
          const shape = [...ts[0].shape.slice(0, ax), ts.length, ...ts[0].shape.slice(ax)];
          const values: number[] = [];
          forEachIndex(shape, (index) => values.push(at(ts[index[ax]], index.filter((_, i) => i !== ax))));
          return { shape, values };
        },
        label: `axis ${axis}`,
      })),
    gradient: 'checked',
    secondOrder: true,
  },
  unstack: {
    cases: arbShape({ minRank: 1, maxRank: 3, maxDim: 3 })
      .chain((shape) => fc.tuple(arbTensor(shape), arbAxis(shape.length)))
      .map(([x, axis]): OpCase => ({
        inputs: [x],
        run: (a) => joined(unstack(a, axis)),
        reference: (a) => partsReference(a, positive(axis, a.rank), new Array<number>(a.shape[positive(axis, a.rank)]).fill(1)),
        label: `axis ${axis}`,
      })),
    gradient: 'checked',
    secondOrder: true,
  },
  split: {
    cases: arbShape({ minRank: 1, maxRank: 3, maxDim: 4 })
      .chain((shape) => fc.tuple(arbTensor(shape), arbAxis(shape.length)))
      .chain(([x, axis]) => arbSplit(x.shape[positive(axis, x.rank)]).map((how): OpCase => ({
        inputs: [x],
        run: (a) => joined(split(a, how, axis)),
        reference: (a) => {
          const ax = positive(axis, a.rank);
          return partsReference(a, ax, typeof how === 'number' ? new Array<number>(how).fill(a.shape[ax] / how) : how);
        },
        label: `axis ${axis} split ${JSON.stringify(how)}`,
      }))),
    gradient: 'checked',
    secondOrder: true,
  },
  squeeze: {
    cases: arbShape({ maxRank: 4, maxDim: 3 })
      .chain((shape) => fc.tuple(
        arbTensor(shape),
        fc.option(fc.subarray(range(shape.length).filter((i) => shape[i] === 1)).chain((axes) => fc.constantFrom<Axes>(axes, ...axes)), { nil: undefined }),
      ))
      .map(([x, axis]): OpCase => ({
        inputs: [x],
        run: (a) => squeeze(a, axis),
        reference: (a) => {
          const dropped = axis === undefined ? range(a.rank).filter((i) => a.shape[i] === 1) : typeof axis === 'number' ? [axis] : [...axis];
          return { shape: a.shape.filter((_, i) => !dropped.includes(i)), values: Array.from(a.storage) };
        },
        label: `axis ${JSON.stringify(axis)}`,
      })),
    gradient: 'checked',
    secondOrder: true,
  },
  expandDims: {
    cases: arbShape({ maxRank: 3, maxDim: 3 })
      .chain((shape) => fc.tuple(arbTensor(shape), fc.integer({ min: -shape.length - 1, max: shape.length })))
      .map(([x, axis]): OpCase => ({
        inputs: [x],
        run: (a) => expandDims(a, axis),
        reference: (a) => {
          const ax = positive(axis, a.rank + 1);
          return { shape: [...a.shape.slice(0, ax), 1, ...a.shape.slice(ax)], values: Array.from(a.storage) };
        },
        label: `axis ${axis}`,
      })),
    gradient: 'checked',
    secondOrder: true,
  },
  tile: {
    cases: arbShape({ maxRank: 3, maxDim: 3 })
      .chain((shape) => fc.tuple(arbTensor(shape), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: shape.length, maxLength: shape.length })))
      .map(([x, reps]): OpCase => ({
        inputs: [x],
        run: (a) => tile(a, reps),
        reference: (a) => {
          const shape = a.shape.map((d, i) => d * reps[i]);
          const values: number[] = [];
          forEachIndex(shape, (index) => values.push(at(a, index.map((v, i) => v % a.shape[i]))));
          return { shape, values };
        },
        label: `reps ${JSON.stringify(reps)}`,
      })),
    gradient: 'checked',
    secondOrder: true,
  },
  prod: {
    // Exact zeros now and then: the gradient must still be the product of the other entries.
    cases: reductionCases(prod, (v) => v.reduce((a, b) => a * b, 1), (shape) => fc.tuple(
      arbTensor(shape),
      fc.array(fc.boolean(), { minLength: sizeOf(shape), maxLength: sizeOf(shape) }),
    ).map(([x, zero]): [Tensor, string] => [tensor(Array.from(x.storage, (v, i) => (zero[i] && i % 3 === 0 ? 0 : v)), shape, 'float64'), '']),
    arbShape({ maxRank: 3, maxDim: 3 })),
    gradient: 'checked',
    secondOrder: true,
  },
  variance: {
    cases: reductionCases(variance, (v) => sumOf(v.map((u) => (u - sumOf(v) / v.length) ** 2)) / v.length, plain(arbTensor)),
    gradient: 'checked',
    secondOrder: true,
  },
  std: {
    // Distinct values: a group of equal ones has std 0, where std has no derivative.
    cases: reductionCases(std, (v) => Math.sqrt(sumOf(v.map((u) => (u - sumOf(v) / v.length) ** 2)) / v.length), plain((shape) => arbDistinctTensor(shape))),
    gradient: 'checked',
    secondOrder: true,
  },
  norm: {
    cases: arbShape({ maxRank: 3, maxDim: 4 })
      .chain((shape) => fc.tuple(
        arbSignedDistinct(shape),
        fc.option(fc.constantFrom<NormOrder>(1, 2, Infinity, 'euclidean', 'fro'), { nil: undefined }),
        arbAxes(shape.length),
        fc.boolean(),
      ))
      .map(([x, ord, axis, keepDims]): OpCase => ({
        inputs: [x],
        run: (a) => norm(a, ord, axis, keepDims),
        reference: (a) => reduceReference(a, axis, keepDims, (v) => normOf(v, ord)),
        label: `ord ${ord} axis ${JSON.stringify(axis)} keepDims ${keepDims}`,
      })),
    gradient: 'checked',
    secondOrder: true,
  },
  cumsum: {
    cases: arbShape({ minRank: 1, maxRank: 3, maxDim: 6 })
      .chain((shape) => fc.tuple(
        arbTensor(shape),
        fc.option(arbAxis(shape.length), { nil: undefined }),
        fc.option(fc.record({ exclusive: fc.option(fc.boolean(), { nil: undefined }), reverse: fc.option(fc.boolean(), { nil: undefined }) }, { requiredKeys: [] }), { nil: undefined }),
      ))
      .map(([x, axis, options]): OpCase => ({
        inputs: [x],
        run: (a) => (options === undefined ? cumsum(a, axis) : cumsum(a, axis, options)),
        reference: (a) => cumsumReference(a, axis ?? -1, options?.exclusive ?? false, options?.reverse ?? false),
        label: `axis ${axis} options ${JSON.stringify(options)}`,
      })),
    gradient: 'checked',
    secondOrder: true,
  },
  einsum: { cases: arbEinsum, gradient: 'checked', secondOrder: true },
} satisfies Partial<SpecTable>;
