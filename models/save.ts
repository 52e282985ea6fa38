import { ConfigError, describeValue } from '../core/errors.ts';
import { modelArtifacts } from './io/artifacts.ts';
import { digest, commitSave } from './serialization/files.ts';
import { DATA_FILES, MODEL_FILE, recordedDigests } from './serialization/format.ts';
import type { Model } from './model.ts';

export interface SaveOptions {
  /** Also save compile()'s optimizer, loss and metrics and the optimizer's state and step, so that fit() resumes exactly. */
  includeOptimizer?: boolean;
  /**
   * How long to wait, in ms, while a save of another process holds the directory (saves into one directory take
   * turns); then the save fails with a FileError naming the holder. Default 60 000.
   */
  lockTimeout?: number;
}

const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

/**
 * Writes `dir/model.json` and `dir/weights.bin` (see io/artifacts.ts), plus `dir/optimizer.bin` with
 * includeOptimizer. The save is crash-safe (serialization/files.ts), saves into one directory take turns, across
 * processes too (serialization/dir-lock.ts), and file-system errors are FileErrors naming dir. Node only (the file store).
 */
export async function saveModel(model: Model, dir: string, options: SaveOptions = {}): Promise<void> {
  const where = `${model.name}.save`;
  if (typeof dir !== 'string' || dir === '') throw new ConfigError(`${where}: dir must be a directory path, got ${describeValue(dir)}`);
  const lockTimeout = options?.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_MS;
  if (typeof lockTimeout !== 'number' || !(lockTimeout >= 0)) throw new ConfigError(`${where}: lockTimeout must be a number of ms >= 0, got ${describeValue(lockTimeout)}`);
  const { index, files } = modelArtifacts(model, options, where, digest);
  await commitSave(dir, files, { name: MODEL_FILE, bytes: index }, recordedDigests, DATA_FILES, { lockTimeout, who: where });
}
