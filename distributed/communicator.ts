/**
 * A group of processes (or, in tests, of fits in one process) that train one model together: the collective
 * operations data-parallel fit needs. Every rank calls the same operations in the same order with arrays of the
 * same length; an operation resolves once every rank has taken part. A rank that dies, never joins or times out
 * makes the others' pending and later operations reject with a DistributedError.
 */
export interface Communicator {
  /** This process's index in the group, 0 … size − 1. Rank 0 is the chief: it broadcasts weights and writes files. */
  readonly rank: number;
  /** The number of ranks in the group. */
  readonly size: number;
  /** Replaces `data` on every rank by its elementwise sum over the ranks. */
  allReduceSum(data: Float32Array): Promise<void>;
  /** Replaces `data` on every rank by rank `root`'s. */
  broadcast(data: Float32Array, root: number): Promise<void>;
  /** Resolves once every rank has called it. */
  barrier(): Promise<void>;
  /** Leaves the group; later operations reject. */
  close(): Promise<void>;
}
