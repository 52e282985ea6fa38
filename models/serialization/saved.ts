import { firstNonFinite } from '../../core/dtype.ts';
import type { DType } from '../../core/dtype.ts';
import { ConfigError, FileError, ValueError, describeValue, fmtShape } from '../../core/errors.ts';
import { unravelIndex } from '../../core/shape.ts';
import type { Tensor } from '../../core/tensor.ts';
import type { ModelSource } from '../io/source.ts';
import type { FileDigest } from './files.ts';
import type { SemiflowJson, TrainingJson } from './format.ts';
import { MODEL_FILE, OPTIMIZER_FILE } from './format.ts';
import type { JsonObject } from './names.ts';
import { isJsonObject } from './names.ts';
import type { WeightSpec } from './weights.ts';
import { byteLength, readSpecs, unpackTensors } from './weights.ts';

// Reading a saved model (a directory, or any ModelSource): model.json and the data files it describes, each checked (JSON, manifest,
// sizes, SHA-256 sums, byte counts) before anything is built from them. Errors name the file and what is wrong.

export interface SavedJson {
  /** The path of model.json, which errors name. */
  readonly file: string;
  /** Who is loading (loadModel, model.loadWeights), for file-system errors. */
  readonly who: string;
  readonly text: string;
  readonly json: JsonObject;
  readonly semiflow: SemiflowJson | undefined;
}

/** How often a load starts over because a save replaced model.json while it read the data files. */
const MAX_READS = 100;

/**
 * Runs `read` on the source's model.json. A load takes no lock (it must work where it cannot write): if `read`
 * fails and model.json changed meanwhile, a save committed during the read, and the load starts over. So a load
 * beside saves gives one whole version, the newest that stayed in place while it was read.
 */
export async function readSaved<T>(source: ModelSource, who: string, read: (saved: SavedJson) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const saved = await readModelJson(source, who);
    try {
      return await read(saved);
    } catch (error) {
      const now = await source.readText(MODEL_FILE).catch(() => undefined);
      if (now === saved.text || attempt === MAX_READS) throw error;
    }
  }
}

async function readModelJson(source: ModelSource, who: string): Promise<SavedJson> {
  const file = source.where(MODEL_FILE);
  let text: string;
  try {
    text = await source.readText(MODEL_FILE);
  } catch (error) {
    // The file store raises FileErrors that name the model's directory; any other failure is named here.
    if (error instanceof FileError) throw error;
    throw new ValueError(`${file}: cannot read the file (${(error as { code?: string }).code ?? (error as Error).message})`);
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
  return { file, who, text, json, semiflow: json.semiflow === undefined ? undefined : readSemiflow(json.semiflow, file) };
}

/**
 * Every weight the manifest lists by its name ("<layer>/<weight>"), in manifest order, read as `dtype` from the
 * weight files (or the staged F.next a save left).
 */
export async function readWeights(source: ModelSource, saved: SavedJson, dtype: DType, refuseNonFinite: boolean): Promise<ReadonlyMap<string, Tensor>> {
  const { file, json, semiflow } = saved;
  const { specs, paths } = readManifest(json.weightsManifest, file);
  const chunks = await Promise.all(paths.map((p) => source.readData(p, semiflow?.files[p])));
  const weightsFile = paths.map((p) => source.where(p)).join(' + ') || file;
  const verified = paths.length > 0 && paths.every((p) => semiflow?.files[p] !== undefined);
  const values = unpack(specs, concat(chunks), { file, what: 'the weights manifest', dataFile: weightsFile, verified, refuseNonFinite, who: saved.who }, () => dtype);
  const weights = new Map<string, Tensor>();
  specs.forEach((spec, i) => {
    if (weights.has(spec.name)) throw new ConfigError(`${file}: the weights manifest lists ${spec.name} twice`);
    weights.set(spec.name, values[i]);
  });
  return weights;
}

/** The tensors of optimizer.bin, each in its saved dtype; none when the model was saved without the optimizer. */
export async function readOptimizerTensors(source: ModelSource, saved: SavedJson, refuseNonFinite: boolean): Promise<Tensor[]> {
  const { file, semiflow } = saved;
  if (semiflow?.training === undefined) return [];
  const specs = readSpecs(semiflow.training.tensors, `${file}: semiflow.training.tensors`);
  const bytes = await source.readData(OPTIMIZER_FILE, semiflow.files[OPTIMIZER_FILE]);
  const from = { file, what: 'semiflow.training.tensors', dataFile: source.where(OPTIMIZER_FILE), verified: semiflow.files[OPTIMIZER_FILE] !== undefined, refuseNonFinite, who: saved.who };
  return unpack(specs, bytes, from, (spec: WeightSpec): DType => spec.dtype);
}

interface DataSource {
  readonly file: string;
  readonly what: string;
  readonly dataFile: string;
  readonly verified: boolean;
  readonly refuseNonFinite: boolean;
  /** Who loads (loadModel, net.loadWeights): the message says where allowNonFinite goes. */
  readonly who: string;
}

/**
 * unpackTensors, except that a data file whose size and SHA-256 model.json recorded (`verified`) is intact, so a byte
 * count that disagrees with the specs is the fault of model.json's list (`what`), and the message says so.
 * With refuseNonFinite, a NaN or ±Infinity (also one that a float64 value too large for float32 became) is refused.
 */
function unpack(specs: readonly WeightSpec[], bytes: Uint8Array, source: DataSource, dtypeOf: (spec: WeightSpec) => DType): Tensor[] {
  const { file, what, dataFile, verified, refuseNonFinite, who } = source;
  if (verified && bytes.length !== byteLength(specs)) {
    throw new ValueError(`${file}: ${what} describes ${byteLength(specs)} bytes (${specs.length} tensors), but ${dataFile} holds ${bytes.length}, `
      + 'which match the size and SHA-256 model.json recorded: the list in model.json is wrong');
  }
  const tensors = unpackTensors(specs, bytes, dataFile, dtypeOf);
  if (refuseNonFinite) tensors.forEach((t, i) => checkFinite(t, specs[i], dataFile, who));
  return tensors;
}

function checkFinite(t: Tensor, spec: WeightSpec, dataFile: string, who: string): void {
  const flat = firstNonFinite(t.storage);
  if (flat < 0) return;
  const converted = t.dtype === spec.dtype ? '' : ` (after conversion of its ${spec.dtype} value to ${t.dtype})`;
  throw new ValueError(`${dataFile}: ${spec.name} holds ${t.storage[flat]} at ${fmtShape(unravelIndex(flat, t.shape))} (flat index ${flat})${converted}; `
    + `a model with non-finite weights computes NaN. Pass { allowNonFinite: true } to ${who} to load it anyway`);
}

function readSemiflow(value: unknown, file: string): SemiflowJson {
  const where = `${file}: semiflow`;
  if (!isJsonObject(value)) throw new ConfigError(`${where} must be an object, got ${describeValue(value)}`);
  const { dtype = 'float32', seed = null, files = {}, training } = value;
  if (dtype !== 'float32' && dtype !== 'float64') throw new ConfigError(`${where}.dtype must be 'float32' or 'float64', got ${describeValue(dtype)}`);
  if (seed !== null && !Number.isFinite(seed)) throw new ConfigError(`${where}.seed must be a number or null, got ${describeValue(seed)}`);
  if (!isJsonObject(files)) throw new ConfigError(`${where}.files must be an object, got ${describeValue(files)}`);
  // No prototype: a key like "__proto__" or "toString" is a file name like any other.
  const digests = Object.create(null) as Record<string, FileDigest>;
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
      const inside = typeof p === 'string' ? pathInside(p) : undefined;
      if (inside === undefined) {
        throw new ConfigError(`${file}: weightsManifest[${i}] lists the path ${describeValue(p)}; paths must name files inside the model's directory`);
      }
      paths.push(inside);
    }
    specs.push(...readSpecs(group.weights, `${file}: weightsManifest[${i}]`));
  });
  return { specs, paths };
}

/** `path` with '.' and '..' steps resolved ('a/./b' → 'a/b'), or undefined when it is absolute, empty or leaves its directory. */
export function pathInside(path: string): string | undefined {
  if (path.startsWith('/')) return undefined;
  const steps: string[] = [];
  for (const step of path.split('/')) {
    if (step === '' || step === '.') continue;
    if (step !== '..') steps.push(step);
    else if (steps.pop() === undefined) return undefined;
  }
  return steps.length === 0 ? undefined : steps.join('/');
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
