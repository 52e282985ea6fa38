import type { NodeProto } from 'onnx-buf';
import { tensor } from '../core/creation.ts';
import { ConfigError } from '../core/errors.ts';
import { add, clip, div, erf, exp, log, mul, neg, pow, relu, sigmoid, softplus, sqrt, sub, tanh } from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import { Activation } from '../layers/activation-layer.ts';
import { getActivation } from '../layers/activations.ts';
import type { Importer } from './importer.ts';
import { attr } from './read-model.ts';

// Activations that exporters write as several elementwise nodes: gelu through Erf (toOnnx's and PyTorch's forms),
// tanh-approximate gelu, swish as x·Sigmoid(x), mish as x·Tanh(Softplus(x)). Rather than one template per exporter,
// the nodes that read x are evaluated in float64 on probe points and compared with semiflow's own activations: the
// same formula in any arrangement matches, a different one (tanh-gelu against erf-gelu) does not.

type Evaluate = (args: readonly (Tensor | number)[], node: NodeProto) => Tensor;
const t = (v: Tensor | number): Tensor => v as Tensor;
const num = (v: number | number[] | undefined, fallback: number): number => (typeof v === 'number' ? v : fallback);

const EVALUATE: Readonly<Record<string, Evaluate>> = {
  Mul: ([a, b]) => mul(a, b), Add: ([a, b]) => add(a, b), Sub: ([a, b]) => sub(a, b), Div: ([a, b]) => div(a, b),
  Pow: ([a, b]) => pow(t(a), b), Sqrt: ([a]) => sqrt(t(a)), Neg: ([a]) => neg(t(a)), Exp: ([a]) => exp(t(a)), Log: ([a]) => log(t(a)),
  Erf: ([a]) => erf(t(a)), Tanh: ([a]) => tanh(t(a)), Sigmoid: ([a]) => sigmoid(t(a)), Softplus: ([a]) => softplus(t(a)), Relu: ([a]) => relu(t(a)),
  HardSigmoid: ([a], node) => clip(add(mul(t(a), num(attr(node, 'alpha'), 0.2)), num(attr(node, 'beta'), 0.5)), 0, 1),
};

/** The ops read only inside such a pattern: alone, they are refused. */
export const PATTERN_OPS: readonly string[] = ['Div', 'Pow', 'Sqrt', 'Neg', 'Exp', 'Log', 'Erf'];

/** semiflow's elementwise activations a pattern may compute. */
const CANDIDATES = ['gelu', 'geluApproximate', 'swish', 'mish', 'sigmoid', 'tanh', 'softplus', 'softsign', 'elu', 'selu', 'relu', 'relu6', 'hardSigmoid', 'hardSigmoidTfjs'];

// −8 … 8 by 1/16: the kinks of relu6 and the hard sigmoids (0, ±2.5, ±3, 6) are on the grid.
const PROBES = tensor(Array.from({ length: 257 }, (_, i) => -8 + i / 16), [257], 'float64');
let expected: Map<string, Float64Array> | undefined;

export interface PatternMatch {
  readonly activation: string;
  readonly nodes: ReadonlySet<NodeProto>;
  readonly output: string;
}

const scalar = (imp: Importer, name: string): number | undefined => {
  const c = imp.isConstant(name) ? imp.graph.constants.get(name) : undefined;
  return c?.data.length === 1 ? c.data[0] : undefined;
};

/** The elementwise nodes after x (graph order) whose inputs are x, their own outputs, or scalar constants. */
function region(x: string, imp: Importer): NodeProto[] {
  const known = new Set([x]);
  const nodes: NodeProto[] = [];
  for (const node of imp.graph.nodes) {
    if (imp.absorbed.has(node) || EVALUATE[node.opType] === undefined || node.domain !== '') continue;
    const inputs = node.input.slice(0, node.opType === 'HardSigmoid' ? 1 : 2);
    if (!inputs.some((n) => known.has(n)) || !inputs.every((n) => known.has(n) || scalar(imp, n) !== undefined)) continue;
    nodes.push(node);
    known.add(node.output[0]);
  }
  return nodes;
}

/** The nodes of `within` that `end` depends on, provided no value among them but end's is read elsewhere. */
function closedAncestors(end: NodeProto, within: readonly NodeProto[], imp: Importer): NodeProto[] | undefined {
  const byOutput = new Map(within.map((n) => [n.output[0], n]));
  const found = new Set<NodeProto>();
  const visit = (node: NodeProto): void => {
    if (found.has(node)) return;
    found.add(node);
    for (const name of node.input) if (byOutput.has(name)) visit(byOutput.get(name) as NodeProto);
  };
  visit(end);
  const nodes = within.filter((n) => found.has(n));
  const inside = (n: NodeProto): boolean => n === end || (imp.readers(n.output[0]).every((r) => found.has(r)) && !imp.graph.outputs.includes(n.output[0]));
  return nodes.every(inside) ? nodes : undefined;
}

/** The activation `nodes` compute from x, if it is one of semiflow's (to 1e-6 relative on the probes). */
function identify(x: string, nodes: readonly NodeProto[], imp: Importer): string | undefined {
  const values = new Map<string, Tensor>([[x, PROBES]]);
  for (const node of nodes) {
    const args = node.input.map((n) => values.get(n) ?? (scalar(imp, n) as number));
    values.set(node.output[0], EVALUATE[node.opType](args, node));
  }
  const got = values.get(nodes[nodes.length - 1].output[0])?.data as Float64Array;
  expected ??= new Map(CANDIDATES.map((name) => [name, getActivation(name, 'loadOnnx').fn(PROBES).data as Float64Array]));
  return CANDIDATES.find((name) => (expected?.get(name) as Float64Array).every((y, i) => Math.abs(got[i] - y) <= 1e-6 * (1 + Math.abs(y))));
}

/** The largest group of two or more nodes after x that computes one of semiflow's activations, if any does. */
export function activationPattern(x: string, imp: Importer): PatternMatch | undefined {
  const after = region(x, imp);
  let best: PatternMatch | undefined;
  for (const end of after) {
    const nodes = closedAncestors(end, after, imp);
    if (nodes === undefined || nodes.length < 2 || nodes.length <= (best?.nodes.size ?? 0)) continue;
    const activation = identify(x, nodes, imp);
    if (activation !== undefined) best = { activation, nodes: new Set(nodes), output: end.output[0] };
  }
  return best;
}

/** Where `node` starts an activation pattern, the pattern as one Activation layer (in the layout x has); else false. */
export function importPattern(node: NodeProto, imp: Importer): boolean {
  for (const name of node.input) {
    const x = imp.values.get(name);
    const match = x === undefined ? undefined : activationPattern(name, imp);
    if (x !== undefined && match === undefined) refuseUnmatched(node, region(name, imp), imp);
    if (x === undefined || match === undefined || !match.nodes.has(node)) continue;
    for (const n of match.nodes) imp.absorbed.add(n);
    imp.values.set(match.output, { ...x, sym: imp.apply(new Activation(match.activation), x.sym) });
    return true;
  }
  return false;
}

/**
 * Nodes after a value that hold an op read only in patterns (Erf, Div, ...) yet compute none: refused, all named,
 * when `node` has no layer of its own either (an op of a pattern, or arithmetic with a constant). A Relu before a
 * gelu is not refused: it becomes its own layer, and the gelu's nodes match from its output.
 */
function refuseUnmatched(node: NodeProto, after: readonly NodeProto[], imp: Importer): void {
  const lone = after.find((n) => PATTERN_OPS.includes(n.opType));
  const layerless = PATTERN_OPS.includes(node.opType) || node.input.some((n) => scalar(imp, n) !== undefined);
  if (lone === undefined || !after.includes(node) || !layerless) return;
  throw new ConfigError(`loadOnnx: nodes ${after.map((n) => `${n.name} (${n.opType})`).join(', ')} compute no activation semiflow has (${CANDIDATES.join(', ')}); ${lone.opType} is imported only as part of one`);
}

/** Div, Erf, ... outside a pattern: the node computes nothing semiflow has a layer for. */
export function outsideActivation(node: NodeProto): void {
  throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) is imported only as part of an activation semiflow has (${CANDIDATES.join(', ')}); the nodes around it compute none of them`);
}
