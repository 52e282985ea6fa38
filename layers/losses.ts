import { ConfigError, describeValue } from '../core/errors.ts';
import { lookupName } from './lookup.ts';
import { binaryCrossentropy } from './losses/binary.ts';
import { categoricalCrossentropy, softmaxCategoricalCrossentropy, sparseCategoricalCrossentropy } from './losses/categorical.ts';
import type { Loss } from './losses/loss.ts';
import { isBuiltInLoss } from './losses/loss.ts';
import type { Tensor } from '../core/tensor.ts';
import { userCode } from '../core/buffer-scope.ts';
import { meanAbsoluteError, meanSquaredError } from './losses/regression.ts';

export type { CrossentropyOptions, Loss } from './losses/loss.ts';
export { binaryCrossentropy, categoricalCrossentropy, meanAbsoluteError, meanSquaredError, softmaxCategoricalCrossentropy, sparseCategoricalCrossentropy };

/** Every loss by name, with default options; 'mse' and 'mae' are Keras's short aliases. */
const byName: Readonly<Record<string, () => Loss>> = Object.freeze({
  meanSquaredError,
  mse: meanSquaredError,
  meanAbsoluteError,
  mae: meanAbsoluteError,
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
  softmaxCategoricalCrossentropy,
});

/** A user's Loss, its compute (and its fused form's) run as user code, so the buffer pool never recycles what it sees. */
function asUserLoss(loss: Loss): Loss {
  const { fused, unreduced } = loss;
  return Object.freeze({
    name: loss.name,
    config: loss.config,
    compute: (yTrue: Tensor, yPred: Tensor) => userCode([yTrue, yPred], () => loss.compute(yTrue, yPred)),
    ...(unreduced === undefined ? {} : { unreduced: (yTrue: Tensor, yPred: Tensor) => userCode([yTrue, yPred], () => unreduced.call(loss, yTrue, yPred)) }),
    ...(fused === undefined ? {} : { fused: Object.freeze({ activation: fused.activation, loss: asUserLoss(fused.loss) }) }),
  });
}

/** A loss from its name (camelCase, Keras snake_case, or an alias) or as given. */
export function getLoss(spec: string | Loss, where: string): Loss {
  if (typeof spec === 'string') return lookupName(byName, spec, 'loss', where)();
  if (spec !== null && typeof spec === 'object' && typeof spec.name === 'string' && typeof spec.compute === 'function') {
    return isBuiltInLoss(spec) ? spec : asUserLoss(spec);
  }
  throw new ConfigError(`${where}: a loss must be a name or a Loss, got ${describeValue(spec)}`);
}
