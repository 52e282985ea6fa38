import { withBufferScope } from '../core/buffer-scope.ts';
import { ConfigError } from '../core/errors.ts';
import { derivedSeed } from '../core/random.ts';
import { Tensor } from '../core/tensor.ts';
import { leaves, rebuild } from '../core/tree.ts';
import { allReduceMean, anyRank } from '../distributed/all-gather.ts';
import { broadcastTensors } from '../distributed/broadcast-tensors.ts';
import { Buckets } from '../distributed/buckets.ts';
import type { Communicator } from '../distributed/communicator.ts';
import type { Weight } from '../layers/layer.ts';
import type { Compiled } from './compile.ts';
import type { FitParallel } from './fit-parallel.ts';
import type { RunningLogs } from './inference.ts';
import type { Model, ModelParams } from './model.ts';
import { startProgress, stateOf, stepParts } from './train-step.ts';

/** The generator stream that gives each rank its own Dropout seed (batch-stream.ts and train-step.ts have theirs). */
const RANK_STREAM = 3;

/** The non-trainable weights training changes (BatchNormalization's moving statistics): those of trainable layers. */
function movingWeights(model: Model): Weight[] {
  return model.layers.flatMap((layer) => (layer.trainable ? layer.weights.filter((w) => !w.trainable) : []));
}

/**
 * Rank 0's seed, step, rate override, weights (trainable and not) and optimizer state on every rank, so that all
 * start from one state and shuffle alike. Returns the seed.
 */
async function startAlike(model: Model, compiled: Compiled, comm: Communicator, seed: number): Promise<number> {
  const unbuilt = model.layers.find((layer) => !layer.built);
  if (unbuilt !== undefined) {
    throw new ConfigError(`${model.name}.fit: distributed fit sends rank 0's weights to every rank before the first step, so the model must be built, and ${unbuilt.name} is not: give the first layer an inputShape, or call predict once first`);
  }
  const progress = startProgress(model, compiled.optimizer);
  const meta = Float64Array.of(seed, progress.step, progress.state.step, progress.learningRate ?? Number.NaN);
  await comm.broadcast(new Float32Array(meta.buffer), 0);
  const weights = await broadcastTensors(comm, model.getWeights());
  const slots = await broadcastTensors(comm, leaves(progress.state.slots));
  if (comm.rank !== 0) {
    model.setWeights(weights);
    const state = Object.freeze({ ...progress.state, step: meta[2], slots: rebuild(progress.state.slots, slots) });
    model.optimizerProgress = Object.freeze({ state, step: meta[1], learningRate: Number.isNaN(meta[3]) ? null : meta[3] });
  }
  return meta[0];
}

/**
 * Data-parallel fit over a Communicator, as Keras's MultiWorkerMirroredStrategy and PyTorch's DDP: every rank
 * starts from rank 0's state, computes the mean-loss gradient on its share of each global batch, and the ranks sum
 * gradient · rows in buckets (the rows in each bucket's last element), so that Σ / total rows is the gradient of
 * the global batch; then every rank takes the same optimizer step. The moving statistics ride in the same buckets
 * and are averaged over the ranks, so the ranks stay identical.
 */
export async function dataParallel(model: Model, compiled: Compiled, comm: Communicator, localSeed: number): Promise<FitParallel> {
  const seed = await startAlike(model, compiled, comm, localSeed);
  const parts = stepParts(model, compiled);
  const dropoutSeed = derivedSeed(seed, RANK_STREAM, comm.rank);
  const moving = movingWeights(model);
  // The buckets' layout: gradient · rows, the moving statistics, then the batch's loss · rows.
  const gradValues = leaves(model.trainableParams()).reduce((sum, t) => sum + t.size, 0);
  const lossAt = gradValues + moving.reduce((sum, w) => sum + w.value.size, 0);
  const buckets = new Buckets(lossAt + 1);
  const progress = () => startProgress(model, compiled.optimizer);
  // The epoch's loss over all ranks so far, for the batch logs; a new RunningLogs starts an epoch.
  const epochLoss = { running: undefined as RunningLogs | undefined, sum: 0, rows: 0 };

  /** The mean of the sums in the buckets from `offset` on, as tensors shaped like `like`. */
  const means = (like: readonly Tensor[], offset: number, divisor: number): Tensor[] => like.map((t) => {
    const out = t.dtype === 'float64' ? new Float64Array(t.size) : new Float32Array(t.size);
    buckets.read(offset, out, divisor);
    offset += t.size;
    return new Tensor(out, t.shape);
  });

  return {
    chief: comm.rank === 0,
    seed,
    shard: { rank: comm.rank, size: comm.size },
    async step(running, take, rows) {
      const before = stateOf(model, progress(), seed);
      // The gradient's arrays go back to the pool once it is copied into the buckets.
      const loss = withBufferScope(() => {
        if (rows === 0) return buckets.zero(0, gradValues);
        const g = parts.gradients(before, running, take, dropoutSeed);
        leaves(g.grads).reduce((offset, t) => { buckets.write(offset, t.storage, rows); return offset + t.size; }, 0);
        return g.loss;
      }, () => []);
      moving.reduce((offset, w) => { buckets.write(offset, w.value.storage); return offset + w.value.size; }, gradValues);
      buckets.write(lossAt, [rows === 0 ? 0 : (loss as number) * rows]);
      buckets.count = rows;
      await buckets.allReduce(comm);
      const total = buckets.count;
      const after = withBufferScope(() => parts.update(before, rebuild<ModelParams>(before.params, means(leaves(before.params), 0, total))), parts.keep);
      parts.store(after);
      means(moving.map((w) => w.value), gradValues, comm.size).forEach((mean, i) => moving[i].assign(mean));
      const lossSum = new Float64Array(1);
      buckets.read(lossAt, lossSum);
      if (epochLoss.running !== running) Object.assign(epochLoss, { running, sum: 0, rows: 0 });
      epochLoss.sum += lossSum[0];
      epochLoss.rows += total;
      return lossSum[0] / total;
    },
    batchLogs: (running) => ({ ...running.logs, loss: epochLoss.sum / epochLoss.rows }),
    agreeStop: (stop) => anyRank(comm, stop),
    reduceLogs: (logs, samples) => allReduceMean(comm, logs, samples, Object.keys(logs)),
  };
}
