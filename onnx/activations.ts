import { ConfigError } from '../core/errors.ts';
import type { GraphBuilder } from './graph.ts';

/** One activation by semiflow's name as ONNX opset-17 nodes on `x`; returns the output's name. */
type Emit = (b: GraphBuilder, x: string, base: string) => string;

const unary = (op: string, attrs: Record<string, number | { f: number }> = {}): Emit => (b, x, base) => b.op(op, [x], attrs, `${base}/${op}`);

/** x · f(x), the form of swish and mish. */
const timesOf = (inner: Emit): Emit => (b, x, base) => b.op('Mul', [x, inner(b, x, base)], {}, `${base}/Mul`);

const EMITTERS: Readonly<Record<string, Emit>> = {
  linear: (_b, x) => x,
  relu: unary('Relu'),
  sigmoid: unary('Sigmoid'),
  tanh: unary('Tanh'),
  softplus: unary('Softplus'),
  softmax: unary('Softmax', { axis: -1 }),
  logSoftmax: unary('LogSoftmax', { axis: -1 }),
  elu: unary('Elu', { alpha: { f: 1 } }),
  // ONNX's defaults are SELU's constants.
  selu: unary('Selu'),
  leakyRelu: unary('LeakyRelu', { alpha: { f: 0.2 } }),
  softsign: unary('Softsign'),
  // Keras 3's x/6 + 1/2, and tfjs's 0.2x + 1/2.
  hardSigmoid: unary('HardSigmoid', { alpha: { f: 1 / 6 }, beta: { f: 0.5 } }),
  hardSigmoidTfjs: unary('HardSigmoid', { alpha: { f: 0.2 }, beta: { f: 0.5 } }),
  relu6: (b, x, base) => b.op('Clip', [x, b.scalar(0), b.scalar(6)], {}, `${base}/Clip`),
  swish: timesOf(unary('Sigmoid')),
  mish: timesOf((b, x, base) => unary('Tanh')(b, unary('Softplus')(b, x, base), base)),
  // Opset 17 has no Gelu: x/2 · (1 + erf(x/√2)).
  gelu: (b, x, base) => {
    const erf = b.op('Erf', [b.op('Mul', [x, b.scalar(Math.SQRT1_2)], {}, `${base}/Mul`)], {}, `${base}/Erf`);
    const half = b.op('Mul', [x, b.scalar(0.5)], {}, `${base}/Mul`);
    return b.op('Mul', [half, b.op('Add', [erf, b.scalar(1)], {}, `${base}/Add`)], {}, `${base}/Mul`);
  },
  // x/2 · (1 + tanh(√(2/π)·(x + 0.044715x³))).
  geluApproximate: (b, x, base) => {
    const cube = b.op('Mul', [b.op('Mul', [x, x], {}, `${base}/Mul`), x], {}, `${base}/Mul`);
    const inner = b.op('Add', [x, b.op('Mul', [cube, b.scalar(0.044715)], {}, `${base}/Mul`)], {}, `${base}/Add`);
    const t = b.op('Tanh', [b.op('Mul', [inner, b.scalar(Math.sqrt(2 / Math.PI))], {}, `${base}/Mul`)], {}, `${base}/Tanh`);
    const half = b.op('Mul', [x, b.scalar(0.5)], {}, `${base}/Mul`);
    return b.op('Mul', [half, b.op('Add', [t, b.scalar(1)], {}, `${base}/Add`)], {}, `${base}/Mul`);
  },
};

/** The names of the activations that export. */
export const EXPORTABLE_ACTIVATIONS: readonly string[] = Object.keys(EMITTERS);

export function emitActivation(b: GraphBuilder, name: string, x: string, where: string): string {
  const emit = EMITTERS[name];
  if (emit === undefined) {
    throw new ConfigError(`toOnnx: ${where}: the activation '${name}' cannot be exported (a user function has no ONNX form); exportable: ${EXPORTABLE_ACTIVATIONS.join(', ')}`);
  }
  return emit(b, x, where);
}
