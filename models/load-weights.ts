import { ConfigError, ShapeError, ValueError, describeValue, fmtShape, prefixError } from '../core/errors.ts';
import { sameShape } from '../core/shape.ts';
import { checkOptionKeys } from '../core/options.ts';
import type { Tensor } from '../core/tensor.ts';
import { storeFor } from './io/stores.ts';
import { readSaved, readWeights } from './serialization/saved.ts';
import type { Model } from './model.ts';

/**
 * A saved name split into its layer and the weight's name in that layer: "<layer>/<weight>", where the layer may carry
 * a model prefix (TF 2's "<model>/<layer>/<weight>") and a Bidirectional's weight names its direction's layer
 * ("bidirectional_1/forward_lstm_1/kernel": weight "forward_lstm_1/kernel").
 */
function splitName(name: string): [layer: string, weight: string] {
  const parts = name.split('/');
  const inner = parts.length >= 3 && /^(forward|backward)_/.test(parts[parts.length - 2]) ? 2 : 1;
  return [parts.slice(0, -inner).join('/'), parts.slice(-inner).join('/')];
}

/** How weights match within a layer: a direction's layer is named automatically, so only its direction counts. */
function matchName(weight: string): string {
  return weight.replace(/^(forward|backward)_[^/]*\//, '$1/');
}

/** The saved weights grouped by layer (layer → match name → tensor), layers in manifest order. */
function byLayer(weights: ReadonlyMap<string, Tensor>): Map<string, Map<string, Tensor>> {
  const layers = new Map<string, Map<string, Tensor>>();
  for (const [name, value] of weights) {
    const [layer, weight] = splitName(name);
    if (!layers.has(layer)) layers.set(layer, new Map());
    (layers.get(layer) as Map<string, Tensor>).set(matchName(weight), value);
  }
  return layers;
}

/**
 * model.loadWeights(dir): this model's weights from a directory that model.save (or tfjs) wrote, as Keras's
 * load_weights. Weights only: modelTopology is not rebuilt (the architecture is this model's), optimizer.bin is not
 * read, and the model's optimizer progress is kept. The i-th layer with weights takes the i-th layer of the
 * manifest whatever the names (automatic names differ between models), each weight by its name, with equal shapes.
 * Everything (JSON, manifest, sizes and SHA-256 sums, byte counts, every shape) is checked before any weight is
 * set, so on any error the model is unchanged.
 */
export interface LoadWeightsOptions {
  /** Load weights that hold NaN or ±Infinity, which are refused otherwise. Default false. */
  allowNonFinite?: boolean;
}

export async function loadWeightsInto(model: Model, dir: string, options: LoadWeightsOptions = {}): Promise<void> {
  const who = `${model.name}.loadWeights`;
  try {
    checkOptionKeys(options, ['allowNonFinite'], who);
    const allowNonFinite = options.allowNonFinite ?? false;
    if (typeof allowNonFinite !== 'boolean') throw new ConfigError(`allowNonFinite must be true or false, got ${describeValue(allowNonFinite)}`);
    if (typeof dir !== 'string' || dir === '') throw new ConfigError(`dir must be a directory path, got ${describeValue(dir)}`);
    if (model.outputShapes === undefined) throw new ConfigError('the model is not built; give the first layer an inputShape, or call fit or predict once');
    const targets = model.layers.filter((layer) => layer.weights.length > 0);
    const source = storeFor(dir, who).open(dir, who);
    const { saved, weights } = await readSaved(source, who, async (saved) => ({ saved, weights: await readWeights(source, saved, model.dtype, !allowNonFinite) }));
    const groups = [...byLayer(weights)];
    if (groups.length !== targets.length) {
      throw new ValueError(`${saved.file}: holds weights for ${groups.length} layers (${groups.map(([name]) => name).join(', ')}) `
        + `but the model has ${targets.length} layers with weights (${targets.map((l) => l.name).join(', ')})`);
    }
    const values = targets.flatMap((layer, i) => {
      const [savedName, group] = groups[i];
      const which = savedName === layer.name ? `layer ${layer.name}` : `layer ${layer.name} (saved as ${savedName})`;
      const names = layer.weights.map((w) => matchName(w.name));
      const extra = [...group.keys()].filter((name) => !names.includes(name));
      if (extra.length > 0) throw new ValueError(`${saved.file}: ${which} has saved weights ${extra.join(', ')} that it does not have (it has ${names.join(', ')})`);
      return layer.weights.map((w) => {
        const value = group.get(matchName(w.name));
        if (value === undefined) throw new ValueError(`${saved.file}: ${which} needs the weight ${w.name} ${fmtShape(w.shape)}, which the weights manifest lacks`);
        if (!sameShape(value.shape, w.shape)) {
          throw new ShapeError(`${saved.file}: the weights manifest gives ${savedName}/${w.name} the shape ${fmtShape(value.shape)}, but ${which} needs ${fmtShape(w.shape)}`);
        }
        return value;
      });
    });
    model.setWeights(values);
  } catch (error) {
    throw prefixError(error, who);
  }
}
