import { add, matmul, mul, slice } from '../../core/ops/index.ts';
import type { Tensor } from '../../core/tensor.ts';
import type { Cell, CellActivations, RecurrentWeights } from './cell.ts';

/**
 * Keras's LSTM step, gate blocks in the order i, f, c, o: z = x_t·W + b + h·U, i = σ(z_i), f = σ(z_f), o = σ(z_o),
 * c_t = f·c + i·act(z_c), h_t = o·act(c_t) (σ is recurrentActivation, act is activation).
 */
export function lstmCell({ activation, recurrentActivation }: CellActivations): Cell {
  return {
    gates: 4,
    stateCount: 2,
    inputBias: (bias) => bias,
    step: (projected: Tensor, [, c]: readonly Tensor[], hIn: Tensor, { recurrentKernel }: RecurrentWeights) => {
      const z = add(projected, matmul(hIn, recurrentKernel));
      const [batch, width] = z.shape;
      const units = width / 4;
      // One recurrentActivation over all four blocks; the c block is read from z instead.
      const gates = recurrentActivation(z);
      const block = (from: Tensor, k: number): Tensor => slice(from, [0, k * units], [batch, units]);
      const next = add(mul(block(gates, 1), c), mul(block(gates, 0), activation(block(z, 2))));
      return [mul(block(gates, 3), activation(next)), next];
    },
  };
}
