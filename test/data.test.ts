import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, oneHot, Rng, setSeed, ShapeError, tensor, ValueError } from 'semiflow';
import type { Tensor } from 'semiflow';
import { batchIndices, shuffledIndices, sliceRows, takeRows } from '../data/index.ts';
import { writeIdx } from 'semiflow';
import type { IdxType } from 'semiflow';
import { loadMnist, mnistDir, readIdx } from 'semiflow/node';
import type { Mnist } from 'semiflow/node';
import { tempFiles } from './temp-files.ts';

const { path: inTemp, fixture } = tempFiles('semiflow-data-');

const ARRAYS = {
  uint8: Uint8Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
} as const;

const VALUES: Record<IdxType, fc.Arbitrary<number>> = {
  uint8: fc.integer({ min: 0, max: 255 }),
  int8: fc.integer({ min: -128, max: 127 }),
  int16: fc.integer({ min: -32768, max: 32767 }),
  int32: fc.integer({ min: -2147483648, max: 2147483647 }),
  float32: fc.float(),
  float64: fc.double(),
};

describe('readIdx and writeIdx', () => {
  for (const type of Object.keys(ARRAYS) as IdxType[]) {
    it(`round-trips ${type} for any small dims`, () => {
      const arb = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }).chain((dims) => {
        const count = dims.reduce((a, b) => a * b, 1);
        return fc.tuple(fc.constant(dims), fc.array(VALUES[type], { minLength: count, maxLength: count }));
      });
      fc.assert(fc.property(arb, ([dims, values]) => {
        const back = readIdx(writeIdx(values, dims, type));
        expect(back.dims).toEqual(dims);
        expect(back.type).toBe(type);
        expect(back.data).toBeInstanceOf(ARRAYS[type]);
        expect(back.data).toEqual(ARRAYS[type].from(values));
      }), { numRuns: 40 });
    });
  }

  it('encodes dims and multi-byte values big-endian', () => {
    expect(Array.from(writeIdx([0x0102, -2], [2], 'int16'))).toEqual([0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe]);
    const handmade = Uint8Array.from([0, 0, 0x0c, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xfe, 0x01, 0x02, 0x03, 0x04]);
    expect(readIdx(handmade)).toEqual({ dims: [1, 2], type: 'int32', data: Int32Array.from([-2, 0x01020304]) });
    const float = readIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0]));
    expect(Array.from(float.data)).toEqual([1.5]);
  });

  it('does not alias the buffer it was given', () => {
    const bytes = writeIdx([1, 2, 3], [3], 'uint8');
    const { data } = readIdx(bytes);
    bytes[8] = 99;
    expect(Array.from(data)).toEqual([1, 2, 3]);
  });

  it('gunzips by the gzip magic, for buffers and for files whatever their name', () => {
    const plain = writeIdx([1, -2, 3.5, 4], [2, 2], 'float64');
    const expected = readIdx(plain);
    expect(readIdx(gzipSync(plain))).toEqual(expected);
    expect(readIdx(fixture('zipped.idx', gzipSync(plain)))).toEqual(expected);
    expect(readIdx(fixture('not-zipped.gz', plain))).toEqual(expected);
  });

  it('rejects what writeIdx cannot encode', () => {
    expect(() => writeIdx([256], [1], 'uint8')).toThrow(/writeIdx: uint8 holds integers in \[0, 255\], got 256 at index 0/);
    expect(() => writeIdx([1.5], [1], 'int32')).toThrow(ValueError);
    expect(() => writeIdx([1, 2, 3], [2, 2], 'float32')).toThrow('writeIdx: dims [2,2] need 4 values, got 3');
    expect(() => writeIdx([1, 2, 3], [2, 2], 'float32')).toThrow(ShapeError);
    expect(() => writeIdx([], [], 'float32')).toThrow(ShapeError);
    expect(() => writeIdx([1], [1], 'int64' as IdxType)).toThrow(ConfigError);
  });
});

describe('readIdx on corrupt input names the file and what is wrong', () => {
  const good = (): Uint8Array => writeIdx([1, 2, 3, 4, 5, 6], [2, 3], 'int16');

  /** Writes the bytes as a file and checks readIdx throws a ValueError naming it and matching the detail. */
  function expectBad(name: string, bytes: Uint8Array, detail: string | RegExp): void {
    const path = fixture(name, bytes);
    let error: unknown;
    try {
      readIdx(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValueError);
    const message = (error as Error).message;
    expect(message.startsWith(`readIdx: ${path}`)).toBe(true);
    if (typeof detail === 'string') expect(message).toContain(detail);
    else expect(message).toMatch(detail);
  }

  it('truncated data', () => {
    expectBad('truncated', good().subarray(0, -1), 'need 12 bytes of data, but found 11 (truncated, 1 byte missing)');
  });

  it('trailing bytes', () => {
    expectBad('trailing', Uint8Array.from([...good(), 7, 7, 7]), 'found 15 (3 bytes trailing)');
  });

  it('dims that do not match the byte count', () => {
    const bytes = good();
    bytes[11] = 4;
    expectBad('wrong-dims', bytes, 'dims [2,4] of int16, which need 16 bytes of data, but found 12');
  });

  it('bad magic', () => {
    expectBad('bad-magic', Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]), 'expected the magic 00 00 <type> <ndims>, found 50 4b 03 04');
  });

  it('an unknown type byte', () => {
    const bytes = good();
    bytes[2] = 0x0a;
    expectBad('bad-type', bytes, /unknown type byte 0x0a \(expected one of 0x08 uint8, .*0x0e float64\)/);
  });

  it('zero or absurd dims counts', () => {
    expectBad('zero-dims', Uint8Array.from([0, 0, 8, 0]), 'declares 0 dims (expected 1 to 16)');
    expectBad('many-dims', Uint8Array.from([0, 0, 8, 200, 0, 0]), 'declares 200 dims');
  });

  it('a header cut short', () => {
    expectBad('short', Uint8Array.from([0, 0]), 'expected at least 4 bytes, found 2 bytes');
    expectBad('short-dims', Uint8Array.from([0, 0, 8, 2, 0, 0, 0, 1]), 'with 2 dims: expected at least 12 bytes, found 8 bytes');
  });

  it('corrupt gzip', () => {
    expectBad('corrupt.gz', Uint8Array.from([0x1f, 0x8b, 1, 2, 3, 4, 5]), 'starts with the gzip magic 1f 8b but does not gunzip');
  });

  it('errors inside a gzipped file say it was gunzipped', () => {
    expectBad('truncated.gz', gzipSync(good().subarray(0, -2)), '(gunzipped) has dims [2,3]');
  });

  it('a missing file, wrapping the fs error', () => {
    const path = inTemp('no-such-file');
    expect(() => readIdx(path)).toThrow(ValueError);
    expect(() => readIdx(path)).toThrow(new RegExp(`^readIdx: cannot read ${path}: ENOENT`));
  });

  it('buffers are named <buffer>, other values are refused', () => {
    expect(() => readIdx(Uint8Array.from([1, 2, 3, 4]))).toThrow('readIdx: <buffer> is not an IDX file');
    expect(() => readIdx(42 as unknown as string)).toThrow('readIdx: expected a file path or a Uint8Array, got number 42');
  });
});

/** Per-class counts of a label array. */
function countLabels(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

describe('loadMnist on the real MNIST files', () => {
  let mnist: Mnist;
  beforeAll(() => {
    mnist = loadMnist();
  });

  it('has the standard shapes and dtypes', () => {
    const { train, test } = mnist;
    expect(train.images.shape).toEqual([60000, 28, 28, 1]);
    expect(test.images.shape).toEqual([10000, 28, 28, 1]);
    expect(train.labels.shape).toEqual([60000]);
    expect(test.oneHot.shape).toEqual([10000, 10]);
    expect(train.labelValues.length).toBe(60000);
    for (const t of [train.images, train.labels, train.oneHot, test.images, test.labels, test.oneHot]) expect(t.dtype).toBe('float32');
  });

  it('scales pixels to [0,1] as pixel / 255', () => {
    const raw = readIdx(join(mnistDir(), 't10k-images-idx3-ubyte')).data;
    const pixels = mnist.test.images.storage;
    let min = Infinity;
    let max = -Infinity;
    let mismatches = 0;
    for (let i = 0; i < pixels.length; i++) {
      min = Math.min(min, pixels[i]);
      max = Math.max(max, pixels[i]);
      if (pixels[i] !== Math.fround(raw[i] / 255)) mismatches++;
    }
    expect([min, max, mismatches]).toEqual([0, 1, 0]);
  });

  it('has the known label counts', () => {
    expect(countLabels(mnist.train.labelValues)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(countLabels(mnist.test.labelValues)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(mnist.train.labels.storage).toEqual(Float32Array.from(mnist.train.labelValues));
  });

  it('one-hot rows sum to 1 and peak at the label', () => {
    for (const split of [mnist.train, mnist.test]) {
      const rows = split.oneHot.storage as Float32Array;
      let bad = 0;
      for (let i = 0; i < split.labelValues.length; i++) {
        const row = rows.subarray(i * 10, i * 10 + 10);
        const sum = row.reduce((a, b) => a + b, 0);
        if (sum !== 1 || row.indexOf(1) !== split.labelValues[i]) bad++;
      }
      expect(bad).toBe(0);
    }
    const first = Array.from(mnist.train.labelValues.subarray(0, 50));
    expect(mnist.train.oneHot.storage.subarray(0, 500)).toEqual(oneHot(first, 10).storage);
  });

  it('trainSize and testSize keep the first examples', () => {
    const small = loadMnist({ trainSize: 100, testSize: 7 });
    expect(small.train.images.shape).toEqual([100, 28, 28, 1]);
    expect(small.test.oneHot.shape).toEqual([7, 10]);
    expect(small.train.images.storage).toEqual(mnist.train.images.storage.subarray(0, 100 * 784));
    expect(small.test.labelValues).toEqual(mnist.test.labelValues.subarray(0, 7));
  });

  it('validates its options', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, '10']) {
      expect(() => loadMnist({ trainSize: bad as number })).toThrow(ConfigError);
    }
    expect(() => loadMnist({ testSize: 0 })).toThrow('loadMnist: testSize must be a positive integer, got number 0');
    expect(() => loadMnist({ trainSize: 60001 })).toThrow(/^loadMnist: trainSize 60001 exceeds the 60000 examples in .*train-images-idx3-ubyte$/);
    expect(() => loadMnist({ trainSize: 60001 })).toThrow(ValueError);
    expect(() => loadMnist({ trainsize: 10 } as never)).toThrow("loadMnist: unknown option 'trainsize' (did you mean 'trainSize'?); valid options are dir, trainSize, testSize, flat");
    const missing = inTemp('nowhere');
    expect(() => loadMnist({ dir: missing })).toThrow(`loadMnist: neither ${join(missing, 'train-images-idx3-ubyte')} nor`);
  });
});

describe('loadMnist from a directory of its own', () => {
  let images: Uint8Array;
  let labels: Uint8Array;
  beforeAll(() => {
    images = readIdx(join(mnistDir(), 'train-images-idx3-ubyte')).data.slice(0, 100 * 784) as Uint8Array;
    labels = readIdx(join(mnistDir(), 'train-labels-idx1-ubyte')).data.slice(0, 100) as Uint8Array;
  });

  /** A dir holding the first 100 training examples as train and the first 20 as test; `files` overrides or adds files. */
  function makeDir(name: string, files: Record<string, Uint8Array> = {}): string {
    const dir = inTemp(name);
    mkdirSync(dir);
    const defaults: Record<string, Uint8Array> = {
      'train-images-idx3-ubyte.gz': gzipSync(writeIdx(images, [100, 28, 28], 'uint8')),
      'train-labels-idx1-ubyte.gz': gzipSync(writeIdx(labels, [100], 'uint8')),
      't10k-images-idx3-ubyte': writeIdx(images.subarray(0, 20 * 784), [20, 28, 28], 'uint8'),
      't10k-labels-idx1-ubyte.gz': gzipSync(writeIdx(labels.subarray(0, 20), [20], 'uint8')),
    };
    for (const [file, bytes] of Object.entries({ ...defaults, ...files })) writeFileSync(join(dir, file), bytes);
    return dir;
  }

  it('reads gzipped and plain copies of a 100-image slice', () => {
    const dir = makeDir('gz');
    const { train, test } = loadMnist({ dir });
    const reference = loadMnist({ trainSize: 100, testSize: 20 });
    expect(train.images.shape).toEqual([100, 28, 28, 1]);
    expect(test.images.shape).toEqual([20, 28, 28, 1]);
    expect(train.images.storage).toEqual(reference.train.images.storage);
    expect(train.oneHot.storage).toEqual(reference.train.oneHot.storage);
    expect(test.labelValues).toEqual(reference.train.labelValues.subarray(0, 20));
  });

  it('accepts any [N,H,W] uint8 images', () => {
    const images = Uint8Array.from({ length: 3 * 2 * 5 }, (_, i) => i);
    const dir = makeDir('small-images', {
      't10k-images-idx3-ubyte': writeIdx(images, [3, 2, 5], 'uint8'),
      't10k-labels-idx1-ubyte.gz': writeIdx([9, 0, 4], [3], 'uint8'),
    });
    const { test } = loadMnist({ dir });
    expect(test.images.shape).toEqual([3, 2, 5, 1]);
    expect(test.images.storage[29]).toBeCloseTo(29 / 255, 7);
    expect(Array.from(test.labels.storage)).toEqual([9, 0, 4]);
  });

  it('rejects a label of 10 or more, naming the file, index and value', () => {
    const dir = makeDir('bad-label', { 't10k-labels-idx1-ubyte.gz': writeIdx([1, 2, 3, 12, ...new Array<number>(16).fill(0)], [20], 'uint8') });
    const file = join(dir, 't10k-labels-idx1-ubyte.gz');
    expect(() => loadMnist({ dir })).toThrow(`loadMnist: ${file} has label 12 at index 3 (expected a class in 0..9)`);
    expect(() => loadMnist({ dir })).toThrow(ValueError);
  });

  it('rejects label and image counts that differ', () => {
    const dir = makeDir('count', { 't10k-labels-idx1-ubyte.gz': writeIdx(new Array<number>(19).fill(1), [19], 'uint8') });
    expect(() => loadMnist({ dir })).toThrow(/t10k-images-idx3-ubyte holds 20 images but .*t10k-labels-idx1-ubyte.gz holds 19 labels$/);
  });

  it('rejects images of the wrong type or rank', () => {
    const wrongType = makeDir('int-images', { 't10k-images-idx3-ubyte': writeIdx(new Array<number>(20 * 4).fill(0), [20, 2, 2], 'int16') });
    expect(() => loadMnist({ dir: wrongType })).toThrow(/t10k-images-idx3-ubyte should hold uint8 images \[N,H,W\], found int16 \[20,2,2\]$/);
    const wrongRank = makeDir('flat-images', { 't10k-images-idx3-ubyte': writeIdx(new Array<number>(20 * 4).fill(0), [20, 4], 'uint8') });
    expect(() => loadMnist({ dir: wrongRank })).toThrow(ValueError);
  });
});

describe('shuffledIndices', () => {
  it('is a permutation of 0..n-1', () => {
    fc.assert(fc.property(fc.nat(200), fc.integer(), (n, seed) => {
      const order = shuffledIndices(n, new Rng(seed));
      expect(order).toBeInstanceOf(Int32Array);
      expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }), { numRuns: 50 });
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = shuffledIndices(100, new Rng(1));
    expect(shuffledIndices(100, new Rng(1))).toEqual(a);
    expect(shuffledIndices(100, new Rng(2))).not.toEqual(a);
    expect(a).not.toEqual(Int32Array.from({ length: 100 }, (_, i) => i));
  });

  it('draws each permutation of 3 equally often', () => {
    const rng = new Rng(7);
    const counts = new Map<string, number>();
    for (let k = 0; k < 27000; k++) {
      const key = shuffledIndices(3, rng).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    // 4500 expected each, standard deviation about 61; a biased shuffle puts some at 4000 or 5000.
    expect(counts.size).toBe(6);
    for (const count of counts.values()) expect(Math.abs(count - 4500)).toBeLessThan(250);
  });

  it('rejects a bad n', () => {
    expect(() => shuffledIndices(-1, new Rng(0))).toThrow('shuffledIndices: n must be a non-negative integer, got number -1');
  });
});

describe('batchIndices', () => {
  it('covers every index once, in full batches and one last partial batch', () => {
    fc.assert(fc.property(fc.nat(100), fc.integer({ min: 1, max: 20 }), fc.boolean(), fc.integer(), (n, batchSize, shuffle, seed) => {
      const batches = batchIndices(n, batchSize, { shuffle, seed });
      expect(batches.length).toBe(Math.ceil(n / batchSize));
      batches.slice(0, -1).forEach((b) => expect(b.length).toBe(batchSize));
      if (n > 0) expect(batches[batches.length - 1].length).toBe(n - (batches.length - 1) * batchSize);
      const all = batches.flatMap((b) => Array.from(b));
      const ordered = Array.from({ length: n }, (_, i) => i);
      expect(shuffle ? [...all].sort((a, b) => a - b) : all).toEqual(ordered);
    }), { numRuns: 100 });
  });

  it('shuffles reproducibly from a seed, an Rng, or the global generator', () => {
    const seeded = batchIndices(50, 8, { shuffle: true, seed: 3 });
    expect(batchIndices(50, 8, { shuffle: true, seed: 3 })).toEqual(seeded);
    expect(batchIndices(50, 8, { shuffle: true, seed: new Rng(3) })).toEqual(seeded);
    expect(batchIndices(50, 8, { shuffle: true, seed: 4 })).not.toEqual(seeded);
    setSeed(11);
    const global = batchIndices(50, 8, { shuffle: true });
    setSeed(11);
    expect(batchIndices(50, 8, { shuffle: true })).toEqual(global);
  });

  it('rejects a batch size that is not a positive integer', () => {
    for (const bad of [0, -2, 2.5, Number.NaN]) expect(() => batchIndices(10, bad)).toThrow(ConfigError);
    expect(() => batchIndices(10, 0)).toThrow('batchIndices: batchSize must be a positive integer, got number 0');
    expect(() => batchIndices(1.5, 2)).toThrow(ValueError);
  });
});

describe('takeRows and sliceRows', () => {
  const x = tensor(Array.from({ length: 30 }, (_, i) => i), [5, 2, 3]);
  const rowsOf = (t: Tensor): unknown[] => t.toArray() as unknown[];

  it('takeRows gathers rows in order, repeats allowed, keeping the dtype', () => {
    const picked = takeRows(x, [4, 0, 4]);
    expect(picked.shape).toEqual([3, 2, 3]);
    expect(rowsOf(picked)).toEqual([4, 0, 4].map((i) => rowsOf(x)[i]));
    const wide = tensor([[1, 2], [3, 4]], undefined, 'float64');
    const back = takeRows(wide, Int32Array.from([1]));
    expect(back.dtype).toBe('float64');
    expect(back.toArray()).toEqual([[3, 4]]);
    expect(takeRows(x, []).shape).toEqual([0, 2, 3]);
    expect(takeRows(tensor([7, 8, 9]), [2, 1]).toArray()).toEqual([9, 8]);
  });

  it('takeRows matches indexing for any indices', () => {
    fc.assert(fc.property(fc.array(fc.nat(4), { maxLength: 12 }), (indices) => {
      expect(rowsOf(takeRows(x, indices))).toEqual(indices.map((i) => rowsOf(x)[i]));
    }), { numRuns: 50 });
  });

  it('takeRows rejects out-of-range indices', () => {
    expect(() => takeRows(x, [0, 5])).toThrow('takeRows: index 5 at position 1 is out of range for 5 rows (expected an integer in [0, 5))');
    expect(() => takeRows(x, [-1])).toThrow(ValueError);
    expect(() => takeRows(x, [0.5])).toThrow(ValueError);
    expect(() => takeRows(tensor(3), [0])).toThrow(ShapeError);
  });

  it('sliceRows copies a contiguous range', () => {
    const middle = sliceRows(x, 1, 3);
    expect(middle.shape).toEqual([2, 2, 3]);
    expect(rowsOf(middle)).toEqual(rowsOf(x).slice(1, 3));
    expect(middle.storage.buffer).not.toBe(x.storage.buffer);
    expect(sliceRows(x, 5, 5).shape).toEqual([0, 2, 3]);
    expect(sliceRows(x, 0, 5).toArray()).toEqual(x.toArray());
  });

  it('sliceRows rejects bad ranges', () => {
    expect(() => sliceRows(x, 3, 2)).toThrow('sliceRows: expected integers 0 <= start <= end <= 5, got start 3 and end 2');
    for (const [start, end] of [[-1, 2], [0, 6], [0.5, 2]]) expect(() => sliceRows(x, start, end)).toThrow(ValueError);
    expect(() => sliceRows(tensor(3), 0, 0)).toThrow(ShapeError);
  });
});
