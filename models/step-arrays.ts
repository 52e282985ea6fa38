import type { TypedArray } from '../core/dtype.ts';
import { leaves } from '../core/tree.ts';
import type { Model, ModelParams, OptimizerProgress } from './model.ts';

// Immutability is a public promise: a tensor anyone was given never changes. But most of a step's new weights and
// optimizer slots are seen by nobody but fit, which drops the old ones a step later. These helpers let fit's next
// step write the update into those arrays (optim/in-place.ts) when nobody else can hold them: fit made them, stored
// them with Weight.assignFromStep and Model.storeProgress, and no one has read them since through any accessor
// (Weight.value, getWeights, optimizerProgress, a custom layer's call, ...), which marks them handed out.

/** The trainable weights {layer: {weight: tensor}} as model.trainableParams gives them, without handing them out. */
export function stepParams(model: Model): ModelParams {
  const params: ModelParams = {};
  for (const layer of model.layers) {
    const weights = layer.trainableWeights;
    if (weights.length > 0) params[layer.name] = Object.fromEntries(weights.map((w) => [w.name, w.peek()]));
  }
  return params;
}

/**
 * The arrays of the trainable weights and optimizer slots that only fit holds. Call it after the step's forward
 * and backward passes, which may have handed weights to user code. A regularized weight is left out: its
 * regularizer (possibly the user's) was given the weight.
 */
export function arraysHeldByFitOnly(model: Model): Set<TypedArray> {
  const arrays = new Set<TypedArray>();
  for (const layer of model.layers) {
    for (const w of layer.trainableWeights) if (w.heldByFitOnly && w.regularizer === undefined) arrays.add(w.peek().storage);
  }
  const progress = model.peekProgress();
  if (progress !== undefined && model.progressHeldByFitOnly) for (const t of leaves(progress.state.slots)) arrays.add(t.storage);
  return arrays;
}

/**
 * Stores a step's result: each weight its value in `stored` (constraints applied), counted as held by fit only
 * where that is the optimizer's own output in `updated`; and the new progress, whose slots the optimizer made.
 */
export function storeStep(model: Model, updated: ModelParams, stored: ModelParams, progress: OptimizerProgress): void {
  for (const layer of model.layers) {
    const values = stored[layer.name];
    if (values === undefined) continue;
    for (const w of layer.weights) {
      const value = values[w.name];
      if (value === undefined) continue;
      if (value === updated[layer.name][w.name]) w.assignFromStep(value);
      else w.assign(value);
    }
  }
  model.storeProgress(progress, true);
}
