import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Add, Average, Concatenate, ConfigError, Maximum, Minimum, Multiply, ShapeError, Subtract, ValueError, checkLayerGrad, input, randomNormal,
} from 'semiflow';
import type { MergeLayer, Tensor } from 'semiflow';
import { thrown } from './thrown.ts';

const RUNS = 15;
const arbSample = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 });
const draw = (shape: number[], seed: number, n: number): Tensor[] =>
  Array.from({ length: n }, (_, i) => randomNormal(shape, { seed: seed + i, dtype: 'float64' }));

const ELEMENTWISE: [string, () => MergeLayer, (v: number[]) => number, number][] = [
  ['Add', () => new Add(), (v) => v.reduce((a, b) => a + b), 3],
  ['Subtract', () => new Subtract(), ([a, b]) => a - b, 2],
  ['Multiply', () => new Multiply(), (v) => v.reduce((a, b) => a * b), 3],
  ['Average', () => new Average(), (v) => v.reduce((a, b) => a + b) / v.length, 3],
  ['Maximum', () => new Maximum(), (v) => Math.max(...v), 3],
  ['Minimum', () => new Minimum(), (v) => Math.min(...v), 3],
];

describe.each(ELEMENTWISE)('%s', (_, make, reference, n) => {
  it('combines its inputs elementwise and has a checked gradient for every input', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), arbSample, fc.integer({ min: 0, max: 1000 }), (batch, sample, seed) => {
      const xs = draw([batch, ...sample], seed, n);
      const layer = make();
      const y = layer.apply(xs);
      expect(y.shape).toEqual([batch, ...sample]);
      for (let i = 0; i < y.size; i++) expect(y.storage[i]).toBeCloseTo(reference(xs.map((x) => x.storage[i])), 12);
      const result = checkLayerGrad(layer, xs, { seed });
      expect(result.ok, result.message).toBe(true);
    }), { numRuns: RUNS });
  });

  it('refuses inputs of different shapes, naming the layer and both shapes', () => {
    const layer = make();
    const error = thrown(() => layer.apply([randomNormal([2, 3]), randomNormal([2, 4])]));
    expect(error).toBeInstanceOf(ShapeError);
    expect(error.message).toMatch(new RegExp(`^${layer.name}: expected inputs of one shape, got \\[2,3\\] \\(input 0\\) and \\[2,4\\] \\(input 1\\)`));
  });

  it('refuses a single tensor', () => {
    const layer = make();
    const error = thrown(() => layer.apply(randomNormal([2, 3])));
    expect(error).toBeInstanceOf(ValueError);
    expect(error.message).toMatch(new RegExp(`^${layer.name}: expected a list of`));
  });
});

describe('Subtract', () => {
  it('takes exactly two inputs', () => {
    const layer = new Subtract();
    expect(thrown(() => layer.apply([randomNormal([1, 2]), randomNormal([1, 2]), randomNormal([1, 2])])).message)
      .toBe(`${layer.name}: expected a list of 2 tensors, got 3`);
  });
});

describe('Concatenate', () => {
  it('joins along an axis and has a checked gradient', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), arbSample, fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 3 }), (batch, sample, seed, extra) => {
      const axis = 1 + (seed % sample.length);
      const other = [batch, ...sample];
      other[axis] = extra;
      const xs = [randomNormal([batch, ...sample], { seed, dtype: 'float64' }), randomNormal(other, { seed: seed + 1, dtype: 'float64' })];
      const layer = new Concatenate({ axis: axis - sample.length - 1 });
      const y = layer.apply(xs);
      const expected = [batch, ...sample];
      expected[axis] += extra;
      expect(y.shape).toEqual(expected);
      const result = checkLayerGrad(layer, xs, { seed });
      expect(result.ok, result.message).toBe(true);
    }), { numRuns: RUNS });
  });

  it('puts the first input first along the axis', () => {
    const a = randomNormal([2, 2]);
    const b = randomNormal([2, 1], { seed: 5 });
    const y = new Concatenate().apply([a, b]);
    expect(Array.from(y.storage)).toEqual([a.storage[0], a.storage[1], b.storage[0], a.storage[2], a.storage[3], b.storage[1]]);
  });

  it('refuses inputs that disagree off the axis, the batch axis, and bad options', () => {
    const layer = new Concatenate({ name: 'cat' });
    expect(thrown(() => layer.apply([randomNormal([2, 3, 2]), randomNormal([2, 4, 3])])).message)
      .toBe('cat: expected inputs that agree on every axis but -1, got [2,3,2] (input 0) and [2,4,3] (input 1)');
    expect(thrown(() => new Concatenate({ axis: 0 }))).toBeInstanceOf(ConfigError);
    expect(thrown(() => new Concatenate({ axis: 3, name: 'c3' }).apply([randomNormal([1, 2]), randomNormal([1, 2])])).message)
      .toBe('c3: axis 3 is out of range for inputs of rank 2 (the batch axis cannot be joined)');
  });

  it('records a node on symbolic inputs, with the shape checked at once', () => {
    const a = input({ shape: [3] });
    const b = input({ shape: [2] });
    expect(new Concatenate().apply([a, b]).shape).toEqual([5]);
    expect(thrown(() => new Add({ name: 'sum' }).apply([a, b])).message).toBe('sum: expected inputs of one shape, got [1,3] (input 0) and [1,2] (input 1)');
  });
});
