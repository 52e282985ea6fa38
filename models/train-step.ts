import { atSite } from '../core/debug-numerics.ts';
import { valueAndGrad } from '../core/autodiff.ts';
import { withBufferScope } from '../core/buffer-scope.ts';
import { Rng, derivedSeed } from '../core/random.ts';
import type { Tensor } from '../core/tensor.ts';
import { applyConstraints, withRegularization } from '../layers/penalties.ts';
import type { Optimizer, TrainState } from '../optim/index.ts';
import { applyGradients } from '../optim/index.ts';
import { withOverwritable } from '../optim/in-place.ts';
import { arraysHeldByFitOnly, stepParams, storeStep } from './step-arrays.ts';
import type { Compiled } from './compile.ts';
import type { RunningLogs } from './inference.ts';
import { totalLoss } from './inference.ts';
import type { Model, ModelParams, OptimizerProgress } from './model.ts';

const STEP_STREAM = 2;

/**
 * The model is the one handle on training: its weights and its optimizerProgress (optimizer state, step, rate
 * override) are the state, so whatever a callback changes there (setWeights, a restored snapshot, model.learningRate)
 * is what the next step starts from. The TrainState of a step is made from them, and its result written back.
 */
export function stateOf(model: Model, progress: OptimizerProgress, seed: number): TrainState<ModelParams> {
  return { params: stepParams(model), optimizerState: progress.state, step: progress.step, seed, learningRate: progress.learningRate };
}

function storeState(model: Model, state: TrainState<ModelParams>): void {
  const progress = Object.freeze({ state: state.optimizerState, step: state.step, learningRate: state.learningRate });
  storeStep(model, state.params, applyConstraints(model.layers, state.params), progress);
}

/** The optimizer's progress so far, started (fresh state, step 0) on the first step after compile. */
export function startProgress(model: Model, optimizer: Optimizer): OptimizerProgress {
  const progress = model.peekProgress();
  if (progress !== undefined) return progress;
  const started = Object.freeze({ state: optimizer.init(stepParams(model)), step: 0, learningRate: null });
  model.storeProgress(started, false);
  return started;
}

/** One batch: a tensor per input and per output, and each sample's loss weight if any. */
export interface StepBatch { xs: Tensor[]; ys: Tensor[]; weights: Tensor | undefined }

/** A step's loss on its batch and the gradient of the parameters, computed inside a buffer scope. */
export interface StepGradients { loss: number; grads: ModelParams }

/**
 * The pieces of a training step: `gradients` records the batch `take` makes on the tape (Dropout's generator from
 * `dropoutSeed` and the step number), adds it to `running` and returns the loss and the gradient; `update` is the
 * optimizer's step; `store` applies the constraints and writes the new state back to the model. trainStep runs
 * them in one buffer scope; a data-parallel step reduces the gradient between two.
 */
export function stepParts(model: Model, compiled: Compiled) {
  const { optimizer } = compiled;
  const logits = compiled.outputs.some((o) => o.fusedLayer !== null);
  const several = compiled.outputs.length > 1;
  let captured: Tensor[] = [];
  const capturedLosses: Tensor[] = [];
  const lossOf = (params: ModelParams, batch: StepBatch, rng: Rng): Tensor => withRegularization(() => {
    const masks: (Tensor | undefined)[] = [];
    captured = model.forwardAll(batch.xs, { training: true, rng, logits, params, outputMasks: masks });
    return totalLoss(compiled, batch.ys, captured, several ? capturedLosses : undefined, batch.weights, masks);
  });
  const step = valueAndGrad(lossOf);
  return {
    gradients(before: TrainState<ModelParams>, running: RunningLogs, take: () => StepBatch, dropoutSeed: number): StepGradients {
      const batch = take();
      const [loss, grads] = step(before.params, batch, new Rng(derivedSeed(dropoutSeed, STEP_STREAM, before.step)));
      const lossValue = loss.item();
      // Each output's loss is read from the step's own value (the tape keeps it; values are not traced).
      running.add(lossValue, capturedLosses.map((l) => l.item()), batch.ys, captured, logits);
      captured = [];
      capturedLosses.length = 0;
      return { loss: lossValue, grads };
    },
    update: (before: TrainState<ModelParams>, grads: ModelParams): TrainState<ModelParams> =>
      atSite(`optimizer ${optimizer.name}`, () => applyGradients(before, grads, optimizer)),
    store: (after: TrainState<ModelParams>): void => storeState(model, after),
    /** What a buffer scope around update must keep: the new state's tensors. */
    keep: (next: TrainState<ModelParams>) => [next.params, next.optimizerState.slots],
  };
}

/**
 * One training step, as fit and trainOnBatch take it: the loss's gradient from the tape on the batch `take` makes,
 * then the optimizer's update and the constraints, written back to the model. Adds the batch to `running` and
 * returns its loss. Dropout's generator comes from the seed and the step number.
 */
export function trainStep(model: Model, compiled: Compiled): (seed: number, running: RunningLogs, take: () => StepBatch) => number {
  const parts = stepParts(model, compiled);
  return (seed, running, take) => {
    const before = stateOf(model, startProgress(model, compiled.optimizer), seed);
    let lossValue = 0;
    // Everything but the new state is dead once the step ends, so its memory goes back to the pool for the next step.
    const after = withBufferScope(() => {
      const { loss, grads } = parts.gradients(before, running, take, seed);
      lossValue = loss;
      // The arrays of the weights and slots that nobody but fit holds take the update in place (step-arrays.ts).
      return withOverwritable(arraysHeldByFitOnly(model), () => parts.update(before, grads));
    }, parts.keep);
    parts.store(after);
    return lossValue;
  };
}
