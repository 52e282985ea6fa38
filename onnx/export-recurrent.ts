import { ConfigError } from '../core/errors.ts';
import type { AnyLayer } from '../layers/layer.ts';
import type { Bidirectional } from '../layers/recurrent/bidirectional.ts';
import { GatedRecurrent } from '../layers/recurrent/gated.ts';
import { GRU } from '../layers/recurrent/gru.ts';
import { LSTM } from '../layers/recurrent/lstm.ts';
import type { Recurrent } from '../layers/recurrent/recurrent.ts';
import type { Emitted, ExportContext } from './context.ts';
import { weightOf } from './context.ts';
import { gateOrder, gatesFirst } from './gates.ts';
import type { AttrValue, OnnxValue } from './graph.ts';

// SimpleRNN, LSTM and GRU as ONNX's RNN, LSTM and GRU ops. ONNX Runtime takes only the time-first layout, so the
// input is transposed to [time, batch, features]. ONNX's weights are W [dirs, k·units, features],
// R [dirs, k·units, units] and B [dirs, 2·k·units] (input biases, then recurrent ones): Keras's kernels transposed.

/** ONNX's name of an activation a recurrent op can take without parameters (HardSigmoid at 0.2x + ½, its default). */
const RNN_ACTIVATIONS: Readonly<Record<string, string>> = {
  sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu', softsign: 'Softsign', softplus: 'Softplus', hardSigmoidTfjs: 'HardSigmoid',
};

function rnnActivation(layer: AnyLayer, name: string): string {
  const op = RNN_ACTIVATIONS[name];
  if (op === undefined) throw new ConfigError(`toOnnx: ${layer.name} (${layer.constructor.name}): the activation '${name}' has no form in ONNX's recurrent ops (${Object.keys(RNN_ACTIVATIONS).join(', ')})`);
  return op;
}

/** One direction's W, R and B from a layer's weights named `${prefix}kernel` …. */
function directionWeights(owner: AnyLayer, prefix: string, cell: Recurrent): { w: Float32Array; r: Float32Array; b: Float32Array } {
  const order = gateOrder(cell);
  const units = cell.units;
  const kernel = weightOf(owner, `${prefix}kernel`);
  const recurrent = weightOf(owner, `${prefix}recurrent_kernel`);
  if (kernel === undefined || recurrent === undefined) throw new ConfigError(`toOnnx: ${owner.name} is not built`);
  const k = order.length;
  const b = new Float32Array(2 * k * units);
  const bias = weightOf(owner, `${prefix}bias`);
  if (bias !== undefined) {
    // GRU with resetAfter: [2, 3·units], input then recurrent rows; else [k·units] on the input side.
    const rows = bias.shape.length === 2 ? 2 : 1;
    for (let row = 0; row < rows; row++) b.set(gatesFirst(bias.data.subarray(row * k * units, (row + 1) * k * units), 1, units, order), row * k * units);
  }
  return { w: gatesFirst(kernel.data, kernel.shape[0], units, order), r: gatesFirst(recurrent.data, units, units, order), b };
}

const concatAll = (parts: readonly Float32Array[]): Float32Array => {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
};

/** The op, its attributes and its Y, Y_h outputs for one or two directions over time-first X. */
function emitRecurrent(cell: Recurrent, owner: AnyLayer, x: OnnxValue, prefixes: readonly string[], direction: string, cx: ExportContext): { y: string; yh: string } {
  const { b } = cx;
  const op = cell instanceof LSTM ? 'LSTM' : cell instanceof GRU ? 'GRU' : 'RNN';
  const dirs = prefixes.map((p) => directionWeights(owner, p, cell));
  const k = gateOrder(cell).length;
  const [units, features] = [cell.units, x.shape[x.shape.length - 1]];
  const w = b.weight(`${owner.name}/W`, concatAll(dirs.map((d) => d.w)), [dirs.length, k * units, features]);
  const r = b.weight(`${owner.name}/R`, concatAll(dirs.map((d) => d.r)), [dirs.length, k * units, units]);
  const bias = b.weight(`${owner.name}/B`, concatAll(dirs.map((d) => d.b)), [dirs.length, 2 * k * units]);
  const time = b.op('Transpose', [cx.last(x)], { perm: [1, 0, 2] }, `${owner.name}/Transpose`);
  const act = rnnActivation(owner, cell.activation.name);
  const gate = cell instanceof GatedRecurrent ? rnnActivation(owner, cell.recurrentActivation.name) : '';
  // ONNX's f, g (, h) per direction: the gates' activation, then the candidate's (and the output's).
  const one = op === 'RNN' ? [act] : op === 'GRU' ? [gate, act] : [gate, act, act];
  const attrs: Record<string, AttrValue> = { hidden_size: units, direction, activations: { strings: dirs.flatMap(() => one) } };
  if (cell instanceof GRU) attrs.linear_before_reset = cell.resetAfter ? 1 : 0;
  const [y, yh] = b.node(op, [time, w, r, bias], attrs, `${owner.name}/${op}`, 2);
  return { y, yh };
}

/** [batch, time, units] from Y [time, 1, batch, units]; a goBackwards layer's sequence stays in its reversed order, as in Keras. */
export function exportRecurrent(layer: Recurrent, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  const { b } = cx;
  const { y, yh } = emitRecurrent(layer, layer, x, [''], layer.goBackwards ? 'reverse' : 'forward', cx);
  if (!layer.returnSequences) return [{ name: b.op('Squeeze', [yh, b.ints([0])], {}, `${layer.name}/Squeeze`) }];
  let seq = b.op('Squeeze', [y, b.ints([1])], {}, `${layer.name}/Squeeze`);
  // ONNX's reverse Y[t] is the state after reading x[T−1..t]; Keras's goBackwards output s is that after T−1..T−1−s.
  if (layer.goBackwards) seq = b.op('Slice', [seq, b.ints([-1]), b.ints([Number.MIN_SAFE_INTEGER]), b.ints([0]), b.ints([-1])], {}, `${layer.name}/Slice`);
  return [{ name: b.op('Transpose', [seq], { perm: [1, 0, 2] }, `${layer.name}/Transpose`) }];
}

/** ONNX's bidirectional op: its reverse direction's Y is in time order already, as Keras merges the backward sequence. */
export function exportBidirectional(layer: Bidirectional, [x]: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  const { b } = cx;
  const [fw, bw] = [layer.forwardLayer, layer.backwardLayer];
  const same = fw.constructor === bw.constructor && fw.units === bw.units && fw.activation.name === bw.activation.name && fw.useBias === bw.useBias
    && (!(fw instanceof GRU) || fw.resetAfter === (bw as GRU).resetAfter)
    && (!(fw instanceof GatedRecurrent) || fw.recurrentActivation.name === (bw as GatedRecurrent).recurrentActivation.name);
  if (fw.goBackwards || !same) throw new ConfigError(`toOnnx: ${layer.name} (Bidirectional) needs a forward layer and a backward copy of it; ONNX's bidirectional op shares the configuration`);
  const { y, yh } = emitRecurrent(fw, layer, x, [`${fw.name}/`, `${bw.name}/`], 'bidirectional', cx);
  const base = layer.name;
  const seqs = fw.returnSequences;
  // Y [time, 2, batch, units], Y_h [2, batch, units]: the direction axis is 1 or 0.
  const dirAxis = seqs ? 1 : 0;
  const source = seqs ? y : yh;
  if (layer.mergeMode === null) {
    // Both directions as two outputs, [forward, backward]: a Split of the direction axis, each squeezed.
    return b.node('Split', [source], { axis: dirAxis }, `${base}/Split`, 2).map((part, d) => {
      const one = b.op('Squeeze', [part, b.ints([dirAxis])], {}, `${base}/Squeeze`);
      return { name: seqs ? b.op('Transpose', [one], { perm: [1, 0, 2] }, `${base}/Transpose_${d}`) : one };
    });
  }
  if (layer.mergeMode === 'concat') {
    const moved = b.op('Transpose', [source], { perm: seqs ? [2, 0, 1, 3] : [1, 0, 2] }, `${base}/Transpose`);
    return [{ name: b.op('Reshape', [moved, b.ints(seqs ? [0, 0, -1] : [0, -1])], {}, `${base}/Reshape`) }];
  }
  const reduced = layer.mergeMode === 'sum'
    ? b.op('ReduceSum', [source, b.ints([dirAxis])], { keepdims: 0 }, `${base}/ReduceSum`)
    : b.op(layer.mergeMode === 'mul' ? 'ReduceProd' : 'ReduceMean', [source], { axes: [dirAxis], keepdims: 0 }, `${base}/Reduce`);
  return [{ name: seqs ? b.op('Transpose', [reduced], { perm: [1, 0, 2] }, `${base}/Transpose`) : reduced }];
}
