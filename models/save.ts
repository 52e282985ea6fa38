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
}

/**
 * Writes `dir/model.json` and `dir/weights.bin` in the TensorFlow.js LayersModel format (tf.loadLayersModel reads
 * them), plus `dir/optimizer.bin` with includeOptimizer. Weights are stored as float32, named `<layer>/<weight>`
 * in the order of the model's weights. The save is crash-safe: see serialization/files.ts.
 */
export async function saveModel(model: Sequential, dir: string, options: SaveOptions = {}): Promise<void> {
  const where = `${model.name}.save`;
  let files: Map<string, Uint8Array>;
  let json: ModelJson;
  try {
    checkOptionKeys(options, ['includeOptimizer'], where);
    if (typeof dir !== 'string' || dir === '') throw new ConfigError(`${where}: dir must be a directory path, got ${describeValue(dir)}`);
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
  // File-system errors (ENOSPC, EACCES) pass through: their message names the path.
  await commitSave(dir, files, { name: MODEL_FILE, bytes: new TextEncoder().encode(JSON.stringify(json)) }, recordedDigests, DATA_FILES);
}
