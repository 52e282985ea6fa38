import { existsSync } from 'node:fs';
import { ConfigError, DistributedError, ValueError } from 'semiflow';
import type { Communicator } from 'semiflow';
import { nativeGloo } from './native.ts';
import type { GroupHandle, NativeGloo } from './native.ts';
import { connectArgs } from './options.ts';
import type { GlooOptions } from './options.ts';

/**
 * A Communicator over Gloo's TCP transport. Operations run one at a time in call order, off the event loop; a failed
 * operation (a peer died, never joined or timed out) rejects with a DistributedError, and so does every later one.
 */
export class GlooCommunicator implements Communicator {
  private tail: Promise<unknown> = Promise.resolve();
  private failure: string | undefined;
  /** Operations called so far: messages number them (#1, #2, …) as every rank calls them in the same order. */
  private calls = 0;
  private closed = false;

  private constructor(private readonly native: NativeGloo, private readonly group: GroupHandle, readonly rank: number, readonly size: number) {}

  /** Joins the group: resolves once every rank has reached the rendezvous store, rejects after `timeoutMs`. */
  static async connect(options: GlooOptions): Promise<GlooCommunicator> {
    const args = connectArgs(options);
    // Gloo's own message for this is an enforce failure about realpath.
    if (args.storeKind === 'file' && !existsSync(args.storePath)) throw new ConfigError(`connectGloo: the rendezvous directory ${args.storePath} does not exist`);
    const native = nativeGloo();
    try {
      return new GlooCommunicator(native, await native.connect(args), args.rank, args.size);
    } catch (error) {
      throw distributedError(`rank ${args.rank} of ${args.size}: rendezvous through ${options.store} failed: ${reason(error)}`, error);
    }
  }

  allReduceSum(data: Float32Array): Promise<void> {
    if (!(data instanceof Float32Array)) return Promise.reject(notFloat32('allReduceSum', data));
    return this.run(`allReduceSum #${++this.calls} of ${data.length} floats`, () => this.native.allReduceSum(this.group, data));
  }

  broadcast(data: Float32Array, root: number): Promise<void> {
    if (!(data instanceof Float32Array)) return Promise.reject(notFloat32('broadcast', data));
    const op = `broadcast #${++this.calls} of ${data.length} floats from rank ${root}`;
    if (!Number.isInteger(root) || root < 0 || root >= this.size) return Promise.reject(this.error(op, `root must be a rank in [0, ${this.size - 1}]`));
    return this.run(op, () => this.native.broadcast(this.group, data, root));
  }

  barrier(): Promise<void> {
    return this.run(`barrier #${++this.calls}`, () => this.native.barrier(this.group));
  }

  /** Leaves the group once the queued operations have settled; peers' later operations fail. */
  close(): Promise<void> {
    const closing = this.tail.then(() => {
      if (this.closed) return;
      this.closed = true;
      this.failure ??= 'the group is closed';
      return this.native.close(this.group);
    });
    this.tail = closing.catch(() => undefined);
    return closing;
  }

  private run(op: string, call: () => Promise<void>): Promise<void> {
    const result = this.tail.then(async () => {
      if (this.failure !== undefined) throw this.error(op, this.failure);
      try {
        await call();
      } catch (error) {
        this.failure = `an earlier operation failed: ${reason(error)}`;
        throw this.error(op, reason(error), error);
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  private error(op: string, why: string, cause?: unknown): DistributedError {
    return distributedError(`rank ${this.rank} of ${this.size}: ${op} failed: ${why}`, cause);
  }
}

/** The DistributedError with Gloo's own error as `cause`. */
function distributedError(message: string, cause: unknown): DistributedError {
  const error = new DistributedError(message);
  if (cause !== undefined) error.cause = cause;
  return error;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function notFloat32(op: string, data: unknown): ValueError {
  return new ValueError(`GlooCommunicator.${op}: expected a Float32Array, got ${Object.prototype.toString.call(data)}`);
}
