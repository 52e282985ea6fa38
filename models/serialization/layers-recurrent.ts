import { ConfigError, describeValue } from '../../core/errors.ts';
import type { Layer } from '../../layers/layer.ts';
import { Bidirectional } from '../../layers/recurrent/bidirectional.ts';
import type { MergeMode } from '../../layers/recurrent/bidirectional.ts';
import { GRU } from '../../layers/recurrent/gru.ts';
import { LSTM } from '../../layers/recurrent/lstm.ts';
import { Recurrent } from '../../layers/recurrent/recurrent.ts';
import { SimpleRNN } from '../../layers/recurrent/simple-rnn.ts';
import { activationFromJson, activationToJson } from './activations.ts';
import type { BuiltinSpec, Reader } from './layers.ts';
import { initializerJson, initializerOption, layerFromJson, layerToJson } from './layers.ts';
import type { JsonObject, JsonValue } from './names.ts';
import { isJsonObject } from './names.ts';
import { rulesFromJson, rulesToJson } from './regularizers.ts';

// The tfjs / Keras configs of SimpleRNN, LSTM, GRU and Bidirectional (issue 16). layers.ts spreads RECURRENT_BUILTINS into its
// registry; the helpers it shares are used inside functions only, so the import cycle is harmless.

const isFalse = (v: JsonValue): boolean => v === false;

/** The keys the three layers share, in tfjs's spelling (implementation 2: one dropout mask for all gates, as here). */
function recurrentJson(layer: Recurrent, where: string): JsonObject {
  return {
    units: layer.units, activation: activationToJson(layer.activation, where), use_bias: layer.useBias,
    kernel_initializer: initializerJson(layer, 'kernelInitializer'), recurrent_initializer: initializerJson(layer, 'recurrentInitializer'),
    bias_initializer: initializerJson(layer, 'biasInitializer'), ...rulesToJson(layer.rules, layer.activityRegularizer),
    dropout: layer.dropout, recurrent_dropout: layer.recurrentDropout, return_sequences: layer.returnSequences,
    return_state: layer.returnState, go_backwards: layer.goBackwards, stateful: false, unroll: false,
  };
}

/** The options the three layers read back; stateful layers and time-major inputs are not implemented. */
function recurrentOptions(r: Reader) {
  r.unsupported({ stateful: isFalse, time_major: isFalse });
  return {
    ...r.common, ...rulesFromJson(r.config, ['kernel', 'recurrent', 'bias'], r.where), activation: activationFromJson(r.config.activation, r.where),
    useBias: r.boolean('use_bias', true), ...initializerOption(r, 'kernel_initializer', 'kernelInitializer'),
    ...initializerOption(r, 'recurrent_initializer', 'recurrentInitializer'), ...initializerOption(r, 'bias_initializer', 'biasInitializer'),
    dropout: r.number('dropout', 0), recurrentDropout: r.number('recurrent_dropout', 0), returnSequences: r.boolean('return_sequences', false),
    returnState: r.boolean('return_state', false), goBackwards: r.boolean('go_backwards', false),
  };
}

/** recurrent_activation: tf.keras 2's default sigmoid when absent (a tfjs config always writes it). */
function recurrentActivation(r: Reader) {
  return activationFromJson(r.config.recurrent_activation ?? 'sigmoid', r.where);
}

/** A nested {class_name, config} that must build a SimpleRNN, LSTM or GRU. */
function nestedRecurrent(r: Reader, key: string): Recurrent {
  const value = r.value(key);
  if (!isJsonObject(value) || typeof value.class_name !== 'string' || !isJsonObject(value.config)) {
    throw new ConfigError(`${r.where}: ${key} must be a layer's {class_name, config}, got ${describeValue(value)}`);
  }
  const layer = layerFromJson(value.class_name, value.config, {}, `${r.where}.${key}`);
  if (!(layer instanceof Recurrent)) throw new ConfigError(`${r.where}: ${key} must be a SimpleRNN, LSTM or GRU, got ${value.class_name}`);
  return layer;
}

const MERGE_MODES: readonly JsonValue[] = ['concat', 'sum', 'mul', 'ave', null];

export const RECURRENT_BUILTINS: readonly BuiltinSpec[] = [
  {
    className: 'SimpleRNN',
    cls: SimpleRNN,
    toJson: (layer, where) => recurrentJson(layer as SimpleRNN, where),
    fromJson: (r) => new SimpleRNN(r.number('units'), recurrentOptions(r)),
  },
  {
    className: 'LSTM',
    cls: LSTM,
    toJson: (layer: Layer, where) => {
      const lstm = layer as LSTM;
      return {
        ...recurrentJson(lstm, where), recurrent_activation: activationToJson(lstm.recurrentActivation, where),
        unit_forget_bias: lstm.unitForgetBias, implementation: 2,
      };
    },
    fromJson: (r) => new LSTM(r.number('units'), {
      ...recurrentOptions(r), recurrentActivation: recurrentActivation(r), unitForgetBias: r.boolean('unit_forget_bias', true),
    }),
  },
  {
    className: 'GRU',
    cls: GRU,
    toJson: (layer: Layer, where) => {
      const gru = layer as GRU;
      return { ...recurrentJson(gru, where), recurrent_activation: activationToJson(gru.recurrentActivation, where), reset_after: gru.resetAfter, implementation: 2 };
    },
    // A config without reset_after is Keras 2.2 or older, whose GRU had none: false, not tf.keras 2's default.
    fromJson: (r) => new GRU(r.number('units'), { ...recurrentOptions(r), recurrentActivation: recurrentActivation(r), resetAfter: r.boolean('reset_after', false) }),
  },
  {
    className: 'Bidirectional',
    cls: Bidirectional,
    toJson: (layer: Layer, where) => {
      const bi = layer as Bidirectional;
      const backward = bi.givenBackwardLayer;
      return {
        layer: layerToJson(bi.layer, `${where}.layer`), merge_mode: bi.mergeMode,
        ...(backward === undefined ? {} : { backward_layer: layerToJson(backward, `${where}.backward_layer`) }),
      };
    },
    fromJson: (r) => {
      // merge_mode null (Keras's None) returns both directions; an absent key is Keras's default 'concat'.
      const mergeMode = r.config.merge_mode === undefined ? 'concat' : r.config.merge_mode;
      if (!MERGE_MODES.includes(mergeMode)) throw new ConfigError(`${r.where}: merge_mode must be one of ${MERGE_MODES.map((m) => JSON.stringify(m)).join(', ')}, got ${JSON.stringify(mergeMode)}`);
      return new Bidirectional(nestedRecurrent(r, 'layer'), {
        ...r.common, mergeMode: mergeMode as MergeMode | null,
        ...(r.config.backward_layer == null ? {} : { backwardLayer: nestedRecurrent(r, 'backward_layer') }),
      });
    },
  },
];
