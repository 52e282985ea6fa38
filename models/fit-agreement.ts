import { ConfigError } from '../core/errors.ts';
import { allGatherFloat64 } from '../distributed/all-gather.ts';
import type { Communicator } from '../distributed/communicator.ts';
import type { FitData } from './fit-data.ts';
import type { FitSettings } from './fit-options.ts';

/**
 * What every rank's fit must agree on, or the ranks would call different collectives (a hang until the timeout) or
 * sum the gradients of different batches: the epochs, the batches and their size, the rows, when to validate.
 */
function fingerprint(settings: FitSettings, data: FitData): Record<string, number> {
  const validated = Array.from({ length: settings.epochs }, (_, e) => e).filter((e) => settings.validatesAfter(e));
  return {
    epochs: settings.epochs,
    initialEpoch: settings.initialEpoch,
    batchSize: settings.batchSize,
    'batches per epoch': data.source.limit ?? -1,
    'training rows': data.rows ?? -1,
    'validation rows': data.validationTensors?.[0][0].shape[0] ?? 0,
    'validated epochs': validated.length,
    'sum of the validated epochs': validated.reduce((a, b) => a + b, 0),
    shuffle: settings.shuffle ? 1 : 0,
  };
}

/** Refuses, on every rank alike, a fit whose settings or data sizes differ from rank 0's. */
export async function agreeOnFit(comm: Communicator, settings: FitSettings, data: FitData, who: string): Promise<void> {
  const mine = fingerprint(settings, data);
  const keys = Object.keys(mine);
  const all = await allGatherFloat64(comm, Float64Array.from(keys.map((k) => mine[k])));
  for (let r = 1; r < all.length; r++) {
    const i = keys.findIndex((_, k) => all[r][k] !== all[0][k]);
    if (i >= 0) {
      throw new ConfigError(`${who}: the ranks of distributed must call fit alike, but rank ${r} has ${keys[i]} ${all[r][i]} where rank 0 has ${all[0][i]}: give every rank the same data and options`);
    }
  }
}
