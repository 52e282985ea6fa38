import { ConfigError, describeValue } from '../../core/errors.ts';
import { Embedding } from '../../layers/embedding.ts';
import { Masking } from '../../layers/masking.ts';
import { TimeDistributed } from '../../layers/time-distributed.ts';
import type { BuiltinSpec } from './layers.ts';
import { initializerJson, initializerOption, layerFromJson, layerToJson } from './layers.ts';
import { isJsonObject } from './names.ts';
import { rulesFromJson, rulesToJson } from './regularizers.ts';

// The tfjs / Keras configs of the sequence layers of issue 16: Embedding, Masking, TimeDistributed (whose config
// nests the wrapped layer's {class_name, config}). layers.ts spreads SEQUENCE_BUILTINS into its registry; the helpers
// taken from layers.ts must only be called inside the specs' functions, never while this file loads.

export const SEQUENCE_BUILTINS: readonly BuiltinSpec[] = [
  {
    className: 'Embedding',
    cls: Embedding,
    toJson: (layer) => {
      const embedding = layer as Embedding;
      return {
        input_dim: embedding.inputDim, output_dim: embedding.outputDim, embeddings_initializer: initializerJson(layer, 'embeddingsInitializer'),
        ...rulesToJson(embedding.rules, embedding.activityRegularizer), mask_zero: embedding.maskZero,
        input_length: embedding.inputLength === undefined ? null : typeof embedding.inputLength === 'number' ? embedding.inputLength : [...embedding.inputLength],
      };
    },
    fromJson: (r) => {
      const length = r.config.input_length;
      if (length !== undefined && length !== null && typeof length !== 'number' && !Array.isArray(length)) {
        throw new ConfigError(`${r.where}: input_length must be a number, a list of numbers or null, got ${describeValue(length)}`);
      }
      return new Embedding(r.number('input_dim'), r.number('output_dim'), {
        ...r.common, ...rulesFromJson(r.config, ['embeddings'], r.where), maskZero: r.boolean('mask_zero', false),
        ...initializerOption(r, 'embeddings_initializer', 'embeddingsInitializer'),
        ...(length === undefined || length === null ? {} : { inputLength: length as number | number[] }),
      });
    },
  },
  {
    className: 'Masking',
    cls: Masking,
    toJson: (layer) => ({ mask_value: (layer as Masking).maskValue }),
    fromJson: (r) => new Masking({ ...r.common, maskValue: r.number('mask_value', 0) }),
  },
  {
    className: 'TimeDistributed',
    cls: TimeDistributed,
    toJson: (layer, where) => {
      const inner = (layer as TimeDistributed).layer;
      return { layer: layerToJson(inner, `${where}.layer`) };
    },
    fromJson: (r) => {
      const inner = r.value('layer');
      if (!isJsonObject(inner) || typeof inner.class_name !== 'string' || !isJsonObject(inner.config)) {
        throw new ConfigError(`${r.where}: layer must be the wrapped layer's {class_name, config}, got ${describeValue(inner)}`);
      }
      return new TimeDistributed(layerFromJson(inner.class_name, inner.config, r.customLayers, `${r.where}.layer`), r.common);
    },
  },
];
