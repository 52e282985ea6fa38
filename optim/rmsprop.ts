import { COMMON_KEYS, commonSettings } from './common.ts';
import { defineOptimizer } from './define.ts';
import type { LeafKernel } from './define.ts';
import { checkLearningRate } from './learning-rate.ts';
import type { CommonOptions, LearningRate, Optimizer } from './optimizer.ts';
import { checkOptionKeys } from '../core/options.ts';
import { POSITIVE, UNIT_CLOSED, UNIT_OPEN, checkBoolean, checkNumber } from './options.ts';

export interface RmspropOptions extends CommonOptions {
  learningRate?: LearningRate;
  rho?: number;
  momentum?: number;
  epsilon?: number;
  centered?: boolean;
}

const RMSPROP_KEYS = ['learningRate', 'rho', 'momentum', 'epsilon', 'centered', ...COMMON_KEYS];

/** RMSprop as in Keras 3. Defaults: learningRate 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false. */
export function rmsprop(options: RmspropOptions = {}): Optimizer {
  const name = 'rmsprop';
  checkOptionKeys(options, RMSPROP_KEYS, name);
  const { learningRate = 0.001, rho = 0.9, momentum = 0, epsilon = 1e-7, centered = false } = options;
  checkNumber(name, 'rho', rho, UNIT_OPEN);
  checkNumber(name, 'momentum', momentum, UNIT_CLOSED);
  checkNumber(name, 'epsilon', epsilon, POSITIVE);
  checkBoolean(name, 'centered', centered);
  const slots = ['velocity', ...(centered ? ['averageGrad'] : []), ...(momentum > 0 ? ['momentum'] : [])];
  const averageAt = centered ? 1 : -1;
  const momentumAt = momentum > 0 ? slots.length - 1 : -1;
  return defineOptimizer({
    name,
    learningRate: checkLearningRate(name, learningRate),
    hyperparameters: { rho, momentum, epsilon, centered },
    common: commonSettings(name, options, 0),
    slots,
    kernel(lr, _step, decay): LeafKernel {
      // v = rho v + (1 - rho) g^2; centered: a = rho a + (1 - rho) g and the denominator is v - a^2 + eps, else v + eps.
      // inc = lr g / sqrt(denominator); with momentum: mom = momentum * mom + inc and p -= mom, else p -= inc.
      return (p, g, slotsIn, out, slotsOut) => {
        const [v, vOut] = [slotsIn[0], slotsOut[0]];
        const [a, aOut] = [slotsIn[averageAt], slotsOut[averageAt]];
        const [mom, momOut] = [slotsIn[momentumAt], slotsOut[momentumAt]];
        for (let i = 0; i < p.length; i++) {
          const gi = g[i];
          const vi = rho * v[i] + (1 - rho) * gi * gi;
          vOut[i] = vi;
          let denominator = vi + epsilon;
          if (centered) {
            const ai = rho * a[i] + (1 - rho) * gi;
            aOut[i] = ai;
            denominator = vi - ai * ai + epsilon;
          }
          const increment = (lr * gi) / Math.sqrt(denominator);
          if (momentum > 0) {
            const mi = momentum * mom[i] + increment;
            momOut[i] = mi;
            out[i] = p[i] * decay - mi;
          } else {
            out[i] = p[i] * decay - increment;
          }
        }
      };
    },
  });
}
