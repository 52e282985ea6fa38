import { ConfigError, describeValue, prefixError } from '../../core/errors.ts';
import { checkOptionKeys } from '../../core/options.ts';
import { InputLayer } from '../../layers/input-layer.ts';
import type { SaveOptions } from '../save.ts';
import type { FileDigest } from '../serialization/files.ts';
import type { ModelJson, TrainingJson } from '../serialization/format.ts';
import { FORMAT_VERSION, GENERATED_BY, OPTIMIZER_FILE, WEIGHTS_FILE } from '../serialization/format.ts';
import { trainingToJson } from '../serialization/training.ts';
import { packTensors } from '../serialization/weights.ts';
import type { Model } from '../model.ts';

/** What a save writes, wherever it goes: model.json's bytes and the data files it describes, by name. */
export interface ModelArtifacts {
  readonly index: Uint8Array;
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/**
 * model.json in the TensorFlow.js LayersModel format (tf.loadLayersModel reads it) and weights.bin, plus
 * optimizer.bin with includeOptimizer. Weights are stored as float32, named `<layer>/<weight>` in the order of the
 * model's weights; model.json records each data file's size and SHA-256 (`digest`).
 */
export function modelArtifacts(model: Model, options: SaveOptions, where: string, digest: (bytes: Uint8Array) => FileDigest): ModelArtifacts {
  try {
    checkOptionKeys(options, ['includeOptimizer', 'lockTimeout'], where);
    const includeOptimizer = options.includeOptimizer ?? false;
    if (typeof includeOptimizer !== 'boolean') throw new ConfigError(`${where}: includeOptimizer must be true or false, got ${describeValue(includeOptimizer)}`);
    const modelTopology = model.topologyJson(where);
    const weights = packTensors(model.layers.filter((l) => !(l instanceof InputLayer)).flatMap((layer) =>
      layer.weights.map((w) => ({ name: `${layer.name}/${w.name}`, tensor: w.value, dtype: 'float32' as const }))));
    const files = new Map([[WEIGHTS_FILE, weights.bytes]]);
    let training: TrainingJson | undefined;
    if (includeOptimizer) {
      const compiled = model.compiled;
      if (compiled === undefined) throw new ConfigError(`${where}: includeOptimizer needs a compiled model; call compile() first`);
      const packed = trainingToJson(compiled, model.optimizerProgress, where);
      training = packed.json;
      files.set(OPTIMIZER_FILE, packed.bytes);
    }
    const digests: Record<string, FileDigest> = Object.fromEntries([...files].map(([name, bytes]) => [name, digest(bytes)]));
    const json: ModelJson = {
      format: 'layers-model',
      generatedBy: GENERATED_BY,
      convertedBy: null,
      modelTopology,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: weights.specs }],
      semiflow: { version: FORMAT_VERSION, dtype: model.dtype, seed: model.seed ?? null, files: digests, ...(training === undefined ? {} : { training }) },
    };
    return { index: new TextEncoder().encode(JSON.stringify(json)), files };
  } catch (error) {
    throw prefixError(error, where);
  }
}
