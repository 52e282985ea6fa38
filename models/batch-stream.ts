import { Rng, derivedSeed } from '../core/random.ts';
import type { Tensor } from '../core/tensor.ts';
import { batchIndices, takeRows } from '../data/batches.ts';
import type { StepBatch } from './train-step.ts';

/** One training batch: its number of samples (for onBatchBegin's logs), and the tensors, made when the step runs. */
export interface SourceBatch {
  size: number;
  take: () => StepBatch;
}

/** Where fit's batches come from: tensors in memory (ArraySource) or a dataset (DatasetSource); fit has one loop for both. */
export interface BatchSource {
  /** Batches per epoch when fit must stop there (stepsPerEpoch, or one pass over tensors); undefined: until the data runs out. */
  readonly limit: number | undefined;
  /** Batches per epoch as far as known, for the progress bar. */
  readonly known: number | undefined;
  /** Batch b of an epoch, or undefined once the epoch's data ran out. */
  next(epoch: number, b: number): SourceBatch | undefined | Promise<SourceBatch | undefined>;
  endEpoch(): Promise<void>;
  close(): Promise<void>;
}

/** The generator stream of each pass's shuffle (train-step.ts has the dropout's). */
const SHUFFLE_STREAM = 1;

/**
 * The training batches as one endless stream of passes over the data, each pass reshuffled with its own generator.
 * An epoch of stepsPerEpoch batches takes the next ones from it (Keras with in-memory data); without stepsPerEpoch
 * an epoch is exactly one pass. Epoch e starts at batch e·steps, so a run resumed at initialEpoch sees what an
 * uninterrupted one would.
 */
export class BatchStream {
  readonly perPass: number;
  private pass = -1;
  private batches: Int32Array[] = [];

  constructor(private readonly rows: number, private readonly batchSize: number, private readonly shuffle: boolean,
    private readonly rngOfPass: (pass: number) => Rng) {
    this.perPass = Math.ceil(rows / batchSize);
  }

  /** The indices of batch b of an epoch of `steps` batches. */
  batch(epoch: number, steps: number, b: number): Int32Array {
    const at = epoch * steps + b;
    const pass = Math.floor(at / this.perPass);
    if (pass !== this.pass) {
      this.batches = batchIndices(this.rows, this.batchSize, { shuffle: this.shuffle, seed: this.rngOfPass(pass) });
      this.pass = pass;
    }
    return this.batches[at % this.perPass];
  }
}

/** A rank's share of a group's rows: of n rows, rank r holds floor(r·n/size) … floor((r+1)·n/size). */
export interface Shard { rank: number; size: number }

/** The rows of `shard`'s share of 0 … n−1, as [start, end). */
export function shareOf(n: number, shard: Shard): [number, number] {
  return [Math.floor((shard.rank * n) / shard.size), Math.floor(((shard.rank + 1) * n) / shard.size)];
}

/**
 * Tensors in memory as fit's batches: rows gathered by the stream's indices inside the step, so their memory is
 * pooled. With a shard, each batch is this rank's contiguous share of the global batch.
 */
export class ArraySource implements BatchSource {
  readonly limit: number;
  private readonly stream: BatchStream;

  constructor(private readonly data: { x: Tensor[]; y: Tensor[]; weights: Tensor | undefined }, batchSize: number, shuffle: boolean,
    seed: number, stepsPerEpoch: number | undefined, private readonly shard?: Shard) {
    this.stream = new BatchStream(data.x[0].shape[0], batchSize, shuffle, (pass) => new Rng(derivedSeed(seed, SHUFFLE_STREAM, pass)));
    this.limit = stepsPerEpoch ?? this.stream.perPass;
  }

  get known(): number {
    return this.limit;
  }

  next(epoch: number, b: number): SourceBatch {
    const all = this.stream.batch(epoch, this.limit, b);
    const rows = this.shard === undefined ? all : all.subarray(...shareOf(all.length, this.shard));
    const { x, y, weights } = this.data;
    return { size: rows.length, take: () => ({ xs: x.map((t) => takeRows(t, rows)), ys: y.map((t) => takeRows(t, rows)), weights: weights && takeRows(weights, rows) }) };
  }

  async endEpoch(): Promise<void> {}

  async close(): Promise<void> {}
}
