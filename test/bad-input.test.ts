/**
 * The bad-input sweep: the public API driven with fast-check-generated wrong input. Every case must end in a typed
 * error (ShapeError, ValueError or ConfigError, all SemiflowErrors) whose message starts with the op, layer or model
 * that refused it (`zeros:`, `dense_3:`, `sequential_2.fit:`) and holds both what was given and what was expected:
 * never a TypeError or RangeError from inside, a hang, or a result full of NaN. One property per class; `expectRefusal`
 * is the one assertion they all make.
 *
 * Classes of bad input:
 *  Tensor creation
 *   1. shape dims that are negative, fractional, NaN or ±Infinity (tensor, zeros, ones, fill, randomNormal, randomUniform, eye, expand)
 *   2. a shape that is not an array (a number, a string, null, an object)
 *   3. a shape with more elements than a tensor can hold (zeros, fill, randomUniform, expand, arange)
 *   4. ragged nested arrays
 *   5. nested arrays holding something other than numbers (strings, null, booleans, objects, undefined)
 *   6. a value count that does not match the given shape
 *   7. unknown dtype names (tensor, zeros, fill, arange, eye, randomNormal, cast)
 *   8. randomNormal / randomUniform parameters out of their domain (stddev < 0, non-finite mean or stddev, min > max)
 *   9. seeds that are not integers with |seed| < 2^53: fractional, NaN, ±Infinity, too large, not numbers (randomNormal, randomUniform,
 *      batchIndices, createTrainState, Sequential, Dropout, fit, setSeed); 1.5 would silently be the seed 1
 *  10. misspelt option keys (randomNormal, conv2d, maxPool2d, Dense, Conv2D, Sequential, compile, fit, predict, adam, EarlyStopping, batchIndices)
 *  11. a non-tensor where a tensor is expected (unary ops, composites, reductions, matmul, conv2d, pooling, zerosLike, takeRows, layer.apply, predict)
 *  12. Tensor methods misused: item() on a tensor without exactly one element, concat with a non-array
 *  13. the low-level Tensor constructor with a non-typed-array storage, a bad shape or a wrong length
 *  Ops
 *  14. binary operands whose shapes do not broadcast (add, sub, mul, div, maximum, minimum, comparisons, where)
 *  15. binary operands that are neither tensors nor numbers
 *  16. matmul with differing inner dimensions (2-D, batched, 1-D)
 *  17. matmul with a rank-0 operand or batch dims that do not broadcast
 *  18. an axis out of range, fractional or NaN (sum, max, min, mean, logsumexp, argmax, softmax, logSoftmax, flatten, concat)
 *  19. axes of the wrong type (a string, an object) or repeated axes
 *  20. max-like reductions over an empty axis, where there is no value (max, min, mean, argmax, logsumexp, softmax, logSoftmax)
 *  21. reshape to another element count, an uninferable -1, or a non-array shape
 *  22. permute / transpose with something that is not a permutation of the axes
 *  23. slice with begin and size that leave the tensor, are negative or fractional, or are not arrays
 *  24. pad with the wrong number of pairs, negative or fractional amounts, or entries that are not pairs
 *  25. concat of shapes that differ outside the axis, of nothing, or of a non-array
 *  26. pow with a non-finite or non-number exponent; clip with min > max, NaN or non-number bounds
 *  27. oneHot with a depth that is not a positive integer, or indices out of range, fractional or not numbers
 *  28. conv2d with input or kernel of the wrong rank, a channel mismatch, or an empty kernel window
 *  29. window sizes and strides that are 0, negative, fractional, NaN, ±Infinity, strings or wrong-length pairs (conv2d, maxPool2d, avgPool2d, unfold)
 *  30. unknown padding names (conv2d, maxPool2d, Conv2D, MaxPooling2D)
 *  31. a window larger than the input with 'valid' padding (conv2d, maxPool2d, Conv2D, MaxPooling2D)
 *  32. pooling without options or without a poolSize
 *  Layers
 *  33. Dense units / Conv2D filters that are not positive integers (0, negative, fractional, NaN, ±Infinity, numeric strings)
 *  34. Conv2D kernelSize and strides, MaxPooling2D poolSize and strides that are not positive integers or pairs of them
 *  35. unknown activation names, or activations of the wrong type (Dense, Conv2D, Activation)
 *  36. unknown initializer names, refused when the layer is made rather than at its first build
 *  37. boolean options given something else (useBias, trainable, fit's shuffle, batchIndices' shuffle, fromLogits)
 *  38. an inputShape with zero, negative, fractional or NaN dims, or that is not an array (layers and Sequential.build)
 *  39. Dropout rate outside [0, 1), NaN or not a number
 *  40. input of the wrong rank for a layer (Dense on rank 1, Conv2D and MaxPooling2D off rank 4, Flatten on rank 1)
 *  41. input with a zero-size dimension after the batch axis (a layer's first call, a model built from data)
 *  42. layer options that are not an object
 *  Sequential
 *  43. add of a non-layer, of a layer already in the model, of a second layer with the same name, of an InputLayer after others
 *  44. add after compile
 *  45. a model used before it can be: getWeights/setWeights before build, predict with no layers, fit/evaluate before compile
 *  46. compile with unknown loss, optimizer or metric names, no loss, or metrics that are not a list
 *  47. fit's numbers NaN, ±Infinity, negative, fractional or strings (epochs, batchSize, validationSplit, initialEpoch)
 *  48. verbose that is not 0, 1 or 2 (fit, evaluate, predict)
 *  49. initialEpoch at or past epochs, which would train nothing
 *  50. x and y with different numbers of samples (fit, evaluate, validationData)
 *  51. zero samples (fit, evaluate, validationData)
 *  52. x of the wrong rank or sample shape (fit, evaluate, predict)
 *  53. NaN or ±Infinity at a random position of x or y (fit, evaluate, predict, validationData)
 *  54. sparse labels out of range or fractional
 *  55. targets that do not fit the predictions: one-hot width vs units, rank, elementwise shape
 *  56. a validationSplit that leaves no validation samples, validationData that is not [x, y], or both given
 *  57. setWeights with the wrong count, wrong shapes or non-tensors
 *  58. a learning-rate override that is NaN, ±Infinity or negative, or set before compile
 *  59. a layer that does not fit the model's shapes when added, or data an unbuilt model cannot be built from (predict
 *      before build with the wrong data): refused, and the model is left as it was, so the next valid add or data works
 *  Optimizers and schedules
 *  60. learningRate that is not a positive finite number (0, negative, NaN, ±Infinity, a string)
 *  61. decay rates outside [0, 1): Adam's beta1 and beta2, RMSprop's rho; momentum outside [0, 1]
 *  62. epsilon <= 0 or non-finite (Adam, RMSprop)
 *  63. clipnorm / clipvalue / globalClipnorm <= 0 or non-finite, or two of them at once
 *  64. something that is not an optimizer given as one (createTrainState, applyGradients, compile)
 *  65. schedule options out of range (exponentialDecay and cosineDecay decaySteps)
 *  Callbacks
 *  66. counts that are negative, fractional or NaN (EarlyStopping patience and startFromEpoch, ReduceLROnPlateau patience and cooldown)
 *  67. ReduceLROnPlateau factor outside (0, 1)
 *  68. an unknown monitor mode, a monitor that is not a key name, or a monitored key missing from the logs during fit
 *  Data helpers and losses
 *  69. batchIndices / shuffledIndices counts that are not non-negative integers, batch sizes that are not positive integers
 *  70. takeRows indices out of range or fractional, sliceRows bounds outside 0 <= start <= end <= rows
 *  71. shuffledIndices without an Rng
 *  72. labelSmoothing outside [0, 1]
 *  73. binaryCrossentropy targets outside [0, 1] or NaN, which would give a negative loss
 *  74. one-hot labels for sparseCategoricalAccuracy, which would silently give a wrong accuracy
 *  Autodiff, testing and seeding
 *  75. grad, valueAndGrad, vjp and checkGrad given something that is not a function
 *  76. layer.apply options that are not an object
 *  77. setSeed with a seed that is not an integer
 *  78. a saved model whose config asks for more weight values than its weights manifest holds (see corrupt-files.test.ts)
 *  Structural ops
 *  79. gather / scatterAdd indices out of range, fractional, NaN or not numbers; a bad axis; a bad scatterAdd size or updates shape
 *  80. stack of shapes that differ, of nothing or of a non-array; split counts that do not divide the axis, sizes that do not add up
 *  81. squeeze of an axis whose size is not 1; expandDims outside [-(rank + 1), rank]; tile reps of the wrong count or not counts
 *  82. topk with k outside [0, n] or on a scalar; argmin over an empty axis; norm with an unknown ord; cumsum options misspelt or not booleans
 *  83. einsum subscripts that do not fit: wrong operand count, rank or letter sizes, unknown or repeated output letters, '...', stray characters
 *  84. conv2d groups that do not divide the channels, dilations that are not positive integers; conv2dTranspose operands of the wrong
 *      rank, a channel mismatch, bad strides or padding
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Activation, ConfigError, add, Conv2D, Dense, Dropout, EarlyStopping, Flatten, InputLayer, MaxPooling2D,
  ReduceLROnPlateau, Rng, SemiflowError, Sequential, ShapeError, Tensor, ValueError, abs, adam, applyGradients,
  arange, argmax, avgPool2d, batchIndices, binaryCrossentropy, cast, categoricalCrossentropy, clip, concat, conv2d,
  cosineDecay, createTrainState, div, equal, exp, expand, exponentialDecay, eye, fill, flatten, greater,
  greaterEqual, less, lessEqual, log, logSoftmax, logsumexp, matmul, max, maxPool2d, maximum, mean, min, minimum,
  mul, oneHot, ones, pad, permute, pow, randomNormal, randomUniform, reshape, rmsprop, sgd, shuffledIndices, sigmoid,
  slice, sliceRows, softmax, sparseCategoricalCrossentropy, sqrt, square, sub, sum, takeRows, tanh, tensor,
  transpose, unfold, where, zeros, zerosLike, grad, valueAndGrad, vjp, setSeed, argmin, conv2dTranspose, cumsum,
  einsum, expandDims, gather, norm, scatterAdd, split, squeeze, stack, tile, topk, unstack,
} from 'semiflow';
import { checkGrad } from 'semiflow/testing';
import type { DType, NestedArray } from 'semiflow';
import { thrown } from './thrown.ts';

type ErrorKind = typeof ShapeError | typeof ValueError | typeof ConfigError;

/** Who must speak first (a name, or a pattern for auto-named layers), and two pieces of the message: the input and the rule. */
interface Refusal {
  who: string | RegExp;
  given: string;
  expected: string;
}

/** The one assertion of this file: a typed SemiflowError whose message starts with `who: ` and holds what was given and expected. */
function expectRefusal(error: unknown, kind: ErrorKind, { who, given, expected }: Refusal): void {
  expect(error).toBeInstanceOf(kind);
  expect(error).toBeInstanceOf(SemiflowError);
  const { message } = error as Error;
  if (typeof who === 'string') expect(message.slice(0, who.length + 2), message).toBe(`${who}: `);
  else expect(message).toMatch(new RegExp(`^(?:${who.source}): `));
  expect(message).toContain(given);
  expect(message).toContain(expected);
}

function refuses(run: () => unknown, kind: ErrorKind, refusal: Refusal): void {
  expectRefusal(thrown(run), kind, refusal);
}

const NOTHING = Symbol('nothing thrown');

/** refuses for async calls (fit): the promise must reject, whether the error comes before or after the first await. */
async function rejects(run: () => Promise<unknown>, kind: ErrorKind, refusal: Refusal): Promise<void> {
  let error: unknown = NOTHING;
  try {
    await run();
  } catch (caught) {
    error = caught;
  }
  if (error === NOTHING) throw new Error('expected a rejection, but the promise resolved');
  expectRefusal(error, kind, refusal);
}

/** How messages show a value: numbers as JS prints them, strings quoted, other things by kind. */
function shown(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

const fmt = (shape: readonly number[]): string => `[${shape.join(',')}]`;
const RUNS = { numRuns: 30 };
const FEW = { numRuns: 20 };

// Arbitraries of wrong values, shared by many classes.
const nonFinite = fc.constantFrom(Number.NaN, Infinity, -Infinity);
/** Halves, never integers. */
const fractional = fc.integer({ min: -40, max: 40 }).map((n) => n + 0.5);
const negativeInt = fc.integer({ min: -1000, max: -1 });
const numericString = fc.integer({ min: 1, max: 99 }).map(String);
/** Anything but a positive integer. */
const notPositiveInt = fc.oneof(fc.constant(0), negativeInt, fractional, nonFinite, numericString);
/** Anything but a non-negative integer. */
const notCount = fc.oneof(negativeInt, fractional, nonFinite, numericString);
/** Anything but a positive finite number. */
const notPositive = fc.oneof(fc.constant(0), negativeInt, fc.double({ min: -1e6, max: -1e-9, noNaN: true }), nonFinite, numericString);
const nonTensor = fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null), fc.constant([1, 2]), fc.constant({ a: 1 }));
const nonBoolean = fc.oneof(fc.constantFrom('yes', 'true', 0, 1, 'false'), fc.integer({ min: 2, max: 9 }));
/** A name no table holds: every valid name starts with a lower-case letter other than x. */
const unknownName = fc.string({ maxLength: 8 }).map((s) => `x${s}`);
const smallShape = (minRank: number, maxRank: number, minDim = 1) => fc.array(fc.integer({ min: minDim, max: 4 }), { minLength: minRank, maxLength: maxRank });

/** A tiny classifier on [3] features with two softmax outputs. */
function mlp(name?: string, compile = true): Sequential {
  const model = new Sequential(name === undefined ? { seed: 1 } : { seed: 1, name });
  model.add(new Dense(4, { activation: 'relu', inputShape: [3] }));
  model.add(new Dense(2, { activation: 'softmax' }));
  if (compile) model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const xOf = (rows: number) => randomNormal([rows, 3], { seed: rows });
const yOf = (rows: number) => oneHot(Array.from({ length: rows }, (_, i) => i % 2), 2);
const silent = { verbose: 0 } as const;

describe('tensor creation', () => {
  const creators: [string, (shape: number[]) => unknown][] = [
    ['tensor', (s) => tensor([], s)], ['zeros', (s) => zeros(s)], ['ones', (s) => ones(s)], ['fill', (s) => fill(s, 2)],
    ['randomNormal', (s) => randomNormal(s)], ['randomUniform', (s) => randomUniform(s)], ['expand', (s) => expand(ones([1]), s)],
  ];

  it('1. dims that are negative, fractional, NaN or infinite', () => {
    const badDim = fc.oneof(negativeInt, fractional, nonFinite);
    fc.assert(fc.property(fc.constantFrom(...creators), smallShape(0, 3), badDim, fc.nat(), ([op, create], shape, dim, at) => {
      const bad = [...shape];
      bad.splice(at % (shape.length + 1), 0, dim);
      refuses(() => create(bad), ShapeError, { who: op, given: fmt(bad), expected: 'every dimension must be a non-negative integer' });
    }), RUNS);
    fc.assert(fc.property(badDim, (n) => {
      refuses(() => eye(n), ShapeError, { who: 'eye', given: fmt([n, n]), expected: 'non-negative integer' });
    }), FEW);
  });

  it('2. a shape that is not an array', () => {
    const notArray = fc.oneof(fc.integer({ min: 0, max: 9 }), fc.string({ maxLength: 3 }), fc.constant(null), fc.constant({ length: 2 }));
    fc.assert(fc.property(fc.constantFrom(...creators.filter(([op]) => op !== 'expand')), notArray, ([op, create], shape) => {
      refuses(() => create(shape as never), ShapeError, { who: op, given: shown(shape), expected: 'a shape must be an array of integers' });
    }), RUNS);
  });

  it('3. more elements than a tensor can hold, refused before any allocation', () => {
    const huge = fc.tuple(fc.integer({ min: 70_000, max: 1e6 }), fc.integer({ min: 70_000, max: 1e6 }));
    const ops: [string, (shape: number[]) => unknown][] = [
      ['zeros', (s) => zeros(s)], ['fill', (s) => fill(s, 1)], ['randomUniform', (s) => randomUniform(s)], ['expand', (s) => expand(ones([1, 1]), s)],
    ];
    fc.assert(fc.property(fc.constantFrom(...ops), huge, ([op, create], shape) => {
      refuses(() => create(shape), ShapeError,
        { who: op, given: `${fmt(shape)} has ${shape[0] * shape[1]} elements`, expected: 'more than the 4294967296 a tensor can hold' });
    }), RUNS);
    fc.assert(fc.property(fc.integer({ min: 2 ** 32 + 1, max: 2 ** 40 }), (stop) => {
      refuses(() => arange(0, stop), ShapeError, { who: 'arange', given: fmt([stop]), expected: 'more than the 4294967296' });
    }), FEW);
  });

  it('4. ragged nested arrays', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.nat(), fc.integer({ min: 0, max: 5 }), (rows, width, at, other) => {
      const wrong = other === width ? width + 1 : other;
      const row = 1 + (at % (rows - 1));
      const values = Array.from({ length: rows }, (_, r) => Array.from({ length: r === row ? wrong : width }, (_, c) => r + c));
      refuses(() => tensor(values), ShapeError, { who: 'tensor', given: `found ${wrong}`, expected: `ragged nested array: expected ${width} entries at depth 1` });
    }), RUNS);
  });

  it('5. nested arrays holding something other than numbers', () => {
    const stranger = fc.oneof(fc.string({ maxLength: 3 }), fc.constant(null), fc.boolean(), fc.constant({}), fc.constant(undefined));
    fc.assert(fc.property(fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 6 }), fc.nat(), stranger, (values, at, odd) => {
      const mixed: unknown[] = [...values];
      mixed[at % values.length] = odd;
      refuses(() => tensor(mixed as NestedArray), ValueError, { who: 'tensor', given: `found ${typeof odd}`, expected: 'expected numbers or nested arrays of numbers' });
    }), RUNS);
  });

  it('6. a value count that does not match the shape', () => {
    fc.assert(fc.property(smallShape(1, 3), fc.integer({ min: 1, max: 5 }), (shape, extra) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: size + extra }, (_, i) => i);
      refuses(() => tensor(values, shape), ShapeError, { who: 'tensor', given: `got ${size + extra} values`, expected: `shape ${fmt(shape)} needs ${size}` });
    }), RUNS);
  });

  it('7. unknown dtype names', () => {
    const dtype = fc.oneof(fc.constantFrom('int32', 'float16', 'uint8', 'bool', 'Float32', ''), unknownName);
    const ops: [string, (d: DType) => unknown][] = [
      ['tensor', (d) => tensor([1, 2], undefined, d)], ['zeros', (d) => zeros([2], d)], ['fill', (d) => fill([2], 1, d)],
      ['arange', (d) => arange(3, undefined, 1, d)], ['eye', (d) => eye(2, 2, d)], ['randomNormal', (d) => randomNormal([2], { dtype: d })],
      ['cast', (d) => cast(ones([2]), d)],
    ];
    fc.assert(fc.property(fc.constantFrom(...ops), dtype, ([op, run], d) => {
      refuses(() => run(d as DType), ConfigError, { who: op, given: `unknown dtype '${d}'`, expected: 'expected one of float32, float64' });
    }), RUNS);
  });

  it('8. random-tensor parameters out of their domain', () => {
    const badStddev = fc.oneof(fc.double({ min: -1e6, max: -1e-9, noNaN: true }), nonFinite);
    fc.assert(fc.property(badStddev, (stddev) => {
      refuses(() => randomNormal([2], { stddev }), ValueError, { who: 'randomNormal', given: `stddev ${stddev}`, expected: 'stddev finite and >= 0' });
    }), FEW);
    fc.assert(fc.property(nonFinite, (mean) => {
      refuses(() => randomNormal([2], { mean }), ValueError, { who: 'randomNormal', given: `mean ${mean}`, expected: 'mean must be finite' });
    }), FEW);
    fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-6, max: 1e3, noNaN: true }), (max, gap) => {
      const min = max + gap;
      refuses(() => randomUniform([2], { min, max }), ValueError, { who: 'randomUniform', given: `got min ${min}, max ${max}`, expected: 'expected finite min <= max' });
    }), FEW);
  });

  it('9. seeds that are not integers with |seed| < 2^53', async () => {
    const badSeed = fc.oneof(nonFinite, fractional, numericString, fc.constant(null), fc.constantFrom(2 ** 53, -(2 ** 60)));
    const rule = 'seed must be an integer with |seed| < 2^53';
    const ops: [string, (seed: number) => unknown][] = [
      ['randomNormal', (seed) => randomNormal([2], { seed })],
      ['randomUniform', (seed) => randomUniform([2], { seed })],
      ['batchIndices', (seed) => batchIndices(4, 2, { shuffle: true, seed })],
      ['createTrainState', (seed) => createTrainState({ w: ones([2]) }, adam(), seed)],
      ['setSeed', (seed) => setSeed(seed)],
    ];
    fc.assert(fc.property(fc.constantFrom(...ops), badSeed, ([op, run], seed) => {
      refuses(() => run(seed as number), ValueError, { who: op, given: shown(seed), expected: rule });
    }), RUNS);
    fc.assert(fc.property(badSeed, (seed) => {
      refuses(() => new Sequential({ seed: seed as number }), ValueError, { who: /sequential_\d+/, given: shown(seed), expected: rule });
      refuses(() => new Dropout(0.5, { seed: seed as number }), ValueError, { who: /dropout_\d+/, given: shown(seed), expected: rule });
    }), FEW);
    await fc.assert(fc.asyncProperty(badSeed, async (seed) => {
      const model = mlp('seeded');
      await rejects(() => model.fit(xOf(4), yOf(4), { seed: seed as number, ...silent }), ValueError, { who: 'seeded.fit', given: shown(seed), expected: rule });
    }), FEW);
  });

  it('10. misspelt option keys', async () => {
    const ops: [string | RegExp, (options: object) => unknown][] = [
      ['randomNormal', (o) => randomNormal([2], o)], ['conv2d', (o) => conv2d(zeros([1, 3, 3, 1]), zeros([1, 1, 1, 1]), o)],
      ['maxPool2d', (o) => maxPool2d(zeros([1, 2, 2, 1]), { poolSize: 1, ...o })], [/dense_\d+/, (o) => new Dense(2, o)],
      [/conv2d_\d+/, (o) => new Conv2D(2, 3, o)], ['Sequential', (o) => new Sequential(o)], ['adam', (o) => adam(o)],
      ['EarlyStopping', (o) => new EarlyStopping(o)], ['batchIndices', (o) => batchIndices(4, 2, o)],
      ['typo.compile', (o) => mlp('typo', false).compile({ loss: 'mse', ...o })], ['typo.predict', (o) => mlp('typo').predict(xOf(2), o)],
    ];
    fc.assert(fc.property(fc.constantFrom(...ops), unknownName, ([who, run], key) => {
      refuses(() => run({ [key]: 1 }), ConfigError, { who, given: `unknown option '${key}'`, expected: 'valid options are' });
    }), RUNS);
    await fc.assert(fc.asyncProperty(fc.constantFrom('epoch', 'batch_size', 'validation_split', 'Epochs'), async (key) => {
      await rejects(() => mlp('typo').fit(xOf(4), yOf(4), { [key]: 2, ...silent }), ConfigError,
        { who: 'typo.fit', given: `unknown option '${key}'`, expected: 'valid options are epochs' });
    }), FEW);
  });

  it('11. a non-tensor where a tensor is expected', () => {
    const ops: [string | RegExp, (x: never) => unknown][] = [
      ['exp', (x) => exp(x)], ['log', (x) => log(x)], ['sqrt', (x) => sqrt(x)], ['square', (x) => square(x)], ['abs', (x) => abs(x)],
      ['sigmoid', (x) => sigmoid(x)], ['tanh', (x) => tanh(x)], ['softmax', (x) => softmax(x)], ['logSoftmax', (x) => logSoftmax(x)],
      ['sum', (x) => sum(x)], ['mean', (x) => mean(x)], ['min', (x) => min(x)], ['logsumexp', (x) => logsumexp(x)], ['argmax', (x) => argmax(x)],
      ['reshape', (x) => reshape(x, [1])], ['transpose', (x) => transpose(x)], ['flatten', (x) => flatten(x)], ['pow', (x) => pow(x, 2)],
      ['clip', (x) => clip(x, 0, 1)], ['matmul', (x) => matmul(x, ones([2, 2]))], ['conv2d', (x) => conv2d(x, ones([1, 1, 1, 1]))],
      ['maxPool2d', (x) => maxPool2d(x, { poolSize: 2 })], ['avgPool2d', (x) => avgPool2d(x, { poolSize: 2 })], ['zerosLike', (x) => zerosLike(x)],
      ['takeRows', (x) => takeRows(x, [0])], ['sliceRows', (x) => sliceRows(x, 0, 1)], [/dense_\d+/, (x) => new Dense(2).apply(x)],
      ['tensorless.predict', (x) => mlp('tensorless').predict(x)],
    ];
    fc.assert(fc.property(fc.constantFrom(...ops), nonTensor, ([who, run], value) => {
      refuses(() => run(value as never), ValueError, { who, given: shown(value), expected: 'Tensor' });
    }), { numRuns: 60 });
  });

  it('12. Tensor methods misused', () => {
    fc.assert(fc.property(smallShape(1, 3, 0).filter((s) => s.reduce((a, b) => a * b, 1) !== 1), (shape) => {
      refuses(() => zeros(shape).item(), ValueError, { who: 'item', given: `got shape ${fmt(shape)}`, expected: 'expected a tensor with one element' });
    }), RUNS);
    fc.assert(fc.property(nonTensor.filter((v) => !Array.isArray(v)), (others) => {
      refuses(() => ones([2]).concat(others as never), ValueError, { who: 'concat', given: shown(others), expected: 'others must be an array of tensors' });
    }), FEW);
  });

  it('13. the low-level Tensor constructor', () => {
    fc.assert(fc.property(fc.array(fc.double(), { maxLength: 4 }), (values) => {
      refuses(() => new Tensor(values as never, [values.length]), ValueError,
        { who: 'Tensor', given: 'an array', expected: 'storage must be a Float32Array or a Float64Array' });
    }), FEW);
    fc.assert(fc.property(negativeInt, negativeInt, (a, b) => {
      refuses(() => new Tensor(new Float32Array(a * b), [a, b]), ValueError,
        { who: 'Tensor', given: fmt([a, b]), expected: 'shape must be an array of non-negative integers' });
    }), FEW);
    fc.assert(fc.property(smallShape(1, 3), fc.integer({ min: 1, max: 4 }), (shape, extra) => {
      const size = shape.reduce((a, b) => a * b, 1);
      refuses(() => new Tensor(new Float64Array(size + extra), shape), ValueError,
        { who: 'Tensor', given: `data has ${size + extra} values`, expected: `needs ${size}` });
    }), FEW);
  });
});

describe('ops', () => {
  /** Two shapes that agree except on one axis, where both dims exceed 1 and differ. */
  const clashingShapes = smallShape(1, 3).chain((shape) => fc.tuple(fc.constant(shape), fc.nat({ max: shape.length - 1 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 5 })))
    .map(([shape, axis, d1, d2]) => {
      const a = [...shape];
      const b = [...shape];
      a[axis] = d1;
      b[axis] = d1 === d2 ? d2 + 1 : d2;
      return [a, b] as const;
    });

  it('14. shapes that do not broadcast', () => {
    const ops: [string, (a: never, b: never) => unknown][] = [
      ['add', (a, b) => add(a, b)], ['sub', (a, b) => sub(a, b)], ['mul', (a, b) => mul(a, b)], ['div', (a, b) => div(a, b)], ['maximum', (a, b) => maximum(a, b)],
      ['minimum', (a, b) => minimum(a, b)], ['less', (a, b) => less(a, b)], ['greater', (a, b) => greater(a, b)], ['lessEqual', (a, b) => lessEqual(a, b)],
      ['greaterEqual', (a, b) => greaterEqual(a, b)], ['equal', (a, b) => equal(a, b)], ['where', (a, b) => where(a, b, 0)],
    ];
    fc.assert(fc.property(fc.constantFrom(...ops), clashingShapes, ([op, run], [a, b]) => {
      refuses(() => run(ones(a) as never, ones(b) as never), ShapeError, { who: op, given: `${fmt(a)} and ${fmt(b)}`, expected: 'cannot be broadcast together' });
    }), RUNS);
  });

  it('15. operands that are neither tensors nor numbers', () => {
    const operand = fc.oneof(fc.string({ maxLength: 3 }), fc.constant(null), fc.constant([1]), fc.boolean());
    const ops: [string, (a: never, b: never) => unknown][] = [
      ['add', (a, b) => add(a, b)], ['mul', (a, b) => mul(a, b)], ['less', (a, b) => less(a, b)], ['maximum', (a, b) => maximum(a, b)],
    ];
    fc.assert(fc.property(fc.constantFrom(...ops), operand, ([op, run], value) => {
      refuses(() => run(ones([2]) as never, value as never), ValueError, { who: op, given: shown(value), expected: 'operand 1 must be a Tensor or a number' });
    }), RUNS);
  });

  it('16. matmul with differing inner dimensions', () => {
    const dims = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), smallShape(0, 2));
    fc.assert(fc.property(dims, ([m, k, n, shift, batch]) => {
      const a = [...batch, m, k];
      const b = [...batch, k + shift, n];
      refuses(() => matmul(ones(a), ones(b)), ShapeError, { who: 'matmul', given: `${fmt(a)} and ${fmt(b)}`, expected: `inner dimensions differ` });
      refuses(() => matmul(ones([k]), ones([k + shift])), ShapeError, { who: 'matmul', given: `(${k} vs ${k + shift})`, expected: 'inner dimensions differ' });
    }), RUNS);
  });

  it('17. matmul with a scalar operand or batch dims that do not broadcast', () => {
    fc.assert(fc.property(smallShape(1, 3), (shape) => {
      refuses(() => matmul(ones([]), ones(shape)), ShapeError, { who: 'matmul', given: `[] and ${fmt(shape)}`, expected: 'operands must have rank >= 1' });
    }), FEW);
    fc.assert(fc.property(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 3 }), (batch, shift) => {
      refuses(() => matmul(ones([batch, 2, 2]), ones([batch + shift, 2, 2])), ShapeError,
        { who: 'matmul', given: `[${batch}] and [${batch + shift}]`, expected: 'cannot be broadcast together' });
    }), FEW);
  });

  const reductions: [string, (x: Tensor, axis: never) => unknown][] = [
    ['sum', (x, a) => sum(x, a)], ['max', (x, a) => max(x, a)], ['min', (x, a) => min(x, a)], ['mean', (x, a) => mean(x, a)],
    ['logsumexp', (x, a) => logsumexp(x, a)], ['softmax', (x, a) => softmax(x, a)], ['logSoftmax', (x, a) => logSoftmax(x, a)],
  ];

  it('18. an axis out of range, fractional or NaN', () => {
    const ops: [string, (x: Tensor, axis: never) => unknown][] = [
      ...reductions, ['argmax', (x, a) => argmax(x, a)], ['flatten', (x, a) => flatten(x, a)], ['concat', (x, a) => concat([x, x], a)],
    ];
    const outside = (rank: number) => fc.oneof(fc.integer({ min: rank, max: rank + 5 }), fc.integer({ min: -rank - 5, max: -rank - 1 }), fractional, fc.constant(Number.NaN));
    fc.assert(fc.property(fc.constantFrom(...ops), smallShape(1, 4).chain((s) => fc.tuple(fc.constant(s), outside(s.length))), ([op, run], [shape, axis]) => {
      const r = shape.length;
      refuses(() => run(ones(shape), axis as never), ShapeError,
        { who: op, given: `axis ${axis} is out of range for a tensor of rank ${r}`, expected: `expected an integer in [${-r}, ${r - 1}]` });
    }), { numRuns: 60 });
  });

  it('19. axes of the wrong type, or repeated', () => {
    const wrongType = fc.oneof(fc.constantFrom('0', '-1'), fc.constant({ axis: 0 }), fc.constant(true));
    fc.assert(fc.property(fc.constantFrom(...reductions), wrongType, ([op, run], axis) => {
      refuses(() => run(ones([2, 3]), axis as never), ShapeError, { who: op, given: shown(axis), expected: 'axis must be an integer or an array of integers' });
    }), RUNS);
    fc.assert(fc.property(fc.constantFrom(...reductions.slice(0, 5)), fc.integer({ min: 0, max: 2 }), ([op, run], a) => {
      refuses(() => run(ones([2, 3, 4]), [a, a - 3] as never), ShapeError, { who: op, given: `[${a},${a - 3}]`, expected: 'repeated axis' });
    }), RUNS);
  });

  it('20. max-like reductions over an empty axis', () => {
    const ops = [...reductions.filter(([op]) => op !== 'sum'), ['argmax', (x: Tensor, a: never) => argmax(x, a)] as const];
    fc.assert(fc.property(fc.constantFrom(...ops), smallShape(1, 3).chain((s) => fc.tuple(fc.constant(s), fc.nat({ max: s.length - 1 }))), ([op, run], [shape, axis]) => {
      const empty = [...shape];
      empty[axis] = 0;
      refuses(() => run(zeros(empty), axis as never), ShapeError, { who: op, given: fmt(empty), expected: 'cannot reduce an empty axis' });
    }), RUNS);
  });

  it('21. reshape to another element count, an uninferable -1, or a non-array', () => {
    fc.assert(fc.property(smallShape(1, 3), smallShape(1, 3), (from, to) => {
      const [a, b] = [from, to].map((s) => s.reduce((p, d) => p * d, 1));
      if (a === b) to = [...to, 2];
      const size = to.reduce((p, d) => p * d, 1);
      refuses(() => reshape(ones(from), to), ShapeError,
        { who: 'reshape', given: `cannot reshape ${fmt(from)} (${a} elements)`, expected: `to ${fmt(to)} (${size} elements)` });
    }), RUNS);
    fc.assert(fc.property(fc.integer({ min: 2, max: 5 }), (k) => {
      refuses(() => reshape(ones([k * 2 + 1]), [2, -1]), ShapeError, { who: 'reshape', given: `[2,-1] for [${k * 2 + 1}]`, expected: 'cannot infer the -1' });
    }), FEW);
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.string({ maxLength: 3 })), (shape) => {
      refuses(() => reshape(ones([2]), shape as never), ShapeError, { who: 'reshape', given: shown(shape), expected: 'a shape must be an array of integers' });
    }), FEW);
  });

  it('22. permute and transpose with something that is not a permutation', () => {
    const notPermutation = smallShape(1, 4).chain((shape) => fc.tuple(fc.constant(shape), fc.array(fc.nat({ max: shape.length - 1 }), { maxLength: shape.length + 1 })
      .filter((p) => p.length !== shape.length || new Set(p).size !== p.length)));
    fc.assert(fc.property(fc.constantFrom(['permute', permute] as const, ['transpose', transpose] as const), notPermutation, ([op, run], [shape, perm]) => {
      refuses(() => run(ones(shape), perm), ShapeError,
        { who: op, given: `[${perm.join(',')}]`, expected: `is not a permutation of the ${shape.length} axes of ${fmt(shape)}` });
    }), RUNS);
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.string({ maxLength: 2 })), (perm) => {
      refuses(() => permute(ones([2, 3]), perm as never), ShapeError, { who: 'permute', given: shown(perm), expected: 'perm must be an array of axes' });
      refuses(() => transpose(ones([2, 3]), perm as never), ShapeError, { who: 'transpose', given: shown(perm), expected: 'perm must be an array of axes' });
    }), FEW);
  });

  it('23. slice outside the tensor, with negative or fractional bounds, or without arrays', () => {
    const outOfBounds = smallShape(1, 3).chain((shape) => fc.tuple(fc.constant(shape), fc.nat({ max: shape.length - 1 }), fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(0.5), fc.constant(-1))));
    fc.assert(fc.property(outOfBounds, ([shape, axis, over]) => {
      const begin = shape.map(() => 0);
      const size = [...shape];
      if (over > 0 && Number.isInteger(over)) size[axis] += over; else begin[axis] = over;
      refuses(() => slice(ones(shape), begin, size), ShapeError, { who: 'slice', given: `begin [${begin.join(',')}]`, expected: `do not fit in shape ${fmt(shape)}` });
    }), RUNS);
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.constant(null)), (begin) => {
      refuses(() => slice(ones([2, 3]), begin as never), ShapeError, { who: 'slice', given: shown(begin), expected: 'must be arrays of 2 integers' });
    }), FEW);
  });

  it('24. pad with the wrong number of pairs, bad amounts, or entries that are not pairs', () => {
    fc.assert(fc.property(smallShape(1, 3), fc.integer({ min: 0, max: 5 }), (shape, count) => {
      const pairs = Array.from({ length: count === shape.length ? count + 1 : count }, () => [1, 1] as const);
      refuses(() => pad(ones(shape), pairs), ShapeError, { who: 'pad', given: `got ${pairs.length}`, expected: `expected ${shape.length} [before, after] pairs` });
    }), RUNS);
    fc.assert(fc.property(smallShape(1, 3).chain((s) => fc.tuple(fc.constant(s), fc.nat({ max: s.length - 1 }), fc.oneof(negativeInt, fractional.filter((v) => v > 0)))), ([shape, axis, amount]) => {
      const pairs = shape.map((_, i): [number, number] => (i === axis ? [0, amount] : [0, 0]));
      refuses(() => pad(ones(shape), pairs), ShapeError, { who: 'pad', given: JSON.stringify(pairs), expected: 'pairs of non-negative integers' });
    }), RUNS);
    fc.assert(fc.property(fc.integer({ min: 0, max: 3 }), (n) => {
      refuses(() => pad(ones([2, 2]), [n, n] as never), ShapeError, { who: 'pad', given: `[${n},${n}]`, expected: 'expected 2 [before, after] pairs' });
    }), FEW);
  });

  it('25. concat of shapes that differ outside the axis, of nothing, or of a non-array', () => {
    const clash = fc.tuple(smallShape(2, 3), fc.nat(), fc.integer({ min: 1, max: 3 })).map(([shape, at, shift]) => {
      const clashAxis = at % shape.length;
      const b = [...shape];
      b[clashAxis] += shift;
      return [shape, b, (clashAxis + 1) % shape.length] as const;
    });
    fc.assert(fc.property(clash, ([a, b, axis]) => {
      refuses(() => concat([ones(a), ones(b)], axis), ShapeError, { who: 'concat', given: `shapes ${fmt(a)}, ${fmt(b)}`, expected: `do not match outside axis ${axis}` });
    }), RUNS);
    refuses(() => concat([]), ValueError, { who: 'concat', given: 'needs at least one tensor', expected: 'at least one' });
    fc.assert(fc.property(nonTensor.filter((v) => !Array.isArray(v)), (value) => {
      refuses(() => concat(value as never), ValueError, { who: 'concat', given: shown(value), expected: 'tensors must be an array of tensors' });
    }), FEW);
  });

  it('26. pow and clip parameters', () => {
    fc.assert(fc.property(fc.oneof(nonFinite, numericString, fc.constant(null)), (p) => {
      refuses(() => pow(ones([2]), p as number), ValueError, { who: 'pow', given: shown(p), expected: 'the exponent must be a finite number' });
    }), FEW);
    fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-6, max: 1e3, noNaN: true }), (max, gap) => {
      refuses(() => clip(ones([2]), max + gap, max), ValueError, { who: 'clip', given: `got min ${max + gap}, max ${max}`, expected: 'expected numbers min <= max' });
    }), FEW);
    fc.assert(fc.property(fc.oneof(fc.constant(Number.NaN), numericString, fc.constant(null)), (bound) => {
      refuses(() => clip(ones([2]), bound as number, 1), ValueError, { who: 'clip', given: shown(bound), expected: 'expected numbers min <= max' });
    }), FEW);
  });

  it('27. oneHot depth and indices', () => {
    fc.assert(fc.property(notPositiveInt, (depth) => {
      refuses(() => oneHot([0], depth as number), ValueError, { who: 'oneHot', given: shown(depth), expected: 'depth must be a positive integer' });
    }), FEW);
    const labels = fc.integer({ min: 2, max: 6 }).chain((depth) => fc.tuple(fc.constant(depth), fc.array(fc.nat({ max: depth - 1 }), { minLength: 1, maxLength: 8 }), fc.nat(),
      fc.oneof(fc.integer({ min: depth, max: depth + 9 }), negativeInt, fc.nat({ max: depth - 2 }).map((n) => n + 0.5), fc.constant(Number.NaN))));
    fc.assert(fc.property(labels, ([depth, valid, at, bad]) => {
      const indices = [...valid];
      const position = at % indices.length;
      indices[position] = bad;
      refuses(() => oneHot(tensor(indices), depth), ValueError,
        { who: 'oneHot', given: `got ${bad} at flat position ${position}`, expected: `every index must be an integer in [0, ${depth})` });
    }), RUNS);
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 3 }), fc.constant(null), fc.constant(3)), (indices) => {
      refuses(() => oneHot(indices as never, 3), ValueError, { who: 'oneHot', given: shown(indices), expected: 'indices must be a Tensor or an array of integers' });
    }), FEW);
  });

  it('28. conv2d operands of the wrong rank, channel mismatch, empty kernel window', () => {
    fc.assert(fc.property(smallShape(0, 6).filter((s) => s.length !== 4), (shape) => {
      refuses(() => conv2d(ones(shape), ones([1, 1, 1, 1])), ShapeError,
        { who: 'conv2d', given: `got ${fmt(shape)} and [1,1,1,1]`, expected: 'expected input [N,H,W,C] and kernel [kh,kw,inC,outC]' });
    }), RUNS);
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), (c, shift) => {
      const x = [1, 4, 4, c];
      const k = [2, 2, c + shift, 2];
      refuses(() => conv2d(ones(x), ones(k)), ShapeError,
        { who: 'conv2d', given: `input ${fmt(x)} has ${c} channels`, expected: `kernel ${fmt(k)} expects ${c + shift}` });
    }), FEW);
    fc.assert(fc.property(fc.constantFrom([0, 2], [2, 0], [0, 0]), fc.constantFrom('valid', 'same') as fc.Arbitrary<'valid' | 'same'>, ([kh, kw], padding) => {
      refuses(() => conv2d(ones([1, 3, 3, 1]), zeros([kh, kw, 1, 1]), { padding }), ShapeError,
        { who: 'conv2d', given: fmt([kh, kw, 1, 1]), expected: 'has an empty window' });
    }), FEW);
  });

  it('29. window sizes and strides that are not positive integers or pairs of them', () => {
    const badWindow = fc.oneof(notPositiveInt, fc.tuple(fc.constant(2), notPositiveInt), fc.constant([2]), fc.constant([1, 1, 1]));
    const text = (v: unknown): string => (Array.isArray(v) ? `[${v.map((d) => (typeof d === 'string' ? `string ${JSON.stringify(d)}` : String(d))).join(',')}]`
      : typeof v === 'string' ? `string ${JSON.stringify(v)}` : String(v));
    const x = zeros([1, 6, 6, 1]);
    const ops: [string, string, (v: never) => unknown][] = [
      ['conv2d', 'strides', (v) => conv2d(x, zeros([2, 2, 1, 1]), { strides: v })],
      ['maxPool2d', 'poolSize', (v) => maxPool2d(x, { poolSize: v })], ['maxPool2d', 'strides', (v) => maxPool2d(x, { poolSize: 2, strides: v })],
      ['avgPool2d', 'poolSize', (v) => avgPool2d(x, { poolSize: v })],
    ];
    fc.assert(fc.property(fc.constantFrom(...ops), badWindow, ([op, name, run], value) => {
      refuses(() => run(value as never), ValueError, { who: op, given: `got ${text(value)}`, expected: `${name} must be a positive integer or a pair of them` });
    }), { numRuns: 50 });
    fc.assert(fc.property(fc.tuple(fc.integer({ min: -3, max: 0 }), fc.integer({ min: 1, max: 3 })), (kernel) => {
      refuses(() => unfold(x, kernel), ValueError, { who: 'unfold', given: `kernel ${fmt(kernel)}`, expected: 'kernel, strides and dilations must be two positive integers each' });
    }), FEW);
    refuses(() => unfold(x, undefined as never), ValueError, { who: 'unfold', given: 'kernel undefined', expected: 'two positive integers each' });
  });

  it('30. unknown padding names', () => {
    const padding = fc.oneof(fc.constantFrom('SAME', 'Valid', 'full', 'causal', ''), unknownName);
    fc.assert(fc.property(padding, (p) => {
      refuses(() => conv2d(zeros([1, 3, 3, 1]), zeros([1, 1, 1, 1]), { padding: p as never }), ConfigError,
        { who: 'conv2d', given: `unknown padding '${p}'`, expected: "expected 'valid' or 'same'" });
      refuses(() => maxPool2d(zeros([1, 2, 2, 1]), { poolSize: 1, padding: p as never }), ConfigError,
        { who: 'maxPool2d', given: `unknown padding '${p}'`, expected: "expected 'valid' or 'same'" });
      // The layer lowercases the name, as Keras does ('SAME' is 'same').
      if (!['valid', 'same'].includes(p.toLowerCase())) {
        refuses(() => new Conv2D(1, 1, { padding: p as never }), ConfigError,
          { who: /conv2d_\d+/, given: JSON.stringify(p), expected: "padding must be one of 'valid', 'same'" });
      }
      refuses(() => new MaxPooling2D(2, { padding: p as never }), ConfigError,
        { who: /max_pooling2d_\d+/, given: JSON.stringify(p), expected: "padding must be one of 'valid', 'same'" });
    }), RUNS);
  });

  it('31. a window larger than the input with valid padding', () => {
    const sizes = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }));
    fc.assert(fc.property(sizes, ([h, extra]) => {
      const k = h + extra;
      const x = zeros([1, h, h, 1]);
      refuses(() => conv2d(x, zeros([k, k, 1, 1])), ShapeError, { who: 'conv2d', given: `input ${fmt(x.shape)}`, expected: `the ${k}x${k} window does not fit` });
      refuses(() => maxPool2d(x, { poolSize: k }), ShapeError, { who: 'maxPool2d', given: `input ${fmt(x.shape)}`, expected: `the ${k}x${k} window does not fit` });
      refuses(() => new Conv2D(1, k).apply(x), ShapeError,
        { who: /conv2d_\d+/, given: `${h}x${h} input ${fmt(x.shape)}`, expected: `the ${k}x${k} window does not fit` });
      refuses(() => new MaxPooling2D(k).apply(x), ShapeError,
        { who: /max_pooling2d_\d+/, given: `${h}x${h} input ${fmt(x.shape)}`, expected: `the ${k}x${k} window does not fit` });
    }), RUNS);
  });

  it('32. pooling without options or without a poolSize', () => {
    fc.assert(fc.property(fc.constantFrom<[string, typeof maxPool2d]>(['maxPool2d', maxPool2d], ['avgPool2d', avgPool2d]), ([op, pool]) => {
      refuses(() => pool(zeros([1, 2, 2, 1]), undefined as never), ConfigError, { who: op, given: 'options with a poolSize are required', expected: '{ poolSize: 2 }' });
      refuses(() => pool(zeros([1, 2, 2, 1]), {} as never), ValueError, { who: op, given: 'got undefined', expected: 'poolSize must be a positive integer' });
    }), { numRuns: 4 });
  });
});

describe('layers', () => {
  it('33. Dense units and Conv2D filters that are not positive integers', () => {
    fc.assert(fc.property(fc.oneof(notPositiveInt, fc.constant(null), fc.constant(undefined)), (n) => {
      refuses(() => new Dense(n as number), ValueError, { who: /dense_\d+/, given: shown(n), expected: 'units must be a positive integer' });
      refuses(() => new Conv2D(n as number, 3), ValueError, { who: /conv2d_\d+/, given: shown(n), expected: 'filters must be a positive integer' });
    }), RUNS);
  });

  it('34. kernel sizes, pool sizes and strides that are not positive integers or pairs', () => {
    const make: [RegExp, string, (v: never) => unknown][] = [
      [/conv2d_\d+/, 'kernelSize', (v) => new Conv2D(2, v)], [/conv2d_\d+/, 'strides', (v) => new Conv2D(2, 3, { strides: v })],
      [/max_pooling2d_\d+/, 'poolSize', (v) => new MaxPooling2D(v)], [/max_pooling2d_\d+/, 'strides', (v) => new MaxPooling2D(2, { strides: v })],
    ];
    const bad = fc.oneof(notPositiveInt.map((v) => [v, shown(v)] as const), notPositiveInt.map((v) => [[3, v], shown(v)] as const), fc.constant([[3], 'an array'] as const));
    fc.assert(fc.property(fc.constantFrom(...make), bad, ([who, name, run], [value, given]) => {
      refuses(() => run(value as never), ValueError, { who, given, expected: `${name} must be a positive integer` });
    }), { numRuns: 50 });
  });

  it('35. unknown activation names and activations of the wrong type', () => {
    fc.assert(fc.property(unknownName, (name) => {
      const makers = [
        [/dense_\d+/, () => new Dense(2, { activation: name })], [/conv2d_\d+/, () => new Conv2D(2, 3, { activation: name })], [/activation_\d+/, () => new Activation(name)],
      ] as const;
      for (const [who, make] of makers) {
        refuses(make, ConfigError, { who, given: `unknown activation '${name}'`, expected: 'expected one of linear, sigmoid, relu' });
      }
    }), RUNS);
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.constant(null), fc.constant({ name: 'relu' })), (activation) => {
      refuses(() => new Dense(2, { activation: activation as never }), ConfigError,
        { who: /dense_\d+/, given: shown(activation), expected: 'an activation must be a name, an Activation or a function' });
    }), FEW);
    refuses(() => new Activation(undefined as never), ConfigError, { who: /activation_\d+/, given: 'got undefined', expected: 'an activation is required' });
  });

  it('36. unknown initializer names, refused when the layer is made', () => {
    fc.assert(fc.property(unknownName, fc.constantFrom('kernelInitializer', 'biasInitializer'), (name, option) => {
      refuses(() => new Dense(2, { [option]: name }), ConfigError,
        { who: new RegExp(`dense_\\d+\\.${option}`), given: `unknown initializer '${name}'`, expected: 'expected one of zeros, ones' });
      refuses(() => new Conv2D(2, 3, { [option]: name }), ConfigError,
        { who: new RegExp(`conv2d_\\d+\\.${option}`), given: `unknown initializer '${name}'`, expected: 'expected one of zeros' });
    }), RUNS);
  });

  it('37. boolean options given something else', async () => {
    fc.assert(fc.property(nonBoolean, (value) => {
      refuses(() => new Dense(2, { useBias: value as never }), ConfigError, { who: /dense_\d+/, given: shown(value), expected: 'useBias must be true or false' });
      refuses(() => new Conv2D(2, 3, { useBias: value as never }), ConfigError, { who: /conv2d_\d+/, given: shown(value), expected: 'useBias must be true or false' });
      refuses(() => new Flatten({ trainable: value as never }), ConfigError, { who: /flatten_\d+/, given: shown(value), expected: 'trainable must be true or false' });
      refuses(() => batchIndices(4, 2, { shuffle: value as never }), ConfigError,
        { who: 'batchIndices', given: shown(value), expected: 'shuffle must be true or false' });
      refuses(() => categoricalCrossentropy({ fromLogits: value as never }), ConfigError,
        { who: 'categoricalCrossentropy', given: shown(value), expected: 'fromLogits must be true or false' });
    }), RUNS);
    await fc.assert(fc.asyncProperty(nonBoolean, async (value) => {
      await rejects(() => mlp('flags').fit(xOf(4), yOf(4), { shuffle: value as never, ...silent }), ConfigError,
        { who: 'flags.fit', given: shown(value), expected: 'shuffle must be true or false' });
    }), FEW);
  });

  it('38. an inputShape with bad dims, or not an array', () => {
    const badShape = smallShape(0, 2).chain((s) => fc.tuple(fc.constant(s), fc.oneof(fc.constant(0), negativeInt, fractional.filter((v) => v > 0), fc.constant(Number.NaN)), fc.nat()))
      .map(([shape, dim, at]) => { const bad = [...shape]; bad.splice(at % (shape.length + 1), 0, dim); return bad; });
    fc.assert(fc.property(badShape, (shape) => {
      refuses(() => new Dense(2, { inputShape: shape }), ShapeError,
        { who: /dense_\d+/, given: `got ${fmt(shape)}`, expected: 'inputShape must be positive integers without the batch axis' });
      const model = new Sequential({ name: 'unbuilt', layers: [new Dense(2)] });
      refuses(() => model.build(shape), ShapeError, { who: 'unbuilt.build', given: `got ${fmt(shape)}`, expected: 'must be positive integers without the batch axis' });
    }), RUNS);
    fc.assert(fc.property(fc.oneof(fc.integer({ min: 1, max: 9 }), fc.string({ maxLength: 3 })), (shape) => {
      refuses(() => new Conv2D(2, 3, { inputShape: shape as never }), ShapeError,
        { who: /conv2d_\d+/, given: shown(shape), expected: 'inputShape must be positive integers' });
    }), FEW);
  });

  it('39. Dropout rate outside [0, 1)', () => {
    const rate = fc.oneof(fc.double({ min: 1, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: -1e-9, noNaN: true }), nonFinite, fc.constantFrom('0.5', null));
    fc.assert(fc.property(rate, (r) => {
      refuses(() => new Dropout(r as number), ValueError, { who: /dropout_\d+/, given: shown(r), expected: 'rate must be a number in [0, 1)' });
    }), RUNS);
  });

  it('40. input of the wrong rank for a layer', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), (n) => {
      refuses(() => new Dense(2).apply(ones([n])), ShapeError, { who: /dense_\d+/, given: `got [${n}]`, expected: 'expected input [batch,features]' });
      refuses(() => new Flatten().apply(ones([n])), ShapeError,
        { who: /flatten_\d+/, given: `got [${n}]`, expected: 'expected input with a batch axis and at least one more' });
    }), FEW);
    fc.assert(fc.property(smallShape(1, 6).filter((s) => s.length !== 4), (shape) => {
      for (const [who, layer] of [[/conv2d_\d+/, new Conv2D(1, 1)], [/max_pooling2d_\d+/, new MaxPooling2D(1)]] as const) {
        refuses(() => layer.apply(ones(shape)), ShapeError,
          { who, given: `got rank ${shape.length} ${fmt(shape)}`, expected: 'expected input of rank 4 [batch,height,width,channels]' });
      }
    }), RUNS);
  });

  it('41. a zero-size dimension after the batch axis', async () => {
    const withZero = smallShape(1, 3).chain((s) => fc.tuple(fc.constant(s), fc.nat({ max: s.length - 1 }))).map(([s, at]) => { const z = [...s]; z[at] = 0; return [2, ...z]; });
    fc.assert(fc.property(withZero, (shape) => {
      refuses(() => new Dense(2).apply(zeros(shape)), ShapeError,
        { who: /dense_\d+/, given: `got ${fmt(shape)}`, expected: 'dimensions after the batch axis are all positive' });
      const model = new Sequential({ name: 'fromdata', layers: [new Flatten(), new Dense(2)] });
      refuses(() => model.predict(zeros(shape)), ShapeError,
        { who: 'fromdata.predict', given: `got ${fmt(shape)}`, expected: 'x must have positive dimensions after the batch axis' });
    }), RUNS);
  });

  it('42. layer options that are not an object', () => {
    fc.assert(fc.property(fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 3 }), fc.constant([1])), (options) => {
      const makers = [
        ['Dense', () => new Dense(2, options as never)], ['Flatten', () => new Flatten(options as never)], ['MaxPooling2D', () => new MaxPooling2D(2, options as never)],
      ] as const;
      for (const [who, make] of makers) {
        refuses(make, ConfigError, { who, given: shown(options), expected: 'options must be an object' });
      }
    }), RUNS);
  });
});

describe('Sequential', () => {
  it('43. add of a non-layer, a layer already in, a duplicate name, an InputLayer after others', () => {
    fc.assert(fc.property(fc.oneof(nonTensor, fc.constant(ones([2]))), (value) => {
      refuses(() => new Sequential({ name: 'stack' }).add(value as never), ConfigError,
        { who: 'stack.add', given: value instanceof Tensor ? 'an object (Tensor)' : shown(value), expected: 'expected a Layer' });
    }), RUNS);
    fc.assert(fc.property(fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/), (name) => {
      const model = new Sequential({ name: 'stack' }).add(new Dense(2, { name }));
      refuses(() => model.add(new Dense(3, { name })), ConfigError, { who: 'stack.add', given: `a layer named ${name}`, expected: 'is already in the model' });
      const layer = new Dense(2);
      model.add(layer);
      refuses(() => model.add(layer), ConfigError, { who: 'stack.add', given: layer.name, expected: 'is already in the model' });
      refuses(() => model.add(new InputLayer({ inputShape: [2] })), ConfigError, { who: 'stack.add', given: 'an InputLayer', expected: 'can only come first' });
    }), RUNS);
    refuses(() => new Sequential({ name: 'stack', layers: 3 as never }), ConfigError, { who: 'stack', given: 'number 3', expected: 'layers must be an array of layers' });
  });

  it('44. add after compile', () => {
    fc.assert(fc.property(fc.constantFrom(() => new Dense(2), () => new Flatten(), () => new Dropout(0.1), () => new Activation('relu')), (make) => {
      const model = mlp('done');
      const layer = make();
      refuses(() => model.add(layer), ConfigError,
        { who: 'done.add', given: `cannot add ${layer.name}`, expected: 'after compile(); add every layer first, then compile' });
    }), FEW);
  });

  it('45. a model used before it can be', async () => {
    fc.assert(fc.property(fc.constantFrom('getWeights', 'setWeights'), (method) => {
      const model = new Sequential({ name: 'early', layers: [new Dense(2, { name: 'head' })] });
      const call = method === 'getWeights' ? () => model.getWeights() : () => model.setWeights([]);
      refuses(call, ConfigError, { who: `early.${method}`, given: '(head has no weights yet)', expected: 'the model is not built yet' });
      refuses(() => new Sequential({ name: 'bare' })[method]([]), ConfigError,
        { who: `bare.${method}`, given: '(it has no layers)', expected: 'the model is not built yet' });
    }), { numRuns: 4 });
    refuses(() => new Sequential({ name: 'bare' }).predict(xOf(2)), ConfigError, { who: 'bare.predict', given: 'the model has no layers', expected: 'add some first' });
    refuses(() => mlp('raw', false).evaluate(xOf(2), yOf(2)), ConfigError,
      { who: 'raw.evaluate', given: 'the model is not compiled', expected: 'call compile({optimizer, loss}) first' });
    await rejects(() => mlp('raw', false).fit(xOf(2), yOf(2)), ConfigError,
      { who: 'raw.fit', given: 'the model is not compiled', expected: 'call compile({optimizer, loss}) first' });
  });

  it('46. compile with unknown names, no loss, or metrics that are not a list', () => {
    fc.assert(fc.property(unknownName, (name) => {
      refuses(() => mlp('comp', false).compile({ loss: name }), ConfigError,
        { who: 'comp.compile', given: `unknown loss '${name}'`, expected: 'expected one of meanSquaredError' });
      refuses(() => mlp('comp', false).compile({ loss: 'mse', optimizer: name }), ConfigError,
        { who: 'comp.compile', given: `unknown optimizer '${name}'`, expected: 'expected one of sgd, momentum, rmsprop, adam, adamw' });
      refuses(() => mlp('comp', false).compile({ loss: 'mse', metrics: [name] }), ConfigError,
        { who: 'comp.compile', given: JSON.stringify(name), expected: 'valid metrics are accuracy' });
    }), RUNS);
    refuses(() => mlp('comp', false).compile({} as never), ConfigError,
      { who: 'comp.compile', given: 'a loss is required', expected: "like loss: 'categoricalCrossentropy'" });
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), (metrics) => {
      refuses(() => mlp('comp', false).compile({ loss: 'mse', metrics: metrics as never }), ConfigError,
        { who: 'comp.compile', given: shown(metrics), expected: 'metrics must be an array of names' });
    }), FEW);
  });

  it("47. fit's numbers NaN, infinite, negative, fractional or strings", async () => {
    const cases = fc.oneof(
      notPositiveInt.map((v) => ['epochs', v, 'epochs must be a positive integer'] as const),
      notPositiveInt.map((v) => ['batchSize', v, 'batchSize must be a positive integer'] as const),
      fc.oneof(fc.double({ min: 1, max: 10, noNaN: true }), fc.double({ min: -10, max: -1e-9, noNaN: true }), nonFinite, fc.constant('0.1'))
        .map((v) => ['validationSplit', v, 'validationSplit must be a number in [0, 1)'] as const),
      notCount.map((v) => ['initialEpoch', v, 'initialEpoch must be an integer >= 0'] as const),
    );
    await fc.assert(fc.asyncProperty(cases, async ([key, value, expected]) => {
      await rejects(() => mlp('opts').fit(xOf(4), yOf(4), { [key]: value, ...silent }), ValueError, { who: 'opts.fit', given: shown(value), expected });
    }), { numRuns: 40 });
  });

  it('48. verbose that is not 0, 1 or 2', async () => {
    const verbose = fc.oneof(fc.integer({ min: 3, max: 9 }), negativeInt, fractional, fc.constant(Number.NaN), fc.constantFrom('1', true));
    fc.assert(fc.property(verbose, (v) => {
      refuses(() => mlp('loud').predict(xOf(2), { verbose: v as never }), ConfigError, { who: 'loud.predict', given: shown(v), expected: 'verbose must be 0, 1 or 2' });
      refuses(() => mlp('loud').evaluate(xOf(2), yOf(2), { verbose: v as never }), ConfigError,
        { who: 'loud.evaluate', given: shown(v), expected: 'verbose must be 0, 1 or 2' });
    }), FEW);
    await fc.assert(fc.asyncProperty(fc.oneof(verbose, fc.constant('auto')), async (v) => {
      await rejects(() => mlp('loud').fit(xOf(2), yOf(2), { verbose: v as never }), ConfigError,
        { who: 'loud.fit', given: shown(v), expected: 'verbose must be 0, 1 or 2' });
    }), FEW);
  });

  it('49. initialEpoch at or past epochs', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 5 }), async (epochs, past) => {
      await rejects(() => mlp('resume').fit(xOf(4), yOf(4), { epochs, initialEpoch: epochs + past, ...silent }), ValueError,
        { who: 'resume.fit', given: `got initialEpoch ${epochs + past} and epochs ${epochs}`, expected: 'initialEpoch must be less than epochs' });
    }), FEW);
  });

  it('50. x and y with different numbers of samples', async () => {
    const rows = fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 })).filter(([a, b]) => a !== b);
    await fc.assert(fc.asyncProperty(rows, async ([nx, ny]) => {
      const given = `shapes [${nx},3] and [${ny},2]`;
      await rejects(() => mlp('pairs').fit(xOf(nx), yOf(ny), silent), ShapeError, { who: 'pairs.fit', given, expected: `x has ${nx} samples but y has ${ny}` });
      refuses(() => mlp('pairs').evaluate(xOf(nx), yOf(ny), silent), ShapeError, { who: 'pairs.evaluate', given, expected: `x has ${nx} samples but y has ${ny}` });
      await rejects(() => mlp('pairs').fit(xOf(4), yOf(4), { validationData: [xOf(nx), yOf(ny)], ...silent }), ShapeError,
        { who: 'pairs.fit', given, expected: `validationData x has ${nx} samples but validationData y has ${ny}` });
    }), FEW);
  });

  it('51. zero samples', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom('fit', 'evaluate', 'validationData'), async (where) => {
      const empty = [zeros([0, 3]), zeros([0, 2])] as const;
      if (where === 'evaluate') refuses(() => mlp('none').evaluate(...empty, silent), ValueError,
        { who: 'none.evaluate', given: 'shape [0,3]', expected: 'x has no samples' });
      else if (where === 'fit') await rejects(() => mlp('none').fit(...empty, silent), ValueError,
        { who: 'none.fit', given: 'shape [0,3]', expected: 'x has no samples' });
      else await rejects(() => mlp('none').fit(xOf(4), yOf(4), { validationData: empty, ...silent }), ValueError,
        { who: 'none.fit', given: 'shape [0,3]', expected: 'validationData x has no samples' });
    }), { numRuns: 6 });
  });

  it('52. x of the wrong rank or sample shape', async () => {
    const wrong = smallShape(0, 3).filter((s) => s.length !== 1 || s[0] !== 3).map((s) => [4, ...s]);
    await fc.assert(fc.asyncProperty(wrong, async (shape) => {
      const refusal = (who: string): Refusal => ({ who, given: `got ${fmt(shape)}`, expected: 'x must have shape [batch,3] (the input of dense_' });
      refuses(() => mlp('shapes').predict(ones(shape)), ShapeError, refusal('shapes.predict'));
      refuses(() => mlp('shapes').evaluate(ones(shape), yOf(4)), ShapeError, refusal('shapes.evaluate'));
      await rejects(() => mlp('shapes').fit(ones(shape), yOf(4), silent), ShapeError, refusal('shapes.fit'));
    }), FEW);
  });

  it('53. NaN or infinity at a random position of x or y', async () => {
    const spot = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.nat(), fc.nat(), nonFinite, fc.constantFrom('x', 'y', 'validationData x', 'validationData y'));
    await fc.assert(fc.asyncProperty(spot, async ([rows, r, c, bad, argument]) => {
      const row = r % rows;
      const x = xOf(rows).data;
      const y = yOf(rows).data;
      const target = argument.endsWith('x') ? x : y;
      const col = c % (argument.endsWith('x') ? 3 : 2);
      target[row * (argument.endsWith('x') ? 3 : 2) + col] = bad;
      const [xt, yt] = [tensor(x, [rows, 3]), tensor(y, [rows, 2])];
      const refusal = (who: string): Refusal => ({ who, given: `got ${bad} at [${row},${col}]`, expected: `${argument} must be finite` });
      if (argument.startsWith('validationData')) {
        await rejects(() => mlp('dirty').fit(xOf(4), yOf(4), { validationData: [xt, yt], ...silent }), ValueError, refusal('dirty.fit'));
        return;
      }
      await rejects(() => mlp('dirty').fit(xt, yt, silent), ValueError, refusal('dirty.fit'));
      refuses(() => mlp('dirty').evaluate(xt, yt, silent), ValueError, refusal('dirty.evaluate'));
      if (argument === 'x') refuses(() => mlp('dirty').predict(xt, silent), ValueError, refusal('dirty.predict'));
    }), RUNS);
  });

  it('54. sparse labels out of range or fractional', async () => {
    const labels = fc.tuple(fc.array(fc.nat({ max: 1 }), { minLength: 1, maxLength: 8 }), fc.nat(), fc.oneof(fc.integer({ min: 2, max: 20 }), negativeInt, fc.constant(0.5)));
    await fc.assert(fc.asyncProperty(labels, async ([valid, at, bad]) => {
      const y = [...valid];
      const i = at % y.length;
      y[i] = bad;
      const model = mlp('sparse', false);
      model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
      const refusal = (who: string): Refusal => ({ who, given: `label ${bad} at index ${i}`, expected: 'expected an integer in [0, 2) for 2 classes' });
      await rejects(() => model.fit(xOf(y.length), tensor(y), silent), ValueError, refusal('sparse.fit'));
      refuses(() => model.evaluate(xOf(y.length), tensor(y), silent), ValueError, refusal('sparse.evaluate'));
      refuses(() => sparseCategoricalCrossentropy().compute(tensor(y), ones([y.length, 2])), ValueError, refusal('sparseCategoricalCrossentropy'));
    }), RUNS);
  });

  it('55. targets that do not fit the predictions', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 6 }).filter((w) => w !== 2), fc.integer({ min: 1, max: 5 }), async (width, rows) => {
      const y = zeros([rows, width]);
      await rejects(() => mlp('fits').fit(xOf(rows), y, silent), ShapeError,
        { who: 'fits.fit', given: `targets ${fmt(y.shape)}`, expected: `one-hot width ${width} vs 2 units` });
      refuses(() => binaryCrossentropy().compute(y, zeros([rows, 2])), ShapeError,
        { who: 'binaryCrossentropy', given: `targets ${fmt(y.shape)}`, expected: 'expected the same shape' });
    }), FEW);
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 5 }), async (rows) => {
      const y = zeros([rows, 2, 2]);
      await rejects(() => mlp('fits').fit(xOf(rows), y, silent), ShapeError, { who: 'fits.fit', given: `targets ${fmt(y.shape)}`, expected: 'rank 3 vs 2' });
    }), FEW);
  });

  it('56. validationSplit leaving no validation samples, malformed validationData, or both', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 2, max: 9 }), async (rows) => {
      const split = 0.5 / rows;
      await rejects(() => mlp('val').fit(xOf(rows), yOf(rows), { validationSplit: split, ...silent }), ValueError,
        { who: 'val.fit', given: `validationSplit ${split} of ${rows} samples`, expected: 'leaves no validation samples' });
    }), FEW);
    await fc.assert(fc.asyncProperty(fc.oneof(fc.constant([xOf(2)]), fc.constant(xOf(2)), fc.constant([xOf(2), yOf(2), yOf(2)])), async (data) => {
      await rejects(() => mlp('val').fit(xOf(4), yOf(4), { validationData: data as never, ...silent }), ConfigError,
        { who: 'val.fit', given: Array.isArray(data) ? 'an array' : 'an object', expected: 'validationData must be [x, y]' });
    }), { numRuns: 6 });
    await rejects(() => mlp('val').fit(xOf(4), yOf(4), { validationData: [xOf(2), yOf(2)], validationSplit: 0.5, ...silent }), ConfigError,
      { who: 'val.fit', given: 'give validationSplit or validationData', expected: 'not both' });
  });

  it('57. setWeights with the wrong count, shapes or non-tensors', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 8 }).filter((n) => n !== 4), (count) => {
      const model = mlp('weights');
      refuses(() => model.setWeights(Array.from({ length: count }, () => ones([1]))), ValueError,
        { who: 'weights.setWeights', given: `got ${count}`, expected: 'expected 4 tensors' });
    }), FEW);
    fc.assert(fc.property(fc.nat({ max: 3 }), smallShape(1, 3), (index, shape) => {
      const model = mlp('weights');
      const weights = model.getWeights();
      const wanted = weights[index].shape;
      const owner = `${model.layers[1 + Math.floor(index / 2)].name}.${index % 2 === 0 ? 'kernel' : 'bias'}`;
      if (fmt(shape) === fmt(wanted)) shape = [...shape, 2];
      weights[index] = ones(shape);
      refuses(() => model.setWeights(weights), ShapeError,
        { who: 'weights.setWeights', given: `got ${fmt(shape)}`, expected: `weight ${index} (${owner}) must have shape ${fmt(wanted)}` });
    }), RUNS);
    fc.assert(fc.property(fc.nat({ max: 3 }), nonTensor, (index, value) => {
      const model = mlp('weights');
      const weights: unknown[] = model.getWeights();
      weights[index] = value;
      refuses(() => model.setWeights(weights as never), ShapeError, { who: 'weights.setWeights', given: shown(value), expected: `weight ${index}` });
    }), FEW);
  });

  it('58. a learning-rate override that is not a finite rate >= 0, or set before compile', () => {
    fc.assert(fc.property(fc.oneof(nonFinite, negativeInt, numericString), (rate) => {
      const model = mlp('rate');
      refuses(() => { model.learningRate = rate as number; }, ValueError,
        { who: 'rate.learningRate', given: shown(rate), expected: 'a learning-rate override must be a finite number >= 0' });
    }), FEW);
    refuses(() => { mlp('rate', false).learningRate = 0.1; }, ConfigError, { who: 'rate.learningRate', given: 'the model is not compiled', expected: 'call compile' });
  });

  it('59. a layer or data the model cannot be built with is refused, and the model stays usable', () => {
    const misfit = fc.constantFrom(() => new Conv2D(2, 3), () => new MaxPooling2D(2), () => new Dense(2, { inputShape: [7] }));
    fc.assert(fc.property(misfit, fc.integer({ min: 1, max: 5 }), (make, units) => {
      const model = new Sequential({ name: 'grown' }).add(new Dense(3, { inputShape: [4] }));
      const layer = make();
      refuses(() => model.add(layer), ShapeError, { who: layer.name, given: '[1,3]', expected: 'expected input' });
      model.add(new Dense(units));
      expect(model.layers.map((l) => l.name)).not.toContain(layer.name);
      expect(model.predict(ones([2, 4])).shape).toEqual([2, units]);
    }), FEW);
    const wrongRank = smallShape(1, 4).filter((s) => s.length !== 3);
    fc.assert(fc.property(wrongRank, fc.integer({ min: 3, max: 6 }), (sample, size) => {
      const model = new Sequential({ name: 'lazy', layers: [new Conv2D(2, 3), new MaxPooling2D(1)] });
      refuses(() => model.predict(ones([2, ...sample])), ShapeError,
        { who: 'lazy.predict', given: `got rank ${sample.length + 1} ${fmt([1, ...sample])}`, expected: 'expected input of rank 4' });
      expect(model.inputShape).toBeUndefined();
      expect(model.predict(ones([2, size, size, 1])).shape).toEqual([2, size - 2, size - 2, 2]);
    }), FEW);
  });
});

describe('optimizers and schedules', () => {
  const factories: [string, (o: object) => unknown][] = [['sgd', (o) => sgd(o)], ['adam', (o) => adam(o)], ['rmsprop', (o) => rmsprop(o)]];

  it('60. learningRate that is not a positive finite number', () => {
    fc.assert(fc.property(fc.constantFrom(...factories), notPositive, ([name, make], learningRate) => {
      refuses(() => make({ learningRate }), ValueError, { who: name, given: shown(learningRate), expected: 'learningRate must be a positive finite number' });
    }), RUNS);
  });

  it('61. decay rates outside [0, 1), momentum outside [0, 1]', () => {
    const outsideOpen = fc.oneof(fc.double({ min: 1, max: 10, noNaN: true }), fc.double({ min: -10, max: -1e-9, noNaN: true }), nonFinite);
    const options: [string, string, (v: number) => unknown, string][] = [
      ['adam', 'beta1', (v) => adam({ beta1: v }), '[0, 1)'], ['adam', 'beta2', (v) => adam({ beta2: v }), '[0, 1)'],
      ['rmsprop', 'rho', (v) => rmsprop({ rho: v }), '[0, 1)'],
    ];
    fc.assert(fc.property(fc.constantFrom(...options), outsideOpen, ([who, key, make, range], value) => {
      refuses(() => make(value), ValueError, { who, given: `got ${value}`, expected: `${key} must be a number in ${range}` });
    }), RUNS);
    fc.assert(fc.property(fc.oneof(fc.double({ min: 1.0001, max: 10, noNaN: true }), fc.double({ min: -10, max: -1e-9, noNaN: true }), fc.constant(Number.NaN)), (momentum) => {
      refuses(() => sgd({ momentum }), ValueError, { who: 'sgd', given: `got ${momentum}`, expected: 'momentum must be a number in [0, 1]' });
    }), FEW);
  });

  it('62. epsilon <= 0 or not finite, where a zero gradient would divide 0 by 0', () => {
    fc.assert(fc.property(fc.constantFrom(...factories.slice(1)), fc.oneof(fc.constant(0), fc.double({ min: -1, max: -1e-12, noNaN: true }), nonFinite), ([name, make], epsilon) => {
      refuses(() => make({ epsilon }), ValueError, { who: name, given: `got ${epsilon}`, expected: 'epsilon must be a positive finite number' });
    }), RUNS);
  });

  it('63. clip thresholds that are not positive, or two clips at once', () => {
    fc.assert(fc.property(fc.constantFrom(...factories), fc.constantFrom('clipnorm', 'clipvalue', 'globalClipnorm'), notPositive, ([name, make], key, value) => {
      refuses(() => make({ [key]: value }), ValueError, { who: name, given: shown(value), expected: `${key} must be a positive finite number` });
    }), RUNS);
    fc.assert(fc.property(fc.constantFrom(...factories), fc.shuffledSubarray(['clipnorm', 'clipvalue', 'globalClipnorm'], { minLength: 2 }), ([name, make], keys) => {
      const given = `got ${['clipnorm', 'clipvalue', 'globalClipnorm'].filter((k) => keys.includes(k)).join(' and ')}`;
      refuses(() => make(Object.fromEntries(keys.map((k) => [k, 1]))), ConfigError,
        { who: name, given, expected: 'only one of clipnorm, clipvalue and globalClipnorm can be set' });
    }), FEW);
  });

  it('64. something that is not an optimizer given as one', () => {
    const notOptimizer = fc.oneof(fc.constantFrom('adam', 3, null), fc.constant({ name: 'adam' }));
    fc.assert(fc.property(notOptimizer, (optimizer) => {
      refuses(() => createTrainState({ w: ones([2]) }, optimizer as never, 0), ConfigError,
        { who: 'createTrainState', given: shown(optimizer), expected: 'optimizer must be an optimizer object' });
      const state = createTrainState({ w: ones([2]) }, adam(), 0);
      refuses(() => applyGradients(state, { w: ones([2]) }, optimizer as never), ConfigError,
        { who: 'applyGradients', given: shown(optimizer), expected: 'optimizer must be an optimizer object' });
      if (typeof optimizer !== 'string' && optimizer !== null) {
        refuses(() => mlp('opt', false).compile({ loss: 'mse', optimizer: optimizer as never }), ConfigError,
          { who: 'opt.compile', given: shown(optimizer), expected: 'expected an optimizer name' });
      }
    }), FEW);
  });

  it('65. schedule options out of range', () => {
    fc.assert(fc.property(notPositive, (decaySteps) => {
      refuses(() => exponentialDecay({ initialLearningRate: 0.1, decaySteps: decaySteps as number, decayRate: 0.9 }), ValueError,
        { who: 'exponentialDecay', given: shown(decaySteps), expected: 'decaySteps must be a positive finite number' });
      refuses(() => cosineDecay({ initialLearningRate: 0.1, decaySteps: decaySteps as number }), ValueError,
        { who: 'cosineDecay', given: shown(decaySteps), expected: 'decaySteps must be a positive finite number' });
    }), RUNS);
  });
});

describe('callbacks', () => {
  it('66. counts that are negative, fractional or NaN', () => {
    const counts: [string, string, (v: number) => unknown][] = [
      ['EarlyStopping', 'patience', (v) => new EarlyStopping({ patience: v })], ['EarlyStopping', 'startFromEpoch', (v) => new EarlyStopping({ startFromEpoch: v })],
      ['ReduceLROnPlateau', 'patience', (v) => new ReduceLROnPlateau({ patience: v })], ['ReduceLROnPlateau', 'cooldown', (v) => new ReduceLROnPlateau({ cooldown: v })],
    ];
    fc.assert(fc.property(fc.constantFrom(...counts), notCount, ([who, key, make], value) => {
      refuses(() => make(value as number), ValueError, { who, given: shown(value), expected: `${key} must be an integer >= 0` });
    }), RUNS);
  });

  it('67. ReduceLROnPlateau factor outside (0, 1)', () => {
    fc.assert(fc.property(fc.oneof(fc.double({ min: 1, max: 100, noNaN: true }), fc.double({ min: -100, max: 0, noNaN: true }), nonFinite, numericString), (factor) => {
      refuses(() => new ReduceLROnPlateau({ factor: factor as number }), ValueError,
        { who: 'ReduceLROnPlateau', given: shown(factor), expected: 'factor must be a number in (0, 1)' });
    }), RUNS);
  });

  it('68. an unknown mode, a monitor that is not a key name, or a key missing from the logs', async () => {
    fc.assert(fc.property(fc.oneof(fc.constantFrom('maximum', 'MIN', ''), unknownName), (mode) => {
      refuses(() => new EarlyStopping({ mode: mode as never }), ConfigError,
        { who: 'EarlyStopping', given: JSON.stringify(mode), expected: "mode must be one of 'auto', 'min', 'max'" });
    }), FEW);
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.constant(''), fc.constant({})), (monitor) => {
      refuses(() => new ReduceLROnPlateau({ monitor: monitor as never }), ConfigError,
        { who: 'ReduceLROnPlateau', given: shown(monitor), expected: 'monitor must be a key of the logs' });
    }), FEW);
    await fc.assert(fc.asyncProperty(fc.constantFrom('val_loss', 'val_accuracy', 'acc', 'los'), async (monitor) => {
      await rejects(() => mlp('watched').fit(xOf(4), yOf(4), { callbacks: [new EarlyStopping({ monitor })], ...silent }), ConfigError,
        { who: 'EarlyStopping', given: `monitor '${monitor}' is not in the epoch logs`, expected: 'available keys are loss, accuracy, learning_rate' });
    }), { numRuns: 8 });
  });
});

describe('data helpers and losses', () => {
  it('69. counts and batch sizes of the batching helpers', () => {
    fc.assert(fc.property(notCount, (n) => {
      refuses(() => batchIndices(n as number, 2), ValueError, { who: 'batchIndices', given: shown(n), expected: 'n must be a non-negative integer' });
      refuses(() => shuffledIndices(n as number, new Rng(1)), ValueError, { who: 'shuffledIndices', given: shown(n), expected: 'n must be a non-negative integer' });
    }), RUNS);
    fc.assert(fc.property(notPositiveInt, (batchSize) => {
      refuses(() => batchIndices(4, batchSize as number), ConfigError,
        { who: 'batchIndices', given: shown(batchSize), expected: 'batchSize must be a positive integer' });
    }), RUNS);
  });

  it('70. row indices and bounds outside the tensor', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.oneof(fc.integer({ min: 0, max: 20 }), negativeInt, fractional, fc.constant(Number.NaN)), fc.nat(), (rows, bad, at) => {
      if (Number.isInteger(bad) && bad >= 0 && bad < rows) bad += rows;
      const indices = Array.from({ length: 3 }, (_, i) => i % rows);
      indices[at % 3] = bad;
      refuses(() => takeRows(zeros([rows, 2]), indices), ValueError,
        { who: 'takeRows', given: `index ${bad} at position ${at % 3}`, expected: `expected an integer in [0, ${rows})` });
    }), RUNS);
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: -3, max: 10 }), fc.integer({ min: -3, max: 10 }), (rows, start, end) => {
      if (start >= 0 && start <= end && end <= rows) end = rows + 1;
      refuses(() => sliceRows(zeros([rows, 2]), start, end), ValueError,
        { who: 'sliceRows', given: `got start ${start} and end ${end}`, expected: `expected integers 0 <= start <= end <= ${rows}` });
    }), RUNS);
  });

  it('71. shuffledIndices without an Rng', () => {
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.constant(undefined), fc.constant({ next: () => 0.5 })), (rng) => {
      refuses(() => shuffledIndices(3, rng as never), ValueError, { who: 'shuffledIndices', given: shown(rng), expected: 'rng must be an Rng' });
    }), FEW);
  });

  it('72. labelSmoothing outside [0, 1]', () => {
    fc.assert(fc.property(fc.oneof(fc.double({ min: 1.0001, max: 10, noNaN: true }), fc.double({ min: -10, max: -1e-9, noNaN: true }), nonFinite, numericString), (labelSmoothing) => {
      refuses(() => categoricalCrossentropy({ labelSmoothing: labelSmoothing as number }), ValueError,
        { who: 'categoricalCrossentropy', given: shown(labelSmoothing), expected: 'labelSmoothing must be a number in [0, 1]' });
      refuses(() => binaryCrossentropy({ labelSmoothing: labelSmoothing as number }), ValueError,
        { who: 'binaryCrossentropy', given: shown(labelSmoothing), expected: 'labelSmoothing must be a number in [0, 1]' });
    }), FEW);
  });
});

describe('losses, metrics, autodiff and seeding', () => {
  it('73. binaryCrossentropy targets outside [0, 1] or NaN', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.nat(), fc.oneof(fc.double({ min: 1.0001, max: 10, noNaN: true }), fc.double({ min: -10, max: -1e-9, noNaN: true }), fc.constant(Number.NaN)), (n, at, bad) => {
      const y = new Float32Array(n).fill(0.5);
      y[at % n] = bad;
      refuses(() => binaryCrossentropy().compute(tensor(y, [n, 1]), fill([n, 1], 0.5)), ValueError,
        { who: 'binaryCrossentropy', given: `got ${Math.fround(bad)} at flat index ${at % n} of [${n},1]`, expected: 'targets must be probabilities in [0, 1]' });
    }), FEW);
  });

  it('74. one-hot labels for sparseCategoricalAccuracy', async () => {
    const model = new Sequential({ seed: 1, name: 'net' });
    model.add(new Dense(3, { activation: 'softmax', inputShape: [2] }));
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['sparseCategoricalAccuracy'] });
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 6 }), async (n) => {
      await rejects(() => model.fit(zeros([n, 2]), oneHot(Array(n).fill(1), 3), silent), ShapeError,
        { who: 'sparseCategoricalAccuracy', given: `got labels of shape [${n},3]`, expected: `expected one integer label per row (shape [${n}] or [${n},1])` });
    }), FEW);
  });

  it('75. grad, valueAndGrad, vjp and checkGrad given something that is not a function', () => {
    fc.assert(fc.property(nonTensor, (f) => {
      for (const [who, run] of [['grad', () => grad(f as never)], ['valueAndGrad', () => valueAndGrad(f as never)], ['vjp', () => vjp(f as never, ones([2]))], ['checkGrad', () => checkGrad(f as never, ones([2]))]] as const) {
        refuses(run, ValueError, { who, given: shown(f), expected: 'must be a function' });
      }
    }), FEW);
  });

  it('76. layer.apply options that are not an object', () => {
    const layer = new Dense(2, { name: 'head' });
    fc.assert(fc.property(fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 4 })), (options) => {
      refuses(() => layer.apply(ones([1, 3]), options as never), ConfigError, { who: 'head', given: shown(options), expected: 'apply options must be an object' });
    }), FEW);
  });

  it('77. setSeed with a seed that is not an integer', () => {
    fc.assert(fc.property(fc.oneof(nonFinite, fractional, numericString, fc.constant(null)), (seed) => {
      refuses(() => setSeed(seed as never), ValueError, { who: 'setSeed', given: shown(seed), expected: 'seed must be an integer' });
    }), FEW);
  });
});

describe('the message format, pinned', () => {
  it('shows the op or layer, what was given and what was expected', async () => {
    expect(thrown(() => zeros([2, -1])).message).toBe('zeros: every dimension must be a non-negative integer, got shape [2,-1]');
    expect(thrown(() => new Dense(1.5, { name: 'head' })).message).toBe('head: units must be a positive integer, got number 1.5');
    expect(thrown(() => conv2d(zeros([1, 4, 4, 1]), zeros([2, 2, 1, 1]), { strides: [1, Number.NaN] })).message)
      .toBe('conv2d: strides must be a positive integer or a pair of them, got [1,NaN]');
    expect(thrown(() => adam({ epsilon: 0 })).message).toBe('adam: epsilon must be a positive finite number, got 0');
    expect(thrown(() => mean(zeros([0, 3]), 0)).message).toBe('mean: cannot reduce an empty axis of [0,3]');
    expect(thrown(() => maxPool2d(zeros([1, 2, 2, 1]), undefined as never)).message).toBe('maxPool2d: options with a poolSize are required, like { poolSize: 2 }');
    expect(thrown(() => new Dense(2, { kernelInitializer: 'glorot', name: 'head' })).message).toMatch(/^head\.kernelInitializer: unknown initializer 'glorot' \(expected one of zeros, ones, constant,/);
  });

  it('names the model, the argument and the position of non-finite data', async () => {
    const x = xOf(3).data;
    x[5] = Number.NaN;
    await expect(mlp('net').fit(tensor(x, [3, 3]), yOf(3), silent)).rejects.toThrow(new ValueError('net.fit: x must be finite, got NaN at [1,2]'));
    const y = yOf(3).data;
    y[4] = -Infinity;
    expect(thrown(() => mlp('net').evaluate(xOf(3), tensor(y, [3, 2]), silent)).message).toBe('net.evaluate: y must be finite, got -Infinity at [2,0]');
  });

  it('says when a model is used before it exists or would train nothing', async () => {
    const model = new Sequential({ name: 'net', layers: [new Dense(2, { name: 'out' })] });
    expect(thrown(() => model.getWeights()).message)
      .toBe('net.getWeights: the model is not built yet (out has no weights yet); give the first layer an inputShape, or call build, predict or fit first');
    await expect(mlp('net').fit(xOf(4), yOf(4), { epochs: 3, initialEpoch: 3, ...silent })).rejects
      .toThrow('net.fit: initialEpoch must be less than epochs, got initialEpoch 3 and epochs 3; fit runs epochs initialEpoch … epochs − 1, so it would train nothing');
    expect(thrown(() => zeros([100_000, 100_000])).message).toBe('zeros: shape [100000,100000] has 10000000000 elements, more than the 4294967296 a tensor can hold');
  });
});

describe('structural ops', () => {
  it('79. gather and scatterAdd indices out of range, a bad axis, size or updates shape', () => {
    const cases = fc.integer({ min: 1, max: 5 }).chain((n) => fc.tuple(
      fc.constant(n), fc.array(fc.nat({ max: n - 1 }), { minLength: 1, maxLength: 6 }), fc.nat(),
      fc.oneof(fc.integer({ min: n, max: n + 9 }), negativeInt, fc.constant(0.5), fc.constant(Number.NaN)),
    ));
    fc.assert(fc.property(cases, ([n, valid, at, bad]) => {
      const indices = [...valid];
      const position = at % indices.length;
      indices[position] = bad;
      refuses(() => gather(ones([2, n]), indices, 1), ValueError,
        { who: 'gather', given: `got ${bad} at flat position ${position}`, expected: `every index must be an integer in [0, ${n}) for axis 1 of [2,${n}]` });
      refuses(() => scatterAdd(ones([indices.length]), tensor(indices), n), ValueError,
        { who: 'scatterAdd', given: `got ${bad} at flat position ${position}`, expected: `every index must be an integer in [0, ${n})` });
    }), RUNS);
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 3 }), fc.constant(null), fc.constant(3)), (indices) => {
      refuses(() => gather(ones([3]), indices as never), ValueError, { who: 'gather', given: shown(indices), expected: 'indices must be a Tensor or an array of integers' });
    }), FEW);
    refuses(() => gather(ones([3]), [['a']] as never), ValueError, { who: 'gather', given: 'found string', expected: 'expected numbers' });
    refuses(() => gather(ones([2, 3]), [0], 2), ShapeError, { who: 'gather', given: 'axis 2', expected: 'expected an integer in [-2, 1]' });
    refuses(() => gather(ones([]), [0]), ShapeError, { who: 'gather', given: 'axis 0', expected: 'rank 0' });
    fc.assert(fc.property(notCount, (size) => {
      refuses(() => scatterAdd(ones([2]), [0, 1], size as number), ValueError, { who: 'scatterAdd', given: shown(size), expected: 'size must be a non-negative integer' });
    }), FEW);
    refuses(() => scatterAdd(ones([2, 3]), [0, 1], 4, 1), ShapeError, { who: 'scatterAdd', given: 'updates [2,3]', expected: "must hold the indices' shape [2] at axis 1" });
  });

  it('80. stack, unstack and split with shapes, counts or sizes that do not fit', () => {
    refuses(() => stack([ones([2, 3]), ones([3, 2])]), ShapeError, { who: 'stack', given: 'tensors[1] has [3,2]', expected: 'every tensor must have shape [2,3]' });
    refuses(() => stack([]), ValueError, { who: 'stack', given: 'an empty array', expected: 'a non-empty array of tensors' });
    refuses(() => stack(ones([2]) as never), ValueError, { who: 'stack', given: 'an object (Tensor)', expected: 'a non-empty array of tensors' });
    refuses(() => stack([ones([2]), 3 as never]), ValueError, { who: 'stack', given: 'number 3', expected: 'tensors[1] must be a Tensor' });
    refuses(() => ones([2]).stack(ones([2]) as never), ValueError, { who: 'stack', given: 'an object (Tensor)', expected: 'others must be an array of tensors' });
    refuses(() => stack([ones([2])], 2), ShapeError, { who: 'stack', given: 'axis 2', expected: 'expected an integer in [-2, 1]' });
    refuses(() => unstack(ones([2, 3]), -3), ShapeError, { who: 'unstack', given: 'axis -3', expected: 'expected an integer in [-2, 1]' });
    const notCountOf = fc.oneof(fc.constant(0), negativeInt, fractional, nonFinite, fc.integer({ min: 2, max: 13 }));
    fc.assert(fc.property(fc.integer({ min: 2, max: 12 }), notCountOf, (n, count) => {
      fc.pre(!Number.isInteger(count) || count < 1 || n % count !== 0);
      refuses(() => split(ones([n]), count), ValueError, { who: 'split', given: `got ${count}`, expected: `a positive integer that divides the ${n} entries of axis 0 of [${n}]` });
    }), RUNS);
    refuses(() => split(ones([4]), '2' as never), ValueError, { who: 'split', given: 'got string "2"', expected: 'expected a count or an array of sizes for axis 0 of [4]' });
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.oneof(fc.nat(4), negativeInt, fractional), { minLength: 1, maxLength: 3 }), (n, sizes) => {
      fc.pre(sizes.some((v) => !Number.isInteger(v) || v < 0) || sizes.reduce((a, b) => a + b, 0) !== n);
      refuses(() => split(ones([2, n]), sizes, 1), ValueError, { who: 'split', given: `got [${sizes.join(',')}]`, expected: `non-negative integers adding up to the ${n} entries of axis 1 of [2,${n}]` });
    }), RUNS);
  });

  it('81. squeeze, expandDims and tile with axes or reps that do not fit', () => {
    fc.assert(fc.property(smallShape(1, 4, 2), fc.nat(), (shape, at) => {
      const axis = at % shape.length;
      refuses(() => squeeze(ones(shape), axis), ShapeError, { who: 'squeeze', given: `axis ${axis} of ${fmt(shape)} has size ${shape[axis]}`, expected: 'expected 1' });
    }), FEW);
    fc.assert(fc.property(smallShape(0, 3), fc.integer({ min: 1, max: 4 }), (shape, beyond) => {
      refuses(() => expandDims(ones(shape), shape.length + beyond), ShapeError,
        { who: 'expandDims', given: `axis ${shape.length + beyond}`, expected: `expected an integer in [${-shape.length - 1}, ${shape.length}]` });
    }), FEW);
    const described = (v: unknown): string => (typeof v === 'string' ? `string ${JSON.stringify(v)}` : String(v));
    fc.assert(fc.property(smallShape(1, 3), fc.oneof(negativeInt, fractional, nonFinite, numericString), fc.nat(), (shape, bad, at) => {
      const reps = shape.map(() => 2) as unknown[];
      reps[at % shape.length] = bad;
      refuses(() => tile(ones(shape), reps as number[]), ValueError,
        { who: 'tile', given: `got [${reps.map(described).join(',')}]`, expected: `reps must be ${shape.length} non-negative integers, one per axis of ${fmt(shape)}` });
      refuses(() => tile(ones(shape), [...shape, 1]), ValueError, { who: 'tile', given: `got [${[...shape, 1].join(',')}]`, expected: `reps must be ${shape.length} non-negative integers` });
    }), FEW);
  });

  it('82. topk, argmin, norm and cumsum arguments out of their domain', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.oneof(negativeInt, fractional, fc.integer({ min: 6, max: 20 }), nonFinite), (n, k) => {
      refuses(() => topk(ones([2, n]), k), ValueError, { who: 'topk', given: `got ${shown(k)}`, expected: `k must be an integer in [0, ${n}]` });
    }), FEW);
    refuses(() => topk(ones([])), ShapeError, { who: 'topk', given: 'got shape []', expected: 'at least one axis' });
    refuses(() => argmin(ones([2, 0])), ShapeError, { who: 'argmin', given: '[2,0]', expected: 'cannot reduce an empty axis' });
    refuses(() => argmin(ones([2, 3]), 2), ShapeError, { who: 'argmin', given: 'axis 2', expected: 'expected an integer in [-2, 1]' });
    fc.assert(fc.property(fc.oneof(fc.constantFrom(0, 3, -1, -Infinity, 'nuc', 'l2'), fc.string({ maxLength: 3 })), (ord) => {
      refuses(() => norm(ones([3]), ord as never), ConfigError, { who: 'norm', given: shown(ord), expected: "ord must be one of 1, 2, Infinity, 'euclidean', 'fro'" });
    }), FEW);
    refuses(() => cumsum(ones([3]), 0, { reversed: true } as never), ConfigError, { who: 'cumsum', given: "unknown option 'reversed'", expected: 'valid options are exclusive, reverse' });
    fc.assert(fc.property(nonBoolean, (value) => {
      refuses(() => cumsum(ones([3]), 0, { exclusive: value as never }), ConfigError, { who: 'cumsum', given: shown(value), expected: 'exclusive must be true or false' });
    }), FEW);
  });

  it('83. einsum subscripts that do not fit the operands', () => {
    const [a, b] = [ones([2, 3]), ones([3, 4])];
    const bad: [string, Tensor[], typeof ShapeError | typeof ValueError, string, string][] = [
      ['ij,jk->ik', [a], ValueError, '2 operand subscript(s) for 1 tensor(s)', 'ij,jk->ik'],
      ['ijk,jk->ik', [a, b], ShapeError, 'operand 0 has shape [2,3] (rank 2)', "subscripts 'ijk' name 3 axes"],
      ['ij,ik->jk', [a, b], ShapeError, "letter 'i' names axes of sizes 2 and 3", 'operand 1 has shape [3,4]'],
      ['ij,jk->iz', [a, b], ValueError, "output letter 'z' is in no operand", "expected subscripts like 'ij,jk->ik'"],
      ['ij,jk->ii', [a, b], ValueError, "output letter 'i' appears twice", 'ij,jk->ii'],
      ['...j,jk->...k', [a, b], ValueError, "'...' is not supported", '...j,jk->...k'],
      ['i1,jk->ik', [a, b], ValueError, "'1' is not a subscript letter", 'i1,jk->ik'],
      ['ij,jk->i,k', [a, b], ValueError, "',' is not a subscript letter", 'ij,jk->i,k'],
      ['ij->j->i', [a], ValueError, "more than one '->'", 'ij->j->i'],
    ];
    for (const [equation, operands, kind, given, expected] of bad) refuses(() => einsum(equation, ...operands), kind, { who: 'einsum', given, expected });
    refuses(() => einsum(3 as never, a), ValueError, { who: 'einsum', given: 'number 3', expected: "the equation must be a string like 'ij,jk->ik'" });
    refuses(() => einsum('ij', [1, 2] as never), ValueError, { who: 'einsum', given: 'an array', expected: 'operand 0 must be a Tensor' });
  });

  it('84. conv2d groups and dilations, conv2dTranspose operands and options', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 3 }), (groups, perGroup) => {
      const channels = groups * perGroup + 1;
      refuses(() => conv2d(ones([1, 4, 4, channels]), ones([2, 2, perGroup, groups]), { groups }), ShapeError,
        { who: 'conv2d', given: `has ${channels} channels`, expected: `expects ${groups * perGroup} (${perGroup} per group × ${groups} groups)` });
      refuses(() => conv2d(ones([1, 4, 4, groups]), ones([2, 2, 1, groups + 1]), { groups }), ShapeError,
        { who: 'conv2d', given: `${groups + 1} output channels`, expected: `do not split into ${groups} equal groups` });
    }), FEW);
    fc.assert(fc.property(notPositiveInt, (value) => {
      const described = typeof value === 'string' ? `string ${JSON.stringify(value)}` : String(value);
      refuses(() => conv2d(ones([1, 4, 4, 2]), ones([2, 2, 1, 2]), { groups: value as never }), ValueError, { who: 'conv2d', given: described, expected: 'groups must be a positive integer' });
      refuses(() => conv2d(ones([1, 4, 4, 2]), ones([2, 2, 2, 2]), { dilations: value as never }), ValueError,
        { who: 'conv2d', given: `got ${described}`, expected: 'dilations must be a positive integer or a pair of them' });
    }), FEW);
    refuses(() => conv2d(ones([1, 4, 4, 1]), ones([3, 3, 1, 1]), { dilations: 2 }), ShapeError, { who: 'conv2d', given: 'input [1,4,4,1]', expected: "the 5x5 window does not fit" });
    fc.assert(fc.property(smallShape(0, 6).filter((s) => s.length !== 4), (shape) => {
      refuses(() => conv2dTranspose(ones(shape), ones([1, 1, 1, 1])), ShapeError,
        { who: 'conv2dTranspose', given: `got ${fmt(shape)} and [1,1,1,1]`, expected: 'expected input [N,H,W,C] and kernel [kh,kw,outC,inC]' });
    }), FEW);
    refuses(() => conv2dTranspose(ones([1, 3, 3, 2]), ones([2, 2, 4, 3])), ShapeError, { who: 'conv2dTranspose', given: 'has 2 channels', expected: 'kernel [2,2,4,3] expects 3' });
    refuses(() => conv2dTranspose(ones([1, 3, 3, 2]), ones([0, 2, 4, 2])), ShapeError, { who: 'conv2dTranspose', given: '[0,2,4,2]', expected: 'at least one pixel and one tap' });
    refuses(() => conv2dTranspose(ones([1, 3, 3, 2]), ones([2, 2, 4, 2]), { strides: 0 }), ValueError, { who: 'conv2dTranspose', given: 'got 0', expected: 'strides must be a positive integer or a pair of them' });
    refuses(() => conv2dTranspose(ones([1, 3, 3, 2]), ones([2, 2, 4, 2]), { padding: 'full' as never }), ConfigError, { who: 'conv2dTranspose', given: "'full'", expected: "expected 'valid' or 'same'" });
    refuses(() => conv2dTranspose(ones([1, 3, 3, 2]), ones([2, 2, 4, 2]), { dilations: 2 } as never), ConfigError, { who: 'conv2dTranspose', given: "unknown option 'dilations'", expected: 'valid options are strides, padding' });
  });
});
