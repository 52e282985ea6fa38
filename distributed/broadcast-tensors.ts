import { Tensor } from '../core/tensor.ts';
import type { Communicator } from './communicator.ts';
import { BUCKET_VALUES } from './buckets.ts';

/**
 * Rank `root`'s tensors on every rank, bit for bit whatever their dtype: their bytes go as float32 words (a
 * broadcast copies, it never computes), in buckets. The root gets its own tensors back; the others new ones.
 */
export async function broadcastTensors(comm: Communicator, tensors: readonly Tensor[], root = 0): Promise<Tensor[]> {
  const bytes = new Uint8Array(tensors.reduce((sum, t) => sum + t.storage.byteLength, 0));
  let offset = 0;
  for (const t of tensors) {
    bytes.set(new Uint8Array(t.storage.buffer, t.storage.byteOffset, t.storage.byteLength), offset);
    offset += t.storage.byteLength;
  }
  const words = new Float32Array(bytes.buffer);
  for (let start = 0; start === 0 || start < words.length; start += BUCKET_VALUES) await comm.broadcast(words.subarray(start, start + BUCKET_VALUES), root);
  if (comm.rank === root) return [...tensors];
  offset = 0;
  return tensors.map((t) => {
    const Storage = t.storage.constructor as Float32ArrayConstructor | Float64ArrayConstructor;
    const storage = new Storage(bytes.buffer.slice(offset, offset + t.storage.byteLength));
    offset += t.storage.byteLength;
    return new Tensor(storage, t.shape);
  });
}
