import type { DType } from '../../core/dtype.ts';
import type { FileDigest } from './files.ts';
import type { JsonObject, JsonValue } from './names.ts';
import { isJsonObject } from './names.ts';
import type { WeightSpec } from './weights.ts';
import type { SavedMetric } from '../metrics.ts';

// The files of a saved model. model.json is the tfjs LayersModel format; semiflow's own additions sit under the
// top-level key `semiflow`, which tfjs ignores (it reads only modelTopology, weightsManifest and its known keys).

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const OPTIMIZER_FILE = 'optimizer.bin';
/** The data files a save writes; one that a new save does not write is removed with the old save. */
export const DATA_FILES: readonly string[] = [WEIGHTS_FILE, OPTIMIZER_FILE];

export const GENERATED_BY = 'semiflow v0.1.0';
/** The layer-config dialect model.json follows. */
export const KERAS_VERSION = 'tfjs-layers 4.22.0';
export const FORMAT_VERSION = 1;

export interface LayerJson {
  readonly class_name: string;
  readonly config: JsonObject;
}

/** What compile() was given, and where optimisation stood: enough for fit() to go on exactly. */
export interface TrainingJson {
  readonly optimizer: { readonly name: string; readonly config: JsonObject };
  readonly loss: { readonly name: string; readonly config: JsonObject };
  readonly metrics: readonly SavedMetric[];
  /** Each output's loss, weight and metrics, for a model compiled with several outputs or loss weights. */
  readonly outputs?: readonly { readonly name: string; readonly loss: { readonly name: string; readonly config: JsonObject }; readonly weight: number; readonly metrics: readonly SavedMetric[] }[];
  /** model.optimizerProgress with its tensors replaced by references into optimizer.bin, or null before the first step. */
  readonly progress: JsonValue;
  /** The tensors of optimizer.bin, in order. */
  readonly tensors: readonly WeightSpec[];
}

export interface SemiflowJson {
  readonly version: number;
  readonly dtype: DType;
  readonly seed: number | null;
  /** Size and SHA-256 of each data file, so a reader knows the bytes that belong to this model.json. */
  readonly files: Readonly<Record<string, FileDigest>>;
  readonly training?: TrainingJson;
}

export interface ModelJson {
  readonly format: 'layers-model';
  readonly generatedBy: string;
  readonly convertedBy: null;
  readonly modelTopology: {
    readonly class_name: 'Sequential' | 'Functional';
    /** Sequential: {name, layers}; Functional also input_layers, output_layers and each layer's inbound_nodes. */
    readonly config: { readonly name: string; readonly layers: readonly LayerJson[]; readonly [key: string]: unknown };
    readonly keras_version: string;
    readonly backend: string;
  };
  readonly weightsManifest: readonly { readonly paths: readonly string[]; readonly weights: readonly WeightSpec[] }[];
  readonly semiflow: SemiflowJson;
}

/** The data-file digests an existing model.json records; none if it is unreadable or was not written by semiflow. */
export function recordedDigests(bytes: Uint8Array): ReadonlyMap<string, FileDigest> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return new Map();
  }
  const files = isJsonObject(parsed) && isJsonObject(parsed.semiflow) ? parsed.semiflow.files : undefined;
  if (!isJsonObject(files)) return new Map();
  const digests = new Map<string, FileDigest>();
  for (const [name, value] of Object.entries(files)) {
    if (DATA_FILES.includes(name) && isJsonObject(value) && typeof value.bytes === 'number' && typeof value.sha256 === 'string') {
      digests.set(name, { bytes: value.bytes, sha256: value.sha256 });
    }
  }
  return digests;
}
