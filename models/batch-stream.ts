import type { Rng } from '../core/random.ts';
import { batchIndices } from '../data/batches.ts';

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
