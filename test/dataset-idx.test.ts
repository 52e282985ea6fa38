import { statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Dense, Sequential, ShapeError, ValueError, blobSource, bytesSource, idxDatasetOf, writeIdx } from 'semiflow';
import type { ByteSource } from 'semiflow';
import { fileSource, idxDataset, loadMnist, mnistDir } from 'semiflow/node';
import { tempFiles } from './temp-files.ts';

const { path: inTemp, fixture } = tempFiles('semiflow-idx-stream-');

/** A source that records the length of every read, the bytes read and the files closed. */
function counting(inner: ByteSource) {
  const stats = { reads: [] as number[], bytes: 0, opened: 0, closed: 0 };
  const source: ByteSource = {
    name: inner.name,
    async open() {
      const reader = await inner.open();
      stats.opened++;
      return {
        size: reader.size,
        read: async (offset: number, length: number) => {
          const bytes = await reader.read(offset, length);
          stats.reads.push(bytes.length);
          stats.bytes += bytes.length;
          return bytes;
        },
        close: async () => {
          stats.closed++;
          await reader.close();
        },
      };
    },
  };
  return { source, stats };
}

/** 300 images of 6x6 whose class (0..2) is the row band that is bright, with noise; labels as a uint8 IDX file. */
function bands(n: number): { images: Uint8Array; labels: Uint8Array; pixels: number[]; classes: number[] } {
  const pixels: number[] = [];
  const classes: number[] = [];
  let state = 12345;
  const noise = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % 60;
  };
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    classes.push(c);
    for (let r = 0; r < 6; r++) for (let k = 0; k < 6; k++) pixels.push(Math.floor(r / 2) === c ? 195 + noise() : noise());
  }
  return { images: writeIdx(pixels, [n, 6, 6], 'uint8'), labels: writeIdx(classes, [n], 'uint8'), pixels, classes };
}

describe('datasets from IDX files read in chunks', () => {
  it('reads no more than a chunk of records per read, each file once per pass, and closes it, even after take', async () => {
    const { images, labels, pixels, classes } = bands(300);
    const x = counting(fileSource(fixture('bands-images.idx', images)));
    const y = counting(fileSource(fixture('bands-labels.idx', labels)));
    const ds = idxDatasetOf(x.source, y.source, { chunk: 32, divideBy: 255, oneHot: 3 });
    const elements = await ds.toArray();
    expect(elements.length).toBe(300);
    expect(Array.from(elements[7].xs.storage)).toEqual(pixels.slice(7 * 36, 8 * 36).map((v) => Math.fround(v / 255)));
    expect(elements[7].xs.shape).toEqual([6, 6]);
    expect(Array.from(elements[7].ys.storage)).toEqual([0, 1, 0].map((_, k) => (k === classes[7] ? 1 : 0)));
    // Two small header reads, then the values in reads of at most 32 records: 32·36 bytes of images, 32 of labels.
    expect(Math.max(...x.stats.reads.slice(2))).toBe(32 * 36);
    expect(Math.max(...y.stats.reads.slice(2))).toBe(32);
    expect(x.stats.reads.slice(0, 2)).toEqual([4, 16]);
    expect(x.stats.bytes - 20).toBe(images.length - 16);
    expect([x.stats.opened, x.stats.closed, y.stats.closed]).toEqual([1, 1, 1]);
    await ds.take(40).toArray();
    expect(x.stats.reads.length).toBe(2 + 10 + 2 + 2); // the second pass stopped after two chunks
    expect([x.stats.opened, x.stats.closed, y.stats.closed]).toEqual([2, 2, 2]);
  });

  it('a model learns from IDX files streamed in chunks, its whole training read through chunk-sized reads', async () => {
    const { images, labels } = bands(300);
    const x = counting(fileSource(fixture('learn-images.idx', images)));
    const y = counting(fileSource(fixture('learn-labels.idx', labels)));
    const train = idxDatasetOf(x.source, y.source, { chunk: 50, divideBy: 255, oneHot: 3, shape: [36] }).shuffle(100, { seed: 1 }).batch(20).prefetch(2);
    const model = new Sequential({ seed: 2 });
    model.add(new Dense(3, { inputShape: [36], activation: 'softmax' }));
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const before = (await model.evaluate(train)).accuracy;
    const history = await model.fit(train, { epochs: 8, verbose: 0 });
    expect(history.history.loss[7]).toBeLessThan(history.history.loss[0]);
    expect((await model.evaluate(train)).accuracy).toBeGreaterThan(Math.max(0.9, before));
    expect(Math.max(...x.stats.reads)).toBeLessThanOrEqual(50 * 36);
    expect(x.stats.opened).toBe(10); // one pass per epoch and per evaluate
    expect(x.stats.closed).toBe(10);
  });

  it('gives MNIST from its files as loadMnist does, bit for bit, without loading it', async () => {
    const dir = mnistDir();
    const images = counting(fileSource(join(dir, 'train-images-idx3-ubyte')));
    const labels = counting(fileSource(join(dir, 'train-labels-idx1-ubyte')));
    const streamed = await idxDatasetOf(images.source, labels.source, { chunk: 100, divideBy: 255, oneHot: 10, shape: [784] }).take(250).batch(250).toArray();
    const { train } = loadMnist({ trainSize: 250, flat: true });
    expect(streamed[0].xs.storage).toEqual(train.images.storage);
    expect(streamed[0].ys.storage).toEqual(train.oneHot.storage);
    // 250 records in reads of 100: 300 records' worth of bytes at most out of the 60,000 in the file.
    expect(Math.max(...images.stats.reads)).toBe(100 * 784);
    expect(images.stats.bytes).toBeLessThanOrEqual(20 + 300 * 784);
    expect(statSync(join(dir, 'train-images-idx3-ubyte')).size).toBeGreaterThan(100 * images.stats.bytes);
    expect(idxDataset(join(dir, 'train-images-idx3-ubyte'), join(dir, 'train-labels-idx1-ubyte')).size).toBeUndefined();
  });

  it('reads the same records from bytes in memory and from a Blob (a page\'s File)', async () => {
    const { images, labels } = bands(50);
    const options = { chunk: 16, divideBy: 255, oneHot: 3 };
    const fromFiles = await idxDatasetOf(fileSource(fixture('s-images.idx', images)), fileSource(fixture('s-labels.idx', labels)), options).batch(50).toArray();
    const fromBytes = await idxDatasetOf(bytesSource(images), bytesSource(labels), options).batch(50).toArray();
    const fromBlobs = await idxDatasetOf(blobSource(new Blob([images])), blobSource(new Blob([labels])), options).batch(50).toArray();
    for (const other of [fromBytes, fromBlobs]) {
      expect(other[0].xs.storage).toEqual(fromFiles[0].xs.storage);
      expect(other[0].ys.storage).toEqual(fromFiles[0].ys.storage);
    }
  });

  it('refuses gzipped, truncated and mismatched files and bad options with typed errors', async () => {
    const { images, labels } = bands(30);
    const imagesPath = fixture('e-images.idx', images);
    const labelsPath = fixture('e-labels.idx', labels);
    await expect(idxDataset(fixture('e.gz', gzipSync(images)), labelsPath).toArray()).rejects.toThrow(/idxDataset: .*e\.gz is gzipped; .*gunzip it first/);
    await expect(idxDataset(fixture('e-cut.idx', images.subarray(0, images.length - 5)), labelsPath).toArray()).rejects.toThrow(ValueError);
    await expect(idxDataset(imagesPath, fixture('e-few.idx', writeIdx([1, 2], [2], 'uint8'))).toArray()).rejects.toThrow(/holds 30 records but .* holds 2/);
    await expect(idxDataset(imagesPath, labelsPath, { oneHot: 2 }).toArray()).rejects.toThrow(/oneHot needs one integer label in 0\.\.1 per record, but record 2/);
    await expect(idxDataset(imagesPath, labelsPath, { shape: [35] }).toArray()).rejects.toThrow(ShapeError);
    await expect(idxDataset(inTemp('missing.idx'), labelsPath).toArray()).rejects.toThrow(/cannot read .*missing\.idx/);
    expect(() => idxDataset(imagesPath, labelsPath, { chunk: 0 })).toThrow(/chunk must be a positive integer/);
    expect(() => idxDataset(imagesPath, labelsPath, { chunks: 4 } as never)).toThrow(/did you mean 'chunk'/);
  });
});
