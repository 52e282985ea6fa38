import { ConfigError, describeValue } from '../../core/errors.ts';
import type { Activation } from '../../layers/activations.ts';
import { getActivation } from '../../layers/activations.ts';
import { snakeCase } from './names.ts';

// Activation names in model.json. tfjs reads a name by camel-casing it ('log_softmax' → logSoftmax) and looking it
// up; only names whose tfjs function equals ours are written plainly. The others get a 'semiflow>' prefix, which
// tfjs rejects as unknown instead of silently computing something else.

/** Ours whose definition tfjs shares under the same (snake_case) name. */
const SHARED = ['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'softplus', 'softsign', 'softmax', 'logSoftmax', 'elu', 'selu', 'swish', 'mish', 'gelu'];

/**
 * Names the format gives another meaning than semiflow: a LayersModel file's hard_sigmoid is tfjs's (and Keras 2's)
 * clip(0.2·x + 0.5, 0, 1), semiflow's hardSigmoidTfjs, while semiflow's hardSigmoid is Keras 3's clip(x/6 + 0.5, 0, 1).
 */
const FILE_NAMES: Readonly<Record<string, string>> = { hardSigmoidTfjs: 'hard_sigmoid' };
const FROM_FILE: Readonly<Record<string, string>> = { hard_sigmoid: 'hardSigmoidTfjs', hardSigmoid: 'hardSigmoidTfjs' };

const PREFIX = 'semiflow>';

/** How model.json names a layer's activation; a function semiflow cannot name again is refused, not lost. */
export function activationToJson(activation: Activation, where: string): string {
  let builtin: Activation | undefined;
  try {
    builtin = getActivation(activation.name, where);
  } catch {
    builtin = undefined;
  }
  if (builtin === undefined || builtin.fn !== activation.fn) {
    throw new ConfigError(`${where}: its activation ${describeValue(activation.name)} is a custom function, which a saved model cannot name; use a built-in activation or write a custom layer`);
  }
  return FILE_NAMES[builtin.name] ?? (SHARED.includes(builtin.name) ? snakeCase(builtin.name) : `${PREFIX}${builtin.name}`);
}

/** The activation a model.json names (absent means linear). */
export function activationFromJson(value: unknown, where: string): Activation {
  if (value === undefined || value === null) return getActivation('linear', where);
  if (typeof value !== 'string') throw new ConfigError(`${where}: activation must be a name, got ${describeValue(value)}`);
  if (value.startsWith(PREFIX)) return getActivation(value.slice(PREFIX.length), where);
  if (value === 'gelu_new' || value === 'geluNew') return getActivation('geluApproximate', where);
  return getActivation(FROM_FILE[value] ?? value, where);
}
