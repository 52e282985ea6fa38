import { promises as fs } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import type { DType } from '../core/dtype.ts';
import { ConfigError, ShapeError, ValueError, describeValue, fmtShape, prefixError } from '../core/errors.ts';
import { checkOptionKeys } from '../core/options.ts';
import { sameShape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import { InputLayer } from '../layers/input-layer.ts';
import type { Optimizer } from '../optim/index.ts';
import type { FileDigest } from './serialization/files.ts';
import { readDataFile } from './serialization/files.ts';
import type { SemiflowJson, TrainingJson } from './serialization/format.ts';
import { MODEL_FILE, OPTIMIZER_FILE } from './serialization/format.ts';
import type { CustomLayerClass } from './serialization/layers.ts';
import { isJsonObject } from './serialization/names.ts';
import type { Topology } from './serialization/topology.ts';
import { topologyFromJson } from './serialization/topology.ts';
import { compileOptionsFromJson, progressFromJson } from './serialization/training.ts';
import type { WeightSpec } from './serialization/weights.ts';
import { readSpecs, unpackTensors } from './serialization/weights.ts';
import { Sequential } from './sequential.ts';

export type { CustomLayerClass };

export interface LoadOptions {
  /**
   * Layer classes that are not built in, by the class_name model.json gives them (the class's name when semiflow
   * saved it). Each extends Layer, implements getConfig(), and is rebuilt by `new C(config)` or `C.fromConfig(config)`.
   */
  customLayers?: Readonly<Record<string, CustomLayerClass>>;
  /** Replaces the saved optimizer, of the same kind; required when it was saved with a learning-rate schedule. */
  optimizer?: string | Optimizer;
}

/** Everything a saved model holds, read and checked before any model exists. */
interface Parsed {
  readonly topology: Topology;
  readonly semiflow: SemiflowJson | undefined;
  readonly weights: ReadonlyMap<string, Tensor>;
  readonly weightsFile: string;
  readonly optimizerTensors: readonly Tensor[];
}

/**
 * Loads a model saved by `model.save(dir)` or by tfjs (`model.json` in the LayersModel format and its weight files).
 * Everything is read and checked (JSON, layer classes, manifest, byte counts, shapes) before the model is returned:
 * a load either gives a complete model or throws, naming the file and what is wrong. A model saved with
 * includeOptimizer comes back compiled, and its next fit() goes on where the saved one stopped.
 */
export async function loadModel(dir: string, options: LoadOptions = {}): Promise<Sequential> {
  checkOptionKeys(options, ['customLayers', 'optimizer'], 'loadModel');
  if (typeof dir !== 'string' || dir === '') throw new ConfigError(`loadModel: dir must be a directory path, got ${describeValue(dir)}`);
  const customLayers = options.customLayers ?? {};
  if (!isJsonObject(customLayers as unknown)) throw new ConfigError(`loadModel: customLayers must be an object of classes, like { MyLayer }, got ${describeValue(customLayers)}`);
  const file = join(dir, MODEL_FILE);
  const parsed = await parse(dir, file, customLayers);
  return assemble(parsed, options.optimizer, file);
}

async function parse(dir: string, file: string, customLayers: Readonly<Record<string, CustomLayerClass>>): Promise<Parsed> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new ValueError(`${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ValueError(`${file}: invalid JSON: ${(error as Error).message}`);
  }
  if (!isJsonObject(json)) throw new ValueError(`${file}: expected a JSON object, got ${describeValue(json)}`);
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw new ConfigError(`${file}: format is ${describeValue(json.format)}; semiflow loads 'layers-model' files`);
  }
  const semiflow = json.semiflow === undefined ? undefined : readSemiflow(json.semiflow, file);
  const topology = topologyFromJson(json.modelTopology, customLayers, file);
  const { specs, paths } = readManifest(json.weightsManifest, file);
  const chunks = await Promise.all(paths.map((p) => readDataFile(dir, p, semiflow?.files[p])));
  const weightsFile = paths.map((p) => join(dir, p)).join(' + ') || file;
  const values = unpackTensors(specs, concat(chunks), weightsFile, () => semiflow?.dtype ?? 'float32');
  const weights = new Map<string, Tensor>();
  specs.forEach((spec, i) => {
    if (weights.has(spec.name)) throw new ConfigError(`${file}: the weights manifest lists ${spec.name} twice`);
    weights.set(spec.name, values[i]);
  });
  let optimizerTensors: Tensor[] = [];
  if (semiflow?.training !== undefined) {
    const optimizerFile = join(dir, OPTIMIZER_FILE);
    const optimizerSpecs = readSpecs(semiflow.training.tensors, `${file}: semiflow.training.tensors`);
    const bytes = await readDataFile(dir, OPTIMIZER_FILE, semiflow.files[OPTIMIZER_FILE]);
    optimizerTensors = unpackTensors(optimizerSpecs, bytes, optimizerFile, (spec: WeightSpec): DType => spec.dtype);
  }
  return { topology, semiflow, weights, weightsFile, optimizerTensors };
}

function readSemiflow(value: unknown, file: string): SemiflowJson {
  const where = `${file}: semiflow`;
  if (!isJsonObject(value)) throw new ConfigError(`${where} must be an object, got ${describeValue(value)}`);
  const { dtype = 'float32', seed = null, files = {}, training } = value;
  if (dtype !== 'float32' && dtype !== 'float64') throw new ConfigError(`${where}.dtype must be 'float32' or 'float64', got ${describeValue(dtype)}`);
  if (seed !== null && !Number.isFinite(seed)) throw new ConfigError(`${where}.seed must be a number or null, got ${describeValue(seed)}`);
  if (!isJsonObject(files)) throw new ConfigError(`${where}.files must be an object, got ${describeValue(files)}`);
  const digests: Record<string, FileDigest> = {};
  for (const [name, d] of Object.entries(files)) {
    if (!isJsonObject(d) || !Number.isInteger(d.bytes) || typeof d.sha256 !== 'string') {
      throw new ConfigError(`${where}.files.${name} must be {bytes, sha256}, got ${describeValue(d)}`);
    }
    digests[name] = { bytes: d.bytes as number, sha256: d.sha256 };
  }
  if (training !== undefined && !isJsonObject(training)) throw new ConfigError(`${where}.training must be an object, got ${describeValue(training)}`);
  return {
    version: typeof value.version === 'number' ? value.version : 0,
    dtype, seed: seed as number | null, files: digests,
    ...(training === undefined ? {} : { training: training as unknown as TrainingJson }),
  };
}

/** Every weight spec of every manifest group, and the files that hold them, in order. */
function readManifest(value: unknown, file: string): { specs: WeightSpec[]; paths: string[] } {
  if (value === undefined || value === null) return { specs: [], paths: [] };
  if (!Array.isArray(value)) throw new ConfigError(`${file}: weightsManifest must be a list of {paths, weights}, got ${describeValue(value)}`);
  const specs: WeightSpec[] = [];
  const paths: string[] = [];
  value.forEach((group: unknown, i) => {
    if (!isJsonObject(group) || !Array.isArray(group.paths)) throw new ConfigError(`${file}: weightsManifest[${i}] must be {paths, weights}`);
    for (const p of group.paths) {
      if (typeof p !== 'string' || isAbsolute(p) || normalize(p).startsWith('..')) {
        throw new ConfigError(`${file}: weightsManifest[${i}] lists the path ${describeValue(p)}; paths must stay inside the model's directory`);
      }
      paths.push(normalize(p));
    }
    specs.push(...readSpecs(group.weights, `${file}: weightsManifest[${i}]`));
  });
  return { specs, paths };
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** The saved tensor for `name` = "<layer>/<weight>", also under a longer prefix (TF 2 writes "<model>/<layer>/<weight>"). */
function savedWeight(weights: ReadonlyMap<string, Tensor>, name: string): [string, Tensor] | undefined {
  const exact = weights.get(name);
  if (exact !== undefined) return [name, exact];
  return [...weights].find(([key]) => key.endsWith(`/${name}`));
}

/** Builds the model from parsed parts; every weight is matched and shape-checked before any is set. */
function assemble(parsed: Parsed, optimizer: string | Optimizer | undefined, file: string): Sequential {
  const { topology, semiflow } = parsed;
  let model: Sequential;
  try {
    model = new Sequential({ ...(topology.name === undefined ? {} : { name: topology.name }), dtype: semiflow?.dtype ?? 'float32', ...(semiflow?.seed == null ? {} : { seed: semiflow.seed }) });
    model.add(new InputLayer({ inputShape: topology.inputShape }));
    for (const layer of topology.layers) model.add(layer);
  } catch (error) {
    throw prefixError(error, file);
  }
  const used = new Set<string>();
  const values = model.layers.flatMap((layer) => layer.weights.map((w) => {
    const name = `${layer.name}/${w.name}`;
    const found = savedWeight(parsed.weights, name);
    if (found === undefined) throw new ValueError(`${file}: the weights manifest has no ${name} (layer ${layer.name} needs ${fmtShape(w.shape)})`);
    const [key, value] = found;
    if (!sameShape(value.shape, w.shape)) {
      throw new ShapeError(`${parsed.weightsFile}: ${key} has shape ${fmtShape(value.shape)} but layer ${layer.name} needs ${fmtShape(w.shape)}`);
    }
    used.add(key);
    return value;
  }));
  const extra = [...parsed.weights.keys()].filter((k) => !used.has(k));
  if (extra.length > 0) throw new ValueError(`${file}: the weights manifest has weights no layer uses: ${extra.join(', ')}`);
  model.setWeights(values);
  const training = semiflow?.training;
  if (training !== undefined) restoreTraining(model, training, parsed.optimizerTensors, optimizer, file);
  else if (optimizer !== undefined) throw new ConfigError(`${file}: the model was saved without includeOptimizer, so there is no optimizer state to give the optimizer option to`);
  return model;
}

function restoreTraining(model: Sequential, training: TrainingJson, tensors: readonly Tensor[], optimizer: string | Optimizer | undefined, file: string): void {
  try {
    model.compile(compileOptionsFromJson(training, optimizer, file));
  } catch (error) {
    throw prefixError(error, file);
  }
  const compiled = model.compiled as NonNullable<Sequential['compiled']>;
  model.optimizerProgress = progressFromJson(training, tensors, compiled.optimizer, model.trainableParams(), file);
}
