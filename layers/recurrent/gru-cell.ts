import { add, affine, matmul, mul, reshape, slice, sub } from '../../core/ops/index.ts';
import type { Tensor } from '../../core/tensor.ts';
import type { Cell, CellActivations, RecurrentWeights } from './cell.ts';

/** Columns [from, from + count) of a [rows, cols] matrix. */
function columns(m: Tensor, from: number, count: number): Tensor {
  return slice(m, [0, from], [m.shape[0], count]);
}

/**
 * Keras's GRU step, gate blocks in the order z, r, h. With resetAfter (tf.keras 2's default) the bias is
 * [2, 3·units], input and recurrent rows, and the reset gate multiplies the recurrent product:
 *   z = σ(x_z + (h·U + b_rec)_z), r = σ(x_r + (h·U + b_rec)_r), ĥ = act(x_h + r·(h·U + b_rec)_h);
 * without it the bias is [3·units] and the reset gate comes before the product: ĥ = act(x_h + (r·h)·U_h).
 * Then h_t = z·h + (1 − z)·ĥ, computed as ĥ + z·(h − ĥ).
 */
export function gruCell({ activation, recurrentActivation }: CellActivations, resetAfter: boolean): Cell {
  const row = (bias: Tensor, i: number): Tensor => reshape(slice(bias, [i, 0], [1, bias.shape[1]]), [bias.shape[1]]);
  // The recurrent row, cut once per bias tensor (once per call of the layer), not at every step.
  let recurrentRow: { bias: Tensor; row: Tensor } | undefined;
  const recurrentBias = (bias: Tensor): Tensor => (recurrentRow?.bias === bias ? recurrentRow : (recurrentRow = { bias, row: row(bias, 1) })).row;
  return {
    gates: 3,
    stateCount: 1,
    inputBias: (bias) => (bias === undefined || !resetAfter ? bias : row(bias, 0)),
    step: (projected: Tensor, [h]: readonly Tensor[], hIn: Tensor, { recurrentKernel, bias }: RecurrentWeights) => {
      const units = h.shape[1];
      let zr: Tensor;
      let candidate: Tensor;
      if (resetAfter) {
        const inner = bias === undefined ? matmul(hIn, recurrentKernel) : affine(hIn, recurrentKernel, recurrentBias(bias));
        zr = recurrentActivation(add(columns(projected, 0, 2 * units), columns(inner, 0, 2 * units)));
        candidate = mul(columns(zr, units, units), columns(inner, 2 * units, units));
      } else {
        zr = recurrentActivation(add(columns(projected, 0, 2 * units), matmul(hIn, columns(recurrentKernel, 0, 2 * units))));
        candidate = matmul(mul(columns(zr, units, units), hIn), columns(recurrentKernel, 2 * units, units));
      }
      const hHat = activation(add(columns(projected, 2 * units, units), candidate));
      const z = columns(zr, 0, units);
      return [add(hHat, mul(z, sub(h, hHat)))];
    },
  };
}
