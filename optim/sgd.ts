import { COMMON_KEYS, commonSettings } from './common.ts';
import { defineOptimizer } from './define.ts';
import type { LeafKernel } from './define.ts';
import { checkLearningRate } from './learning-rate.ts';
import type { CommonOptions, LearningRate, Optimizer } from './optimizer.ts';
import { checkOptionKeys } from '../core/options.ts';
import { UNIT_CLOSED, checkBoolean, checkNumber } from './options.ts';

export interface SgdOptions extends CommonOptions {
  learningRate?: LearningRate;
  momentum?: number;
  nesterov?: boolean;
}

const SGD_KEYS = ['learningRate', 'momentum', 'nesterov', ...COMMON_KEYS];

function sgdFamily(name: string, options: SgdOptions, defaultMomentum: number): Optimizer {
  checkOptionKeys(options, SGD_KEYS, name);
  const { learningRate = 0.01, momentum = defaultMomentum, nesterov = false } = options;
  checkNumber(name, 'momentum', momentum, UNIT_CLOSED);
  checkBoolean(name, 'nesterov', nesterov);
  return defineOptimizer({
    name,
    learningRate: checkLearningRate(name, learningRate),
    hyperparameters: { momentum, nesterov },
    common: commonSettings(name, options, 0),
    // Keras keeps no velocity when momentum is 0.
    slots: momentum === 0 ? [] : ['velocity'],
    kernel(lr, _step, decay): LeafKernel {
      if (momentum === 0) {
        // p -= lr * g
        return (p, g, _slots, out) => {
          for (let i = 0; i < p.length; i++) out[i] = p[i] * decay - lr * g[i];
        };
      }
      // v = momentum * v - lr * g; p += v, or with Nesterov p += momentum * v - lr * g (with the new v).
      return (p, g, [v], out, [vOut]) => {
        for (let i = 0; i < p.length; i++) {
          const vi = momentum * v[i] - lr * g[i];
          vOut[i] = vi;
          out[i] = p[i] * decay + (nesterov ? momentum * vi - lr * g[i] : vi);
        }
      };
    },
  });
}

/** Gradient descent, with optional (Nesterov) momentum. Keras defaults: learningRate 0.01, momentum 0. */
export function sgd(options: SgdOptions = {}): Optimizer {
  return sgdFamily('sgd', options, 0);
}

/** sgd with momentum 0.9 by default. */
export function momentum(options: SgdOptions = {}): Optimizer {
  return sgdFamily('momentum', options, 0.9);
}
