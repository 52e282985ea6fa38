import type { NodeProto } from 'onnx-buf';
import { ConfigError } from '../core/errors.ts';
import { Activation } from '../layers/activation-layer.ts';
import { LeakyReLU } from '../layers/advanced-activations.ts';
import { Multiply } from '../layers/merge/elementwise.ts';
import type { Importer } from './importer.ts';
import { attr } from './read-model.ts';

const SIMPLE: Readonly<Record<string, string>> = {
  Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh', Softplus: 'softplus', Softsign: 'softsign', Selu: 'selu',
};

const near = (a: number | number[] | undefined, b: number): boolean => typeof a === 'number' && Math.abs(a - b) < 1e-6;

/**
 * semiflow's activation for an ONNX node over a value of `rank`, or undefined if it is none: Softmax only over
 * the last axis, Elu with alpha 1, HardSigmoid as Keras 3's (x/6 + ½) or tfjs's (0.2x + ½), Clip to [0, 6].
 */
export function activationOf(node: NodeProto, rank: number, imp: Importer): string | undefined {
  const op = node.opType;
  if (SIMPLE[op] !== undefined) return op === 'Selu' && (attr(node, 'alpha') !== undefined || attr(node, 'gamma') !== undefined) ? undefined : SIMPLE[op];
  if (op === 'Softmax' || op === 'LogSoftmax') {
    const axis = (attr(node, 'axis') as number | undefined) ?? -1;
    return axis === -1 || axis === rank - 1 ? (op === 'Softmax' ? 'softmax' : 'logSoftmax') : undefined;
  }
  if (op === 'Elu') return near(attr(node, 'alpha') ?? 1, 1) ? 'elu' : undefined;
  if (op === 'HardSigmoid') {
    if (!near(attr(node, 'beta') ?? 0.5, 0.5)) return undefined;
    const alpha = attr(node, 'alpha') ?? 0.2;
    return near(alpha, 0.2) ? 'hardSigmoidTfjs' : near(alpha, 1 / 6) ? 'hardSigmoid' : undefined;
  }
  if (op === 'Clip') {
    const [lo, hi] = [node.input[1], node.input[2]].map((n) => (n !== undefined && n !== '' && imp.isConstant(n) ? imp.constant(n, node).data[0] : undefined));
    return (lo ?? attr(node, 'min')) === 0 && (hi ?? attr(node, 'max')) === 6 ? 'relu6' : undefined;
  }
  return undefined;
}

/** An activation node as an Activation layer (or LeakyReLU), in the layout its input has. */
export function importActivation(node: NodeProto, imp: Importer): void {
  const x = imp.value(node.input[0], node);
  const rank = x.sym.shape.length + 1;
  if (node.opType === 'LeakyRelu') {
    const alpha = (attr(node, 'alpha') as number | undefined) ?? 0.01;
    imp.values.set(node.output[0], { sym: imp.apply(new LeakyReLU({ alpha }), x.sym), permuted: x.permuted });
    return;
  }
  const name = activationOf(node, rank, imp);
  const elementwise = name !== 'softmax' && name !== 'logSoftmax';
  if (name === undefined || (!elementwise && x.permuted === true)) {
    // Softmax over the last axis of an NCHW image: semiflow's is over channels, so take the literal layout.
    if (name === undefined) throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) has attributes semiflow has no activation for: ${node.attribute.map((a) => a.name).join(', ')}`);
    imp.values.set(node.output[0], { sym: imp.apply(new Activation(name), imp.literal(x)) });
    return;
  }
  imp.values.set(node.output[0], { sym: imp.apply(new Activation(name), x.sym), permuted: x.permuted });
}

/** HardSwish, x · max(0, min(1, x/6 + ½)): semiflow has no such activation, but x times Keras 3's hardSigmoid of x is that formula. */
export function importHardSwish(node: NodeProto, imp: Importer): void {
  const x = imp.value(node.input[0], node);
  const gate = imp.apply(new Activation('hardSigmoid'), x.sym);
  imp.values.set(node.output[0], { ...x, sym: imp.apply(new Multiply(), [x.sym, gate]) });
}
