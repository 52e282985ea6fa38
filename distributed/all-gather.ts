import type { Communicator } from './communicator.ts';

const PIECES = 4;

/**
 * Every rank's float64 values, exactly, through one allReduceSum: each rank writes the four 16-bit pieces of each
 * value's bits into its own slot and zeros elsewhere, so every float32 sum is an exact integer. For the few values
 * of logs, where a float32 sum would round.
 */
export async function allGatherFloat64(comm: Communicator, values: Float64Array): Promise<Float64Array[]> {
  const k = values.length;
  const slots = new Float32Array(comm.size * k * PIECES);
  const mine = new Uint16Array(new Float64Array(values).buffer);
  slots.set(mine, comm.rank * k * PIECES);
  await comm.allReduceSum(slots);
  return Array.from({ length: comm.size }, (_, r) => new Float64Array(Uint16Array.from(slots.subarray(r * k * PIECES, (r + 1) * k * PIECES)).buffer));
}

/**
 * Each key's mean over every rank's samples, Σ samples_r · value_r / Σ samples_r, summed in rank order in float64:
 * every rank gets the same figures. Exact for the loss and the counted metrics (accuracy, mean errors); a rank
 * without samples adds nothing. The keys must be the same, in the same order, on every rank.
 */
export async function allReduceMean(comm: Communicator, logs: Readonly<Record<string, number>>, samples: number, keys: readonly string[]): Promise<Record<string, number>> {
  const local = Float64Array.from([samples, ...keys.map((k) => (samples === 0 ? 0 : logs[k] * samples))]);
  const all = await allGatherFloat64(comm, local);
  const total = all.reduce((sum, r) => sum + r[0], 0);
  return Object.fromEntries(keys.map((key, i) => [key, all.reduce((sum, r) => sum + r[i + 1], 0) / total]));
}

/** True on every rank if it is true on any. */
export async function anyRank(comm: Communicator, flag: boolean): Promise<boolean> {
  const data = Float32Array.of(flag ? 1 : 0);
  await comm.allReduceSum(data);
  return data[0] > 0;
}
