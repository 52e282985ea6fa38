import { ConfigError, describeValue } from '../core/errors.ts';
import {
  add, div, mul, elu, gelu, hardSigmoid, leakyRelu, logSoftmax, mish, relu, relu6, selu, sigmoid, softmax, softplus, softsign, swish, tanh,
} from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import { lookupName } from './lookup.ts';
import { userCode } from '../core/buffer-scope.ts';

export type ActivationFn = (x: Tensor) => Tensor;

export interface Activation {
  readonly name: string;
  readonly fn: ActivationFn;
}

function linear(x: Tensor): Tensor {
  return x;
}

/** The tanh approximation of gelu, tfjs's gelu_new. */
function geluApproximate(x: Tensor): Tensor {
  return gelu(x, { approximate: true });
}

/**
 * clip(0.2·x + 0.5, 0, 1), tfjs's and Keras 2's hard_sigmoid (tfjs's default recurrent activation), as
 * relu6(1.2·x + 3)/6; the name hardSigmoid is Keras 3's x/6 + 0.5.
 */
function hardSigmoidTfjs(x: Tensor): Tensor {
  return div(relu6(add(mul(x, 1.2), 3)), 6);
}

// Each name maps onto the exported function with its default parameters: elu alpha 1, leakyRelu alpha 0.2, gelu exact.
const builtins: readonly Activation[] = [
  { name: 'linear', fn: linear },
  { name: 'sigmoid', fn: sigmoid },
  { name: 'relu', fn: relu },
  { name: 'tanh', fn: tanh },
  { name: 'softplus', fn: softplus },
  // Over the last axis: the core ops' default axis is -1.
  { name: 'softmax', fn: softmax },
  { name: 'logSoftmax', fn: logSoftmax },
  { name: 'elu', fn: elu },
  { name: 'selu', fn: selu },
  { name: 'gelu', fn: gelu },
  { name: 'geluApproximate', fn: geluApproximate },
  { name: 'leakyRelu', fn: leakyRelu },
  { name: 'swish', fn: swish },
  { name: 'softsign', fn: softsign },
  { name: 'hardSigmoid', fn: hardSigmoid },
  { name: 'relu6', fn: relu6 },
  { name: 'hardSigmoidTfjs', fn: hardSigmoidTfjs },
  { name: 'mish', fn: mish },
].map((a) => Object.freeze(a));

/** The built-ins by name, plus Keras's alias 'silu' for swish. */
const byName: Readonly<Record<string, Activation>> = Object.freeze({
  ...Object.fromEntries(builtins.map((a) => [a.name, a])),
  silu: builtins.find((a) => a.name === 'swish') as Activation,
});

/** A built-in's function (the core relu, softmax... included) maps back to the built-in, so its name survives. */
const byFn = new Map<ActivationFn, Activation>(builtins.map((a) => [a.fn, a]));

const SOFTMAX = byName.softmax;

/** A user's activation runs as user code, so the buffer pool never recycles a tensor it sees or makes. */
function asUserActivation(name: string, fn: ActivationFn): Activation {
  return Object.freeze({ name, fn: (x: Tensor) => userCode([x], () => fn(x)) });
}

/**
 * An activation from a name (camelCase or Keras snake_case), an Activation, or a bare function
 * (named after the function, or 'custom'); undefined and null (Keras's None) are linear.
 */
export function getActivation(spec: string | Activation | ActivationFn | null | undefined, where: string): Activation {
  if (spec === undefined || spec === null) return byName.linear;
  if (typeof spec === 'string') return lookupName(byName, spec, 'activation', where);
  if (typeof spec === 'function') return byFn.get(spec) ?? asUserActivation(spec.name || 'custom', spec);
  if (spec !== null && typeof spec === 'object' && typeof spec.name === 'string' && typeof spec.fn === 'function') {
    return byFn.has(spec.fn) ? spec : asUserActivation(spec.name, spec.fn);
  }
  throw new ConfigError(`${where}: an activation must be a name, an Activation or a function, got ${describeValue(spec)}`);
}

/** True for the built-in softmax only, whose output a model may fuse with a categorical crossentropy. */
/** True for semiflow's own activations (getActivation's results for a name or a built-in function), false for a user's. */
export function isBuiltInActivation(a: unknown): boolean {
  return typeof a === 'object' && a !== null && byFn.has((a as Activation).fn);
}

export function isSoftmax(a: Activation): boolean {
  return a.fn === SOFTMAX.fn;
}
