import { ConfigError, ShapeError, ValueError, describeValue, fmtShape, prefixError } from '../core/errors.ts';
import { checkOptionKeys } from '../core/options.ts';
import type { ModelSource } from './io/source.ts';
import { storeFor } from './io/stores.ts';
import { sameShape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import { InputLayer } from '../layers/input-layer.ts';
import type { Optimizer } from '../optim/index.ts';
import type { SemiflowJson, TrainingJson } from './serialization/format.ts';
import { MODEL_FILE } from './serialization/format.ts';
import type { CustomLayerClass } from './serialization/layers.ts';
import { withWeightBudget } from './serialization/load-budget.ts';
import { isJsonObject } from './serialization/names.ts';
import type { SavedJson } from './serialization/saved.ts';
import { readOptimizerTensors, readSaved, readWeights } from './serialization/saved.ts';
import type { Topology } from './serialization/topology.ts';
import { sampleShape, topologyFromJson, unwrapTopology } from './serialization/topology.ts';
import type { FunctionalTopology } from './serialization/functional-topology.ts';
import { functionalFromJson, isFunctionalTopology } from './serialization/functional-topology.ts';
import type { Model } from './model.ts';
import { compileOptionsFromJson, progressFromJson } from './serialization/training.ts';
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
  /** Load weights and optimizer state that hold NaN or ±Infinity, which are refused otherwise. Default false. */
  allowNonFinite?: boolean;
}

/** Everything a saved model holds, read and checked before any model exists. */
interface Parsed {
  readonly topology: Topology | FunctionalTopology;
  readonly semiflow: SemiflowJson | undefined;
  readonly weights: ReadonlyMap<string, Tensor>;
  readonly optimizerTensors: readonly Tensor[];
}

/**
 * Loads a model saved by `model.save(dir)` or by tfjs (`model.json` in the LayersModel format and its weight files),
 * from a directory (Node), 'indexeddb://name', or the URL of its model.json (see io/stores.ts).
 * Everything is read and checked (JSON, layer classes, manifest, byte counts, shapes) before the model is returned:
 * a load either gives a complete model or throws, naming the file and what is wrong. A model saved with
 * includeOptimizer comes back compiled, and its next fit() goes on where the saved one stopped. A functional model
 * comes back as a Functional: `loadModel<Functional>(dir)` types it so (check with instanceof when unsure).
 */
export async function loadModel<M extends Model = Sequential>(dir: string, options: LoadOptions = {}): Promise<M> {
  checkOptionKeys(options, ['customLayers', 'optimizer', 'allowNonFinite'], 'loadModel');
  if (typeof dir !== 'string' || dir === '') throw new ConfigError(`loadModel: dir must be a directory path, got ${describeValue(dir)}`);
  const customLayers = options.customLayers ?? {};
  if (!isJsonObject(customLayers as unknown)) throw new ConfigError(`loadModel: customLayers must be an object of classes, like { MyLayer }, got ${describeValue(customLayers)}`);
  const allowNonFinite = options.allowNonFinite ?? false;
  if (typeof allowNonFinite !== 'boolean') throw new ConfigError(`loadModel: allowNonFinite must be true or false, got ${describeValue(allowNonFinite)}`);
  const source = storeFor(dir, 'loadModel').open(dir, 'loadModel');
  const parsed = await readSaved(source, 'loadModel', (saved) => parse(source, saved, customLayers, !allowNonFinite));
  // The file decides the class (Sequential or Functional); M is what the caller expects, Sequential unless said.
  return assemble(parsed, options.optimizer, source.where(MODEL_FILE)) as M;
}

async function parse(source: ModelSource, saved: SavedJson, customLayers: Readonly<Record<string, CustomLayerClass>>, refuseNonFinite: boolean): Promise<Parsed> {
  const dtype = saved.semiflow?.dtype ?? 'float32';
  const raw = saved.json.modelTopology;
  const topology = isJsonObject(raw) && isFunctionalTopology(unwrapTopology(raw))
    ? functionalFromJson(unwrapTopology(raw), customLayers, saved.file, dtype, sampleShape)
    : topologyFromJson(raw, customLayers, saved.file, dtype);
  const weights = await readWeights(source, saved, dtype, refuseNonFinite);
  const optimizerTensors = await readOptimizerTensors(source, saved, refuseNonFinite);
  return { topology, semiflow: saved.semiflow, weights, optimizerTensors };
}

/** The saved tensor for `name` = "<layer>/<weight>", also under a longer prefix (TF 2 writes "<model>/<layer>/<weight>"). */
function savedWeight(weights: ReadonlyMap<string, Tensor>, name: string): [string, Tensor] | undefined {
  const exact = weights.get(name);
  if (exact !== undefined) return [name, exact];
  return [...weights].find(([key]) => key.endsWith(`/${name}`));
}

/**
 * Slack over the manifest's size before a layer is refused while building: small mismatches get the manifest check,
 * which names the weight; a corrupt size (units: 3e8) fails at once instead of allocating gigabytes.
 */
const BUILD_SLACK_VALUES = 1 << 24;

/** The layers, built, with at most BUILD_SLACK_VALUES more weight values than the manifest holds. */
function buildModel({ topology, semiflow, weights }: Parsed): Model {
  const options = { ...(topology.name === undefined ? {} : { name: topology.name }), dtype: semiflow?.dtype ?? 'float32', ...(semiflow?.seed == null ? {} : { seed: semiflow.seed }) };
  const savedValues = [...weights.values()].reduce((n, t) => n + t.size, 0);
  if ('functional' in topology) {
    // Wiring the graph builds each layer twice (the symbolic dry run, then the model), so the budget counts the weights twice.
    return withWeightBudget(2 * savedValues + BUILD_SLACK_VALUES, `the weights manifest holds ${savedValues} values in all`, () => topology.functional(options));
  }
  const model = new Sequential(options);
  withWeightBudget(savedValues + BUILD_SLACK_VALUES, `the weights manifest holds ${savedValues} values in all`, () => {
    model.add(new InputLayer({ inputShape: topology.inputShape }));
    for (const layer of topology.layers) model.add(layer);
  });
  return model;
}

/** Builds the model from parsed parts; every weight is matched and shape-checked before any is set. */
function assemble(parsed: Parsed, optimizer: string | Optimizer | undefined, file: string): Model {
  const { semiflow } = parsed;
  let model: Model;
  try {
    model = buildModel(parsed);
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
      throw new ShapeError(`${file}: the weights manifest gives ${key} the shape ${fmtShape(value.shape)}, but layer ${layer.name} needs ${fmtShape(w.shape)}`);
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

function restoreTraining(model: Model, training: TrainingJson, tensors: readonly Tensor[], optimizer: string | Optimizer | undefined, file: string): void {
  try {
    model.compile(compileOptionsFromJson(training, optimizer, file));
  } catch (error) {
    throw prefixError(error, file);
  }
  const compiled = model.compiled as NonNullable<Model['compiled']>;
  model.optimizerProgress = progressFromJson(training, tensors, compiled.optimizer, model.trainableParams(), file);
}
