import type { Tensor } from '../../core/tensor.ts';
import type { ActivationFn } from '../activations.ts';
import type { Weight } from '../layer.ts';

/** The weights of one recurrent layer, as Keras lays them out: kernel [features, k·units], recurrent_kernel [units, k·units]. */
export interface RecurrentWeights {
  readonly kernel: Tensor;
  readonly recurrentKernel: Tensor;
  readonly bias?: Tensor;
}

/** The weights a layer declared, read at each use: the stored tensors, or those apply binds for a gradient. */
export function weightsOf(kernel: Weight, recurrentKernel: Weight, bias: Weight | undefined): RecurrentWeights {
  return {
    get kernel() { return kernel.value; },
    get recurrentKernel() { return recurrentKernel.value; },
    get bias() { return bias?.value; },
  };
}

/**
 * One time step of a recurrent layer, composed of ops. The loop (loop.ts) computes the input projection x_t·W + b;
 * a cell adds the recurrent part and the gates.
 */
export interface Cell {
  /** k: the number of gate blocks side by side in the kernels (SimpleRNN 1, LSTM 4, GRU 3). */
  readonly gates: number;
  /** How many state tensors [batch, units] it carries: h, and c for an LSTM. h is also the step's output. */
  readonly stateCount: number;
  /** The part of the bias added to the input projection x_t·kernel (GRU with resetAfter: its input row). */
  inputBias(bias: Tensor | undefined): Tensor | undefined;
  /**
   * The states after one step, from `projected` = x_t·kernel + inputBias [batch, k·units], the states before, and
   * `hIn`: states[0] as the recurrent product sees it (after recurrent dropout).
   */
  step(projected: Tensor, states: readonly Tensor[], hIn: Tensor, weights: RecurrentWeights): Tensor[];
}

/** The activations a cell applies: `activation` (tanh) on candidates and outputs, `recurrentActivation` (sigmoid) on gates. */
export interface CellActivations {
  readonly activation: ActivationFn;
  readonly recurrentActivation: ActivationFn;
}
