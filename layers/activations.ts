import { ConfigError, describeValue } from '../core/errors.ts';
import {
  abs, add, clip, div, expm1, less, logSoftmax, minimum, mul, relu, sigmoid, softmax, softplus, tanh, where,
} from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import { lookupName } from './lookup.ts';
import { userCode } from '../core/buffer-scope.ts';

export type ActivationFn = (x: Tensor) => Tensor;

export interface Activation {
  readonly name: string;
  readonly fn: ActivationFn;
}

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/** x for x > 0, α·(eˣ − 1) otherwise; expm1 sees min(x, 0), so the unused branch never overflows. */
function eluWith(x: Tensor, alpha: number): Tensor {
  return where(less(0, x), x, mul(expm1(minimum(x, 0)), alpha));
}

function linear(x: Tensor): Tensor {
  return x;
}

/** α = 1. */
function elu(x: Tensor): Tensor {
  return eluWith(x, 1);
}

/** scale · elu(x, α) with Klambauer et al.'s constants, which keep activations at mean 0 and variance 1. */
function selu(x: Tensor): Tensor {
  return mul(eluWith(x, SELU_ALPHA), SELU_SCALE);
}

/**
 * The tanh approximation 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), not the exact x·Φ(x) (there is no erf op).
 * Written as x·sigmoid(2u) — the same function, since 1 + tanh(u) = 2·sigmoid(2u) — which does not cancel for x ≪ 0.
 */
function gelu(x: Tensor): Tensor {
  const u = mul(add(x, mul(mul(x, mul(x, x)), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(x, sigmoid(mul(u, 2)));
}

/** x for x > 0, 0.2·x otherwise (Keras 3's leaky_relu default negative_slope). */
function leakyRelu(x: Tensor): Tensor {
  return where(less(0, x), x, mul(x, 0.2));
}

/** x · sigmoid(x), also called SiLU. */
function swish(x: Tensor): Tensor {
  return mul(x, sigmoid(x));
}

/** x / (1 + |x|). */
function softsign(x: Tensor): Tensor {
  return div(x, add(abs(x), 1));
}

/** clip(x/6 + 1/2, 0, 1), Keras 3's definition (0 below −3, 1 above 3). */
function hardSigmoid(x: Tensor): Tensor {
  return clip(add(div(x, 6), 0.5), 0, 1);
}

/** min(max(x, 0), 6). */
function relu6(x: Tensor): Tensor {
  return clip(x, 0, 6);
}

/** x · tanh(softplus(x)). */
function mish(x: Tensor): Tensor {
  return mul(x, tanh(softplus(x)));
}

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
  { name: 'leakyRelu', fn: leakyRelu },
  { name: 'swish', fn: swish },
  { name: 'softsign', fn: softsign },
  { name: 'hardSigmoid', fn: hardSigmoid },
  { name: 'relu6', fn: relu6 },
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
 * (named after the function, or 'custom'); undefined is linear.
 */
export function getActivation(spec: string | Activation | ActivationFn | undefined, where: string): Activation {
  if (spec === undefined) return byName.linear;
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
