import type { TypedArray } from '../core/dtype.ts';
import { adamSimd } from './adam-simd.ts';
import type { AdamStep } from './adam-simd.ts';
import { COMMON_KEYS, commonSettings } from './common.ts';
import { defineOptimizer } from './define.ts';
import type { LeafKernel } from './define.ts';
import { checkLearningRate } from './learning-rate.ts';
import type { CommonOptions, LearningRate, Optimizer } from './optimizer.ts';
import { checkOptionKeys } from '../core/options.ts';
import { POSITIVE, UNIT_OPEN, checkBoolean, checkNumber } from './options.ts';

export interface AdamOptions extends CommonOptions {
  learningRate?: LearningRate;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  amsgrad?: boolean;
}

const ADAM_KEYS = ['learningRate', 'beta1', 'beta2', 'epsilon', 'amsgrad', ...COMMON_KEYS];

function adamFamily(name: string, options: AdamOptions, defaultWeightDecay: number): Optimizer {
  checkOptionKeys(options, ADAM_KEYS, name);
  const { learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7, amsgrad = false } = options;
  checkNumber(name, 'beta1', beta1, UNIT_OPEN);
  checkNumber(name, 'beta2', beta2, UNIT_OPEN);
  checkNumber(name, 'epsilon', epsilon, POSITIVE);
  checkBoolean(name, 'amsgrad', amsgrad);
  return defineOptimizer({
    name,
    learningRate: checkLearningRate(name, learningRate),
    hyperparameters: { beta1, beta2, epsilon, amsgrad },
    common: commonSettings(name, options, defaultWeightDecay),
    slots: amsgrad ? ['m', 'v', 'vHat'] : ['m', 'v'],
    kernel(lr, step, decay): LeafKernel {
      // Keras folds the bias corrections into the rate: lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t), t = step + 1.
      const t = step + 1;
      const lrT = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      const constants: AdamStep = { beta1, beta2, epsilon, lrT, decay };
      return (p, g, [m, v, vHat], out, [mOut, vOut, vHatOut]) => {
        if (amsgrad) adamLoop(constants, p, g, m, v, out, mOut, vOut, [vHat, vHatOut]);
        else if (!adamSimd(p, g, m, v, out, mOut, vOut, constants)) adamLoop(constants, p, g, m, v, out, mOut, vOut);
      };
    },
  });
}

/**
 * m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2; amsgrad (given vHat and its output): vHat = max(vHat, v)
 * replaces v; p = p·decay - lr_t m / (sqrt(v) + eps). adamSimd computes the same expressions in the same order.
 */
export function adamLoop(
  { beta1, beta2, epsilon, lrT, decay }: AdamStep, p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray,
  out: TypedArray, mOut: TypedArray, vOut: TypedArray, amsgrad?: readonly [TypedArray, TypedArray],
): void {
  for (let i = 0; i < p.length; i++) {
    const gi = g[i];
    const mi = beta1 * m[i] + (1 - beta1) * gi;
    let vi = beta2 * v[i] + (1 - beta2) * gi * gi;
    mOut[i] = mi;
    vOut[i] = vi;
    if (amsgrad) {
      vi = Math.max(amsgrad[0][i], vi);
      amsgrad[1][i] = vi;
    }
    out[i] = p[i] * decay - (lrT * mi) / (Math.sqrt(vi) + epsilon);
  }
}

/** Adam as in Keras 3. Defaults: learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, amsgrad false. */
export function adam(options: AdamOptions = {}): Optimizer {
  return adamFamily('adam', options, 0);
}

/** Adam with decoupled weight decay (p -= lr * weightDecay * p before the Adam step); Keras 3 default weightDecay 0.004. */
export function adamw(options: AdamOptions = {}): Optimizer {
  return adamFamily('adamw', options, 0.004);
}
