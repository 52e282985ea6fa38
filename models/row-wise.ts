import type { Layer } from '../layers/layer.ts';
import { isBuiltInCall } from '../layers/built-in.ts';
import { isBuiltInActivation } from '../layers/activations.ts';

/**
 * True when every layer is one of semiflow's own with a built-in activation (if any): at inference each of them
 * computes every row from that row alone, so a batch can run in passes of fewer rows with the same results.
 * A user's layer or activation might mix rows (a batch statistic), so any of them makes this false.
 */
export function computesRowByRow(layers: readonly Layer[]): boolean {
  return layers.every((layer) => {
    const { call, activation } = layer as unknown as { call: object; activation?: unknown };
    if (!isBuiltInCall(call)) return false;
    return activation === undefined || isBuiltInActivation(activation);
  });
}
