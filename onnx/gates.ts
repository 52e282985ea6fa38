import type { Recurrent } from '../layers/recurrent/recurrent.ts';
import { GRU } from '../layers/recurrent/gru.ts';
import { LSTM } from '../layers/recurrent/lstm.ts';
import { transposed } from './context.ts';

/** ONNX's gate block `to` is Keras's block order[to]: LSTM i,f,c,o → ONNX i,o,f,c; GRU z,r,h and SimpleRNN are the same. */
export function gateOrder(layer: Recurrent): number[] {
  return layer instanceof LSTM ? [0, 3, 1, 2] : layer instanceof GRU ? [0, 1, 2] : [0];
}

/** Keras's [rows, k·units] with its column blocks in ONNX's order, transposed to ONNX's [k·units, rows]. */
export function gatesFirst(data: Float32Array, rows: number, units: number, order: readonly number[]): Float32Array {
  const k = order.length;
  const moved = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    order.forEach((from, to) => moved.set(data.subarray(r * k * units + from * units, r * k * units + (from + 1) * units), r * k * units + to * units));
  }
  return transposed(moved, [rows, k * units], [1, 0]).data;
}

/** The inverse of gatesFirst: ONNX's [k·units, rows] to Keras's [rows, k·units] in Keras's gate order. */
export function gatesLast(data: Float32Array, rows: number, units: number, order: readonly number[]): Float32Array {
  const k = order.length;
  const t = transposed(data, [k * units, rows], [1, 0]).data;
  const moved = new Float32Array(t.length);
  for (let r = 0; r < rows; r++) {
    order.forEach((from, to) => moved.set(t.subarray(r * k * units + to * units, r * k * units + (to + 1) * units), r * k * units + from * units));
  }
  return moved;
}
