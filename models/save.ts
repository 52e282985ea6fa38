import { ConfigError, describeValue } from '../core/errors.ts';
import { modelArtifacts } from './io/artifacts.ts';
import { digest, commitSave } from './serialization/files.ts';
import { DATA_FILES, MODEL_FILE, recordedDigests } from './serialization/format.ts';
import type { Sequential } from './sequential.ts';

export interface SaveOptions {
  /** Also save compile()'s optimizer, loss and metrics and the optimizer's state and step, so that fit() resumes exactly. */
  includeOptimizer?: boolean;
}

/**
 * Writes `dir/model.json` and `dir/weights.bin` (see io/artifacts.ts), plus `dir/optimizer.bin` with
 * includeOptimizer. The save is crash-safe: see serialization/files.ts. Node only (the file store).
 */
export async function saveModel(model: Sequential, dir: string, options: SaveOptions = {}): Promise<void> {
  const where = `${model.name}.save`;
  if (typeof dir !== 'string' || dir === '') throw new ConfigError(`${where}: dir must be a directory path, got ${describeValue(dir)}`);
  const { index, files } = modelArtifacts(model, options, where, digest);
  // File-system errors (ENOSPC, EACCES) pass through: their message names the path.
  await commitSave(dir, files, { name: MODEL_FILE, bytes: index }, recordedDigests, DATA_FILES);
}
