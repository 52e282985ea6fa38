import { abs, square, sub } from '../../core/ops/index.ts';
import type { Loss } from './loss.ts';
import { defineLoss } from './loss.ts';
import { elementwiseTargets } from './targets.ts';

// The mean over the last axis, then over the batch, is the mean over every element: the groups have equal size.

/** mean((yPred − yTrue)²). */
export function meanSquaredError(): Loss {
  const who = 'meanSquaredError';
  return defineLoss(who, {}, (yTrue, yPred) => square(sub(yPred, elementwiseTargets(who, yTrue, yPred))));
}

/** mean|yPred − yTrue|. */
export function meanAbsoluteError(): Loss {
  const who = 'meanAbsoluteError';
  return defineLoss(who, {}, (yTrue, yPred) => abs(sub(yPred, elementwiseTargets(who, yTrue, yPred))));
}
