import { ConfigError, ValueError, describeValue } from '../core/errors.ts';
import { checkOptionKeys, positiveInt, trueOrFalse } from '../core/options.ts';
import { Rng, checkSeed, derivedSeed, rngFrom } from '../core/random.ts';
import type { Batchable, Stacked } from './dataset-batch.ts';
import { stackElements } from './dataset-batch.ts';
import { prefetched } from './dataset-prefetch.ts';
import { shuffled } from './dataset-shuffle.ts';

/**
 * What one iteration of a dataset is keyed by. fit passes its epoch and seed, so a shuffle reshuffles each epoch
 * from (seed, epoch) and a resumed fit draws what an uninterrupted one would; `for await` counts its own loops.
 */
export interface Pass {
  /** fit's epoch, or the number of earlier `for await` loops over this dataset object. */
  readonly epoch: number;
  /** The seed of shuffles given none of their own (fit's seed). */
  readonly seed?: number;
}

export interface ShuffleOptions {
  /** Seeds every pass's order (with the pass's epoch); default: fit's seed, else a draw from the global generator. */
  seed?: number;
}

export interface DatasetBatchOptions {
  /** Drop a last batch smaller than the batch size (default false). */
  dropRemainder?: boolean;
}

const SHUFFLE_STREAM = 11;
const REPEAT_STREAM = 12;

/** A non-negative integer count (take, skip, repeat). */
function count(value: unknown, name: string, who: string): number {
  if (typeof value !== 'number' || !(Number.isInteger(value) && value >= 0)) {
    throw new ValueError(`${who}: ${name} must be an integer >= 0, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * A sequence of elements read one at a time, as an async iterable, for data larger than memory (tf.data's Dataset).
 * Each iteration starts over from the source: a file is read again, a generator function called again. The
 * transformations return new datasets and change nothing. `size` is the number of elements when it is known
 * without iterating (Infinity after repeat()), else undefined.
 */
export class Dataset<T> implements AsyncIterable<T> {
  private loops = 0;

  constructor(private readonly source: (pass: Pass) => AsyncIterable<T>, readonly size: number | undefined) {}

  /** One iteration keyed by `pass` (what fit uses); `for await` calls it with its own count of loops. */
  iterate(pass: Pass): AsyncIterator<T> {
    return this.source(pass)[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.iterate({ epoch: this.loops++ });
  }

  /** Every element, in a list (a test's or a small dataset's way out). */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const element of this) all.push(element);
    return all;
  }

  /** fn applied to each element (fn may be async). */
  map<U>(fn: (element: T) => U | Promise<U>): Dataset<U> {
    if (typeof fn !== 'function') throw new ConfigError(`Dataset.map: expected a function, got ${describeValue(fn)}`);
    const source = this.source;
    return new Dataset(async function* (pass) {
      for await (const element of source(pass)) yield fn(element);
    }, this.size);
  }

  /** The elements for which predicate is true. */
  filter(predicate: (element: T) => boolean | Promise<boolean>): Dataset<T> {
    if (typeof predicate !== 'function') throw new ConfigError(`Dataset.filter: expected a function, got ${describeValue(predicate)}`);
    const source = this.source;
    return new Dataset(async function* (pass) {
      for await (const element of source(pass)) if (await predicate(element)) yield element;
    }, undefined);
  }

  /**
   * A buffered shuffle, as tf.data's: a buffer of bufferSize elements; each element out is drawn at random from it
   * and replaced by the next one in. A buffer as large as the dataset gives a uniform permutation. Each pass
   * reshuffles, with a generator derived from (seed, the pass's epoch).
   */
  shuffle(bufferSize: number, options: ShuffleOptions = {}): Dataset<T> {
    const who = 'Dataset.shuffle';
    positiveInt(bufferSize, 'bufferSize', who);
    checkOptionKeys(options, ['seed'], who);
    const own = options.seed === undefined ? undefined : checkSeed(options.seed, who);
    // Drawn now, and only without a seed, so that building a pipeline leaves the global generator as a seed left it.
    const drawn = own === undefined ? rngFrom(undefined).nextUint32() : 0;
    const source = this.source;
    return new Dataset((pass) => shuffled(source(pass), bufferSize, new Rng(derivedSeed(own ?? pass.seed ?? drawn, SHUFFLE_STREAM, pass.epoch))), this.size);
  }

  /**
   * Consecutive elements stacked into batches along a new axis 0: tensors (of one shape) and numbers, or arrays and
   * plain objects of them (Batchable); any other element is refused by name when the batch is made.
   */
  batch(batchSize: number, options: DatasetBatchOptions = {}): Dataset<Stacked<T>> {
    const who = 'Dataset.batch';
    positiveInt(batchSize, 'batchSize', who);
    checkOptionKeys(options, ['dropRemainder'], who);
    const dropRemainder = trueOrFalse(options.dropRemainder ?? false, 'dropRemainder', who);
    const source = this.source;
    const size = this.size === undefined ? undefined : (dropRemainder ? Math.floor : Math.ceil)(this.size / batchSize);
    return new Dataset(async function* (pass) {
      let pending: T[] = [];
      let batches = 0;
      for await (const element of source(pass)) {
        pending.push(element);
        if (pending.length < batchSize) continue;
        yield stackElements(pending as unknown as Batchable[], `${who}: batch ${batches++}`) as Stacked<T>;
        pending = [];
      }
      if (pending.length > 0 && !dropRemainder) yield stackElements(pending as unknown as Batchable[], `${who}: batch ${batches}`) as Stacked<T>;
    }, size);
  }

  /** Requests up to `bufferSize` elements ahead while the consumer works on the current one (a file's next chunk, say). */
  prefetch(bufferSize: number): Dataset<T> {
    positiveInt(bufferSize, 'bufferSize', 'Dataset.prefetch');
    const source = this.source;
    return new Dataset((pass) => prefetched(source(pass), bufferSize), this.size);
  }

  /** The first n elements (the source is closed after them). */
  take(n: number): Dataset<T> {
    count(n, 'n', 'Dataset.take');
    const source = this.source;
    return new Dataset(async function* (pass) {
      if (n === 0) return;
      let taken = 0;
      for await (const element of source(pass)) {
        yield element;
        if (++taken >= n) return;
      }
    }, this.size === undefined ? undefined : Math.min(n, this.size));
  }

  /** All but the first n elements. */
  skip(n: number): Dataset<T> {
    count(n, 'n', 'Dataset.skip');
    const source = this.source;
    return new Dataset(async function* (pass) {
      let seen = 0;
      for await (const element of source(pass)) if (seen++ >= n) yield element;
    }, this.size === undefined ? undefined : Math.max(0, this.size - n));
  }

  /** The dataset `times` times over (endless without `times`); each repetition is a pass of its own, so a shuffle before it reshuffles. */
  repeat(times?: number): Dataset<T> {
    if (times !== undefined) count(times, 'times', 'Dataset.repeat');
    const total = times ?? Number.POSITIVE_INFINITY;
    const source = this.source;
    return new Dataset(async function* (pass) {
      for (let k = 0; k < total; k++) {
        let any = false;
        for await (const element of source({ ...pass, epoch: derivedSeed(pass.epoch, REPEAT_STREAM, k) })) {
          any = true;
          yield element;
        }
        if (!any) return; // an empty dataset repeated is empty, not an endless loop
      }
    }, this.size === undefined ? undefined : this.size === 0 ? 0 : this.size * total);
  }
}
