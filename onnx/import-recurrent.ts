import type { NodeProto } from 'onnx-buf';
import { ConfigError } from '../core/errors.ts';
import type { AnyLayer } from '../layers/layer.ts';
import { Bidirectional } from '../layers/recurrent/bidirectional.ts';
import { GRU } from '../layers/recurrent/gru.ts';
import { LSTM } from '../layers/recurrent/lstm.ts';
import type { Recurrent } from '../layers/recurrent/recurrent.ts';
import { SimpleRNN } from '../layers/recurrent/simple-rnn.ts';
import type { SymbolicTensor } from '../layers/symbolic.ts';
import { gateOrder, gatesLast } from './gates.ts';
import { recurrentEnd } from './import-recurrent-outputs.ts';
import type { Importer } from './importer.ts';
import type { OnnxConstant } from './read-model.ts';
import { attr } from './read-model.ts';

// ONNX's RNN, LSTM and GRU as SimpleRNN, LSTM, GRU (two directions as a Bidirectional), reading a time-first input
// (import-recurrent-outputs.ts matches how their outputs are read). Initial states must be zeros (import-zero-states.ts).

const ACTIVATIONS: Readonly<Record<string, string>> = {
  Sigmoid: 'sigmoid', Tanh: 'tanh', Relu: 'relu', Softsign: 'softsign', Softplus: 'softplus', HardSigmoid: 'hardSigmoidTfjs',
};

function strings(node: NodeProto, name: string): string[] {
  return node.attribute.find((a) => a.name === name)?.strings.map((s) => new TextDecoder().decode(s)) ?? [];
}

/** A new layer of the op's kind, with Keras's options from its attributes. */
function cellLayer(node: NodeProto, units: number, options: { returnSequences: boolean; goBackwards: boolean }): Recurrent {
  const given = strings(node, 'activations');
  const names = given.map((a) => ACTIVATIONS[a]);
  // Per direction: RNN f; GRU f, g; LSTM f, g, h, where Keras uses one activation for g and h; both directions alike.
  const per = node.opType === 'RNN' ? 1 : node.opType === 'GRU' ? 2 : 3;
  const alike = names.every((n, i) => n === names[i % per]) && (per < 3 || names[2] === undefined || names[2] === names[1]);
  if (names.some((n) => n === undefined) || !alike || attr(node, 'activation_alpha') !== undefined || attr(node, 'clip') !== undefined || attr(node, 'input_forget') === 1) {
    throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) has activations [${given.join(', ')}], clip or input_forget with no semiflow form`);
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
  // Initial states (5, 6) were checked to be zeros before the import; sequence lengths and peepholes have no Keras form.
  if ([4, 7].some((i) => (node.input[i] ?? '') !== '')) throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) has sequence lengths or peepholes`);
  const units = attr(node, 'hidden_size') as number;
  const direction = new TextDecoder().decode(node.attribute.find((a) => a.name === 'direction')?.s ?? new Uint8Array());
  const [time, features] = x.sym.shape;
  const { ends, used, returnSequences, timeFirst, mergeMode } = recurrentEnd(node, imp, direction, time);
  for (const n of used) imp.absorbed.add(n);
  const consts = node.input.slice(1, 4).map((n) => (n === undefined || n === '' ? undefined : imp.constant(n, node)));
  const cell = cellLayer(node, units, { returnSequences, goBackwards: direction === 'reverse' });
  let layer: AnyLayer = cell;
  let weights = kerasWeights(cell, consts, 0, features);
  if (direction === 'bidirectional') {
    const bi = new Bidirectional(cell, { mergeMode });
    const backward = kerasWeights(cell, consts, 1, features);
    weights = Object.fromEntries([
      ...Object.entries(weights).map(([k, v]) => [`${bi.forwardLayer.name}/${k}`, v]),
      ...Object.entries(backward).map(([k, v]) => [`${bi.backwardLayer.name}/${k}`, v]),
    ]);
    layer = bi;
  }
  // A Bidirectional with mergeMode null gives two tensors, [forward, backward].
  const made: unknown = imp.apply(layer, x.sym, weights);
  const outs = (Array.isArray(made) ? made : [made]) as SymbolicTensor[];
  ends.forEach((end, i) => imp.values.set(end.output[0], { sym: outs[i], timeFirst }));
}
