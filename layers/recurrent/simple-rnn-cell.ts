import { add, matmul } from '../../core/ops/index.ts';
import type { Tensor } from '../../core/tensor.ts';
import type { ActivationFn } from '../activations.ts';
import type { Cell, RecurrentWeights } from './cell.ts';

/** h_t = activation(x_t·W + b + h_{t-1}·U). */
export function simpleRnnCell(activation: ActivationFn): Cell {
  return {
    gates: 1,
    stateCount: 1,
    inputBias: (bias) => bias,
    step: (projected: Tensor, _states: readonly Tensor[], hIn: Tensor, { recurrentKernel }: RecurrentWeights) => [
      activation(add(projected, matmul(hIn, recurrentKernel))),
    ],
  };
}
