import { ConfigError, DistributedError } from '../core/errors.ts';
import { checkOptionKeys, positiveInt } from '../core/options.ts';
import type { Communicator } from './communicator.ts';

export interface LocalGroupOptions {
  /** How long an operation waits for the last rank, in ms, before every waiting rank's operation rejects. Default 30 000. */
  timeoutMs?: number;
}

type OpName = 'allReduceSum' | 'broadcast' | 'barrier';

/** One collective operation, by sequence number: what each rank gave, and how to settle each waiting rank. */
interface Op {
  readonly name: OpName;
  readonly seq: number;
  readonly root: number;
  readonly data: (Float32Array | undefined)[];
  readonly waiting: Map<number, { resolve: () => void; reject: (error: DistributedError) => void }>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const describe = (op: { name: OpName; seq: number }): string => `${op.name} #${op.seq}`;

/** The state the ranks of one local group share: the operations in flight, who has left, and the first failure. */
class Group {
  private readonly ops = new Map<number, Op>();
  private readonly gone = new Map<number, string>();
  private broken: DistributedError | undefined;

  constructor(readonly size: number, private readonly timeoutMs: number) {}

  run(rank: number, seq: number, name: OpName, data: Float32Array | undefined, root: number): Promise<void> {
    const left = this.gone.get(rank);
    if (left !== undefined) return Promise.reject(new DistributedError(`rank ${rank}: ${describe({ name, seq })}: this rank ${left}; it can take part in no more operations`));
    if (this.broken !== undefined) return Promise.reject(new DistributedError(`rank ${rank}: ${describe({ name, seq })}: the group failed earlier (${this.broken.message})`));
    const op = this.ops.get(seq) ?? this.open(seq, name, root);
    const mismatch = this.mismatch(op, rank, name, data, root);
    if (mismatch !== undefined) {
      this.fail(new DistributedError(mismatch));
      return Promise.reject(this.broken);
    }
    op.data[rank] = data;
    return new Promise<void>((resolve, reject) => {
      op.waiting.set(rank, { resolve, reject });
      const [absent] = [...this.gone.keys()].filter((r) => !op.waiting.has(r));
      if (absent !== undefined) this.fail(new DistributedError(`rank ${absent} ${this.gone.get(absent)} before ${describe(op)}`));
      else if (op.waiting.size === this.size) this.complete(op);
    });
  }

  /** The rank leaves: operations it has not joined can never complete. */
  leave(rank: number, how: string): void {
    if (this.gone.has(rank)) return;
    this.gone.set(rank, how);
    const stuck = [...this.ops.values()].find((op) => !op.waiting.has(rank));
    if (stuck !== undefined) this.fail(new DistributedError(`rank ${rank} ${how} before ${describe(stuck)}`));
  }

  private open(seq: number, name: OpName, root: number): Op {
    const op: Op = { name, seq, root, data: [], waiting: new Map(), timer: undefined };
    op.timer = setTimeout(() => {
      const missing = Array.from({ length: this.size }, (_, r) => r).filter((r) => !op.waiting.has(r));
      this.fail(new DistributedError(`rank${missing.length > 1 ? 's' : ''} ${missing.join(', ')} did not arrive at ${describe(op)} within ${this.timeoutMs} ms`));
    }, this.timeoutMs);
    this.ops.set(seq, op);
    return op;
  }

  private mismatch(op: Op, rank: number, name: OpName, data: Float32Array | undefined, root: number): string | undefined {
    const [other, theirs] = [...op.data.entries()].find(([r]) => op.waiting.has(r)) ?? [undefined, undefined];
    if (op.name !== name || op.root !== root) {
      return `rank ${rank} called ${name}${name === 'broadcast' ? ` from root ${root}` : ''} as operation #${op.seq}, where another rank called ${op.name}${op.name === 'broadcast' ? ` from root ${op.root}` : ''}: every rank must call the same operations in the same order`;
    }
    if (other !== undefined && theirs !== undefined && data !== undefined && theirs.length !== data.length) {
      return `${describe(op)}: rank ${rank} gave ${data.length} values and rank ${other} ${theirs.length}: every rank must give an array of the same length`;
    }
    return undefined;
  }

  /** allReduceSum adds in rank order, so every run gives the same float32 sums. */
  private complete(op: Op): void {
    clearTimeout(op.timer);
    this.ops.delete(op.seq);
    if (op.name === 'allReduceSum') {
      const sum = Float32Array.from(op.data[0] as Float32Array);
      for (let r = 1; r < this.size; r++) {
        const d = op.data[r] as Float32Array;
        for (let i = 0; i < sum.length; i++) sum[i] += d[i];
      }
      op.data.forEach((d) => d?.set(sum));
    } else if (op.name === 'broadcast') {
      const source = op.data[op.root] as Float32Array;
      op.data.forEach((d, r) => { if (r !== op.root) d?.set(source); });
    }
    op.waiting.forEach((w) => w.resolve());
  }

  /** The first failure rejects every waiting operation and every later one: the ranks no longer agree on the sequence. */
  private fail(error: DistributedError): void {
    this.broken ??= error;
    for (const op of this.ops.values()) {
      clearTimeout(op.timer);
      op.waiting.forEach((w, r) => w.reject(new DistributedError(`rank ${r}: ${error.message}`)));
    }
    this.ops.clear();
  }
}

/** One rank of a local group: it numbers its operations, so the group can match the ranks' calls. */
class LocalCommunicator implements Communicator {
  private seq = 0;

  constructor(private readonly group: Group, readonly rank: number) {}

  get size(): number {
    return this.group.size;
  }

  allReduceSum(data: Float32Array): Promise<void> {
    checkArray(data, 'allReduceSum');
    return this.group.run(this.rank, this.seq++, 'allReduceSum', data, 0);
  }

  broadcast(data: Float32Array, root: number): Promise<void> {
    checkArray(data, 'broadcast');
    if (!Number.isInteger(root) || root < 0 || root >= this.size) throw new ConfigError(`broadcast: root must be a rank 0 … ${this.size - 1}, got ${root}`);
    return this.group.run(this.rank, this.seq++, 'broadcast', data, root);
  }

  barrier(): Promise<void> {
    return this.group.run(this.rank, this.seq++, 'barrier', undefined, 0);
  }

  async close(): Promise<void> {
    this.group.leave(this.rank, 'left the group (close)');
  }
}

function checkArray(data: unknown, op: string): void {
  if (!(data instanceof Float32Array)) throw new ConfigError(`${op}: data must be a Float32Array, got ${Object.prototype.toString.call(data)}`);
}

/**
 * `size` communicators that work together inside one process, for tests and for checking a distributed script
 * without a cluster: run one fit per rank concurrently (Promise.all). A rank that does not arrive within timeoutMs,
 * or closes, makes the other ranks' operations reject with a DistributedError naming it and the operation.
 */
export function localGroup(size: number, options: LocalGroupOptions = {}): Communicator[] {
  checkOptionKeys(options, ['timeoutMs'], 'localGroup');
  const group = new Group(positiveInt(size, 'size', 'localGroup'), positiveInt(options.timeoutMs ?? 30_000, 'timeoutMs', 'localGroup'));
  return Array.from({ length: size }, (_, rank) => new LocalCommunicator(group, rank));
}
