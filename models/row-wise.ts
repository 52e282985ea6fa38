import type { AnyLayer } from '../layers/layer.ts';
import { isBuiltInCall } from '../layers/built-in.ts';
import { isBuiltInActivation } from '../layers/activations.ts';
import { sizeOf } from '../core/shape.ts';
import type { Model } from './model.ts';

/**
 * Values of the layers' outputs one forward pass of predict may hold (16 MB of float32): the CNN of the bench
 * (39,000 values a row) runs in passes of 107 rows, an MLP (hundreds a row) in one pass per batch.
 */
const PASS_VALUES = 1 << 22;

/**
 * True when every layer is one of semiflow's own with a built-in activation (if any): at inference each of them
 * computes every row from that row alone, so a batch can run in passes of fewer rows with the same results.
 * A user's layer or activation might mix rows (a batch statistic), so any of them makes this false.
 */
export function computesRowByRow(layers: readonly AnyLayer[]): boolean {
  return layers.every((layer) => {
    const { call, activation } = layer as unknown as { call: object; activation?: unknown };
    if (!isBuiltInCall(call)) return false;
    return activation === undefined || isBuiltInActivation(activation);
  });
}

/**
 * Rows per forward pass of predict for batches of `batchSize` on a built model: the whole batch, unless the model
 * computes row by row and a batch's layer outputs would pass PASS_VALUES. Smaller passes give the same results
 * with the activations and the WebAssembly memories (which never shrink) sized by the pass.
 */
export function rowsPerPass(model: Model, batchSize: number): number {
  if (!computesRowByRow(model.layers)) return batchSize;
  const perRow = model.layers.reduce((sum, layer) => sum + sizeOf(model.outputShapeOf(layer) ?? []), 0);
  return Math.min(batchSize, Math.max(1, Math.floor(PASS_VALUES / perRow)));
}
