import type { NodeProto } from 'onnx-buf';
import { ConfigError } from '../core/errors.ts';
import type { AnyLayer } from '../layers/layer.ts';
import { Bidirectional } from '../layers/recurrent/bidirectional.ts';
import { GRU } from '../layers/recurrent/gru.ts';
import { LSTM } from '../layers/recurrent/lstm.ts';
import type { Recurrent } from '../layers/recurrent/recurrent.ts';
import { SimpleRNN } from '../layers/recurrent/simple-rnn.ts';
import { gateOrder, gatesLast } from './gates.ts';
import type { Importer } from './importer.ts';
import type { OnnxConstant } from './read-model.ts';
import { attr } from './read-model.ts';

// ONNX's RNN, LSTM and GRU in the form toOnnx writes them: a time-first input, then either Y_h squeezed (the last
// output) or Y squeezed and transposed back (the sequence; reversed by a Slice for goBackwards), and for two
// directions a Transpose and Reshape that concatenate them.

const ACTIVATIONS: Readonly<Record<string, string>> = {
  Sigmoid: 'sigmoid', Tanh: 'tanh', Relu: 'relu', Softsign: 'softsign', Softplus: 'softplus', HardSigmoid: 'hardSigmoidTfjs',
};

function strings(node: NodeProto, name: string): string[] {
  return node.attribute.find((a) => a.name === name)?.strings.map((s) => new TextDecoder().decode(s)) ?? [];
}

/** The sole consumer of `output` if it has op `op` (and, for Squeeze, squeezes exactly `axes`). */
function next(imp: Importer, output: string | undefined, op: string, check: (n: NodeProto) => boolean = () => true): NodeProto | undefined {
  const n = output === undefined || output === '' ? undefined : imp.soleConsumer(output);
  return n?.opType === op && check(n) ? n : undefined;
}

const squeezes = (imp: Importer, axes: number): ((n: NodeProto) => boolean) => (n) =>
  (n.input[1] !== undefined ? Array.from(imp.constant(n.input[1], n).data) : (attr(n, 'axes') as number[] | undefined) ?? []).join() === String(axes);

/** A new layer of the op's kind, with Keras's options from its attributes. */
function cellLayer(node: NodeProto, units: number, options: { returnSequences: boolean; goBackwards: boolean }): Recurrent {
  const names = strings(node, 'activations').map((a) => ACTIVATIONS[a]);
  if (names.some((n) => n === undefined) || attr(node, 'activation_alpha') !== undefined || attr(node, 'clip') !== undefined || attr(node, 'input_forget') === 1) {
    throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) has activations, clip or input_forget with no semiflow form`);
  }
  if (node.opType === 'RNN') return new SimpleRNN(units, { ...options, activation: names[0] ?? 'tanh' });
  const gates = { ...options, recurrentActivation: names[0] ?? 'sigmoid', activation: names[1] ?? 'tanh' };
  if (node.opType === 'LSTM') return new LSTM(units, gates);
  return new GRU(units, { ...gates, resetAfter: attr(node, 'linear_before_reset') === 1 });
}

/** Direction d's Keras weights from W, R, B. */
function kerasWeights(cell: Recurrent, [w, r, b]: readonly (OnnxConstant | undefined)[], d: number, features: number): Record<string, OnnxConstant> {
  const { units } = cell;
  const order = gateOrder(cell);
  const k = order.length;
  const part = (c: OnnxConstant, size: number): Float32Array => c.data.subarray(d * size, (d + 1) * size);
  const out: Record<string, OnnxConstant> = {
    kernel: { data: gatesLast(part(w as OnnxConstant, k * units * features), features, units, order), dims: [features, k * units] },
    recurrent_kernel: { data: gatesLast(part(r as OnnxConstant, k * units * units), units, units, order), dims: [units, k * units] },
  };
  const biases = b === undefined ? new Float32Array(2 * k * units) : part(b, 2 * k * units);
  const [wb, rb] = [0, 1].map((i) => gatesLast(biases.subarray(i * k * units, (i + 1) * k * units), 1, units, order));
  // Keras adds one bias to the input side; GRU with resetAfter keeps both rows, [2, 3·units].
  out.bias = cell instanceof GRU && cell.resetAfter
    ? { data: Float32Array.of(...wb, ...rb), dims: [2, k * units] }
    : { data: wb.map((v, i) => v + rb[i]), dims: [k * units] };
  return out;
}

export function importRecurrent(node: NodeProto, imp: Importer): void {
  const x = imp.value(node.input[0], node);
  if (x.timeFirst !== true) throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) reads a sequence that was not transposed from batch-first; only batch-first models are imported`);
  if (node.input.slice(4).some((n) => n !== '')) throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) has sequence lengths, initial states or peepholes`);
  const units = attr(node, 'hidden_size') as number;
  const direction = new TextDecoder().decode(node.attribute.find((a) => a.name === 'direction')?.s ?? new Uint8Array());
  const two = direction === 'bidirectional';
  const [yName, yhName] = node.output;
  const squeezeY = two ? undefined : next(imp, yName, 'Squeeze', squeezes(imp, 1));
  const reverses = (n: NodeProto): boolean => n.input[4] !== undefined && imp.constant(n.input[4], n).data[0] === -1;
  const slice = direction === 'reverse' ? next(imp, squeezeY?.output[0], 'Slice', reverses) : undefined;
  const backY = next(imp, (slice ?? squeezeY)?.output[0], 'Transpose');
  const moveY = two ? next(imp, yName, 'Transpose') : undefined;
  const seqEnd = two ? next(imp, moveY?.output[0], 'Reshape') : backY;
  const lastEnd = two ? next(imp, next(imp, yhName, 'Transpose')?.output[0], 'Reshape') : next(imp, yhName, 'Squeeze', squeezes(imp, 0));
  const end = seqEnd ?? lastEnd;
  if (end === undefined || (direction === 'reverse' && seqEnd !== undefined && slice === undefined)) {
    throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) is used in a form other than toOnnx's (its output squeezed, transposed back, concatenated)`);
  }
  const returnSequences = seqEnd !== undefined;
  const used = returnSequences ? [squeezeY, slice, backY, moveY, seqEnd] : [two ? imp.soleConsumer(yhName) : undefined, lastEnd];
  for (const n of used) if (n !== undefined) imp.absorbed.add(n);
  const consts = node.input.slice(1, 4).map((n) => (n === undefined || n === '' ? undefined : imp.constant(n, node)));
  const features = x.sym.shape[1];
  const cell = cellLayer(node, units, { returnSequences, goBackwards: direction === 'reverse' });
  let layer: AnyLayer = cell;
  let weights = kerasWeights(cell, consts, 0, features);
  if (two) {
    const bi = new Bidirectional(cell);
    const backward = kerasWeights(cell, consts, 1, features);
    weights = Object.fromEntries([
      ...Object.entries(weights).map(([k, v]) => [`${bi.forwardLayer.name}/${k}`, v]),
      ...Object.entries(backward).map(([k, v]) => [`${bi.backwardLayer.name}/${k}`, v]),
    ]);
    layer = bi;
  }
  imp.values.set(end.output[0], { sym: imp.apply(layer, x.sym, weights) });
}
