import { ConfigError, describeValue, prefixError } from '../core/errors.ts';
import { checkOptionKeys } from '../core/options.ts';
import { InputLayer } from '../layers/input-layer.ts';
import { digest, commitSave } from './serialization/files.ts';
import type { FileDigest } from './serialization/files.ts';
import type { ModelJson, TrainingJson } from './serialization/format.ts';
import { DATA_FILES, FORMAT_VERSION, GENERATED_BY, MODEL_FILE, OPTIMIZER_FILE, WEIGHTS_FILE, recordedDigests } from './serialization/format.ts';
import { topologyToJson } from './serialization/topology.ts';
import { trainingToJson } from './serialization/training.ts';
import { packTensors } from './serialization/weights.ts';
import type { Sequential } from './sequential.ts';

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
 * Writes `dir/model.json` and `dir/weights.bin` in the TensorFlow.js LayersModel format (tf.loadLayersModel reads
 * them), plus `dir/optimizer.bin` with includeOptimizer. Weights are stored as float32, named `<layer>/<weight>`
 * in the order of the model's weights. The save is crash-safe (serialization/files.ts), saves into one directory take
 * turns, across processes too (serialization/dir-lock.ts), and file-system errors are FileErrors naming dir.
 */
export async function saveModel(model: Sequential, dir: string, options: SaveOptions = {}): Promise<void> {
  const where = `${model.name}.save`;
  let files: Map<string, Uint8Array>;
  let json: ModelJson;
  let lockTimeout: number;
  try {
    checkOptionKeys(options, ['includeOptimizer', 'lockTimeout'], where);
    if (typeof dir !== 'string' || dir === '') throw new ConfigError(`${where}: dir must be a directory path, got ${describeValue(dir)}`);
    lockTimeout = options.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_MS;
    if (typeof lockTimeout !== 'number' || !(lockTimeout >= 0)) throw new ConfigError(`${where}: lockTimeout must be a number of ms >= 0, got ${describeValue(lockTimeout)}`);
    const includeOptimizer = options.includeOptimizer ?? false;
    if (typeof includeOptimizer !== 'boolean') throw new ConfigError(`${where}: includeOptimizer must be true or false, got ${describeValue(includeOptimizer)}`);
    const modelTopology = topologyToJson(model, where);
    const weights = packTensors(model.layers.filter((l) => !(l instanceof InputLayer)).flatMap((layer) =>
      layer.weights.map((w) => ({ name: `${layer.name}/${w.name}`, tensor: w.value, dtype: 'float32' as const }))));
    files = new Map([[WEIGHTS_FILE, weights.bytes]]);
    let training: TrainingJson | undefined;
    if (includeOptimizer) {
      const compiled = model.compiled;
      if (compiled === undefined) throw new ConfigError(`${where}: includeOptimizer needs a compiled model; call compile() first`);
      const packed = trainingToJson(compiled, model.optimizerProgress, where);
      training = packed.json;
      files.set(OPTIMIZER_FILE, packed.bytes);
    }
    const digests: Record<string, FileDigest> = Object.fromEntries([...files].map(([name, bytes]) => [name, digest(bytes)]));
    json = {
      format: 'layers-model',
      generatedBy: GENERATED_BY,
      convertedBy: null,
      modelTopology,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: weights.specs }],
      semiflow: { version: FORMAT_VERSION, dtype: model.dtype, seed: model.seed ?? null, files: digests, ...(training === undefined ? {} : { training }) },
    };
  } catch (error) {
    throw prefixError(error, where);
  }
  const index = { name: MODEL_FILE, bytes: new TextEncoder().encode(JSON.stringify(json)) };
  await commitSave(dir, files, index, recordedDigests, DATA_FILES, { lockTimeout, who: where });
}
