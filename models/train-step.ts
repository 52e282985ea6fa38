import { atSite } from '../core/debug-numerics.ts';
import { valueAndGrad } from '../core/autodiff.ts';
import { withBufferScope } from '../core/buffer-scope.ts';
import { Rng, derivedSeed } from '../core/random.ts';
import type { Tensor } from '../core/tensor.ts';
import { applyConstraints, withRegularization } from '../layers/penalties.ts';
import type { Optimizer, TrainState } from '../optim/index.ts';
import { applyGradients } from '../optim/index.ts';
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
  return { params: model.trainableParams(), optimizerState: progress.state, step: progress.step, seed, learningRate: progress.learningRate };
}

function storeState(model: Model, state: TrainState<ModelParams>): void {
  model.assignParams(state.params);
  model.optimizerProgress = Object.freeze({ state: state.optimizerState, step: state.step, learningRate: state.learningRate });
}

/** The optimizer's progress so far, started (fresh state, step 0) on the first step after compile. */
export function startProgress(model: Model, optimizer: Optimizer): OptimizerProgress {
  model.optimizerProgress ??= Object.freeze({ state: optimizer.init(model.trainableParams()), step: 0, learningRate: null });
  return model.optimizerProgress;
}

/** One batch: a tensor per input and per output, and each sample's loss weight if any. */
export interface StepBatch { xs: Tensor[]; ys: Tensor[]; weights: Tensor | undefined }

/**
 * One training step, as fit and trainOnBatch take it: the loss's gradient from the tape on the batch `take` makes,
 * then the optimizer's update and the constraints, written back to the model. Adds the batch to `running` and
 * returns its loss. Dropout's generator comes from the seed and the step number.
 */
export function trainStep(model: Model, compiled: Compiled): (seed: number, running: RunningLogs, take: () => StepBatch) => number {
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
  return (seed, running, take) => {
    const before = stateOf(model, startProgress(model, optimizer), seed);
    let lossValue = 0;
    // Everything but the new state is dead once the step ends, so its memory goes back to the pool for the next step.
    const after = withBufferScope(() => {
      const batch = take();
      const [loss, grads] = step(before.params, batch, new Rng(derivedSeed(seed, STEP_STREAM, before.step)));
      lossValue = loss.item();
      // Each output's loss is read from the step's own value (the tape keeps it; values are not traced).
      running.add(lossValue, capturedLosses.map((l) => l.item()), batch.ys, captured, logits);
      captured = [];
      capturedLosses.length = 0;
      return atSite(`optimizer ${optimizer.name}`, () => applyGradients(before, grads, optimizer));
    }, (next) => [next.params, next.optimizerState.slots]);
    storeState(model, { ...after, params: applyConstraints(model.layers, after.params) });
    return lossValue;
  };
}
