import type { Communicator } from './communicator.ts';

/** Values per bucket, its count included: 4 MB of float32, large enough that a ring all-reduce is bandwidth-bound. */
export const BUCKET_VALUES = 1 << 20;

/**
 * One flat vector of `total` float32 values cut into buckets, each with one more element at its end for the
 * number of samples behind it (summed with the rest). Reused step after step, so a step allocates no buckets.
 */
export class Buckets {
  readonly buckets: Float32Array[] = [];
  private readonly per: number;

  constructor(readonly total: number, bucketValues = BUCKET_VALUES) {
    this.per = bucketValues - 1;
    for (let start = 0; start === 0 || start < total; start += this.per) this.buckets.push(new Float32Array(Math.min(this.per, total - start) + 1));
  }

  /** Stores values · scale from flat offset `offset` on. */
  write(offset: number, values: ArrayLike<number>, scale = 1): void {
    this.segments(offset, values.length, (bucket, at, from, n) => {
      for (let i = 0; i < n; i++) bucket[at + i] = values[from + i] * scale;
    });
  }

  /** Stores zeros over `length` values from `offset` on. */
  zero(offset: number, length: number): void {
    this.segments(offset, length, (bucket, at, _from, n) => bucket.fill(0, at, at + n));
  }

  /** The values from `offset` on, each divided by `divisor`, into `out`. */
  read(offset: number, out: Float32Array | Float64Array, divisor = 1): void {
    this.segments(offset, out.length, (bucket, at, from, n) => {
      for (let i = 0; i < n; i++) out[from + i] = bucket[at + i] / divisor;
    });
  }

  set count(n: number) {
    for (const b of this.buckets) b[b.length - 1] = n;
  }

  /** The count of the first bucket: after an all-reduce, the samples of every rank together. */
  get count(): number {
    return this.buckets[0][this.buckets[0].length - 1];
  }

  /** Sums every bucket over the ranks, one after the other, in the same order on every rank. */
  async allReduce(comm: Communicator): Promise<void> {
    for (const b of this.buckets) await comm.allReduceSum(b);
  }

  private segments(offset: number, length: number, fn: (bucket: Float32Array, at: number, from: number, n: number) => void): void {
    for (let from = 0; from < length;) {
      const flat = offset + from;
      const at = flat % this.per;
      const n = Math.min(length - from, this.per - at);
      fn(this.buckets[Math.floor(flat / this.per)], at, from, n);
      from += n;
    }
  }
}
