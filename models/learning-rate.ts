import { ConfigError } from '../core/errors.ts';
import { checkRateOverride } from '../optim/learning-rate.ts';
import type { Model } from './model.ts';

function optimizerOf(model: Model, who: string) {
  const compiled = model.compiled;
  if (compiled === undefined) throw new ConfigError(`${who}: the model is not compiled; call compile({optimizer, loss}) first`);
  return compiled.optimizer;
}

/** The rate the next step will use: a rate set over the optimizer's if there is one, else its rate or schedule at that step. */
export function getLearningRate(model: Model): number {
  const optimizer = optimizerOf(model, `${model.name}.learningRate`);
  // The rate alone is read: the progress's tensors are not handed out.
  const progress = model.peekProgress();
  return progress?.learningRate ?? optimizer.learningRateAt(progress?.step ?? 0);
}

/**
 * Sets a rate that replaces the optimizer's rate or schedule from the next step on, until it is set again; null
 * goes back to the optimizer's own rate or schedule (at the current step). It lives in model.optimizerProgress
 * as a plain number, so fit picks it up at the next step and a save with the optimizer keeps it. compile() clears it.
 */
export function setLearningRate(model: Model, rate: number | null): void {
  const who = `${model.name}.learningRate`;
  const optimizer = optimizerOf(model, who);
  const learningRate = rate === null ? null : checkRateOverride(who, rate);
  let progress = model.peekProgress();
  if (progress === undefined) {
    if (model.outputShapes === undefined) {
      throw new ConfigError(`${who}: the model is not built yet; give the first layer an inputShape, or set the rate from a callback during fit`);
    }
    progress = { state: optimizer.init(model.trainableParams()), step: 0, learningRate: null };
  }
  // The same optimizer state with another rate: whoever held its tensors before still does, and nobody else.
  model.storeProgress(Object.freeze({ ...progress, learningRate }), model.progressHeldByFitOnly);
}
