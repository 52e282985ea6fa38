import { ConfigError, DistributedError, prefixError } from '../core/errors.ts';
import type { Tensor } from '../core/tensor.ts';
import { startProgress } from './train-step.ts';
import { getLearningRate } from './learning-rate.ts';
import { dataParallel } from './data-parallel.ts';
import { soloFit } from './fit-parallel.ts';
import { agreeOnFit } from './fit-agreement.ts';
import type { CallbackList, Logs } from './callbacks.ts';
import { TerminateOnNaN } from './callbacks/terminate-on-nan.ts';
import type { Compiled } from './compile.ts';
import { releaseBufferPool } from '../core/buffer-scope.ts';
import { History } from './history.ts';
import { RunningLogs } from './inference.ts';
import { FitProgress } from './progress.ts';
import type { Model } from './model.ts';
import { platform } from '../core/platform.ts';
import { trainingReportCallback } from './report/report-seam.ts';
import type { FitData } from './fit-data.ts';
import { fitData, fitSeed } from './fit-data.ts';
import type { FitOptions, FitSettings } from './fit-options.ts';
import { parseOptions } from './fit-options.ts';
import { isDataset } from './dataset-elements.ts';

export type { FitOptions } from './fit-options.ts';

/** The training report draws one input and one output (its confusion matrix and images). */
function reportData(model: Model, validation: FitData['validationTensors'], who: string): readonly [Tensor, Tensor] | undefined {
  if (model.outputNames.length !== 1 || (validation !== undefined && validation[0].length !== 1)) {
    throw new ConfigError(`${who}: report takes a model with one input and one output; ${model.name} has ${model.outputNames.length} outputs`);
  }
  return validation === undefined ? undefined : [validation[0][0], validation[1][0]];
}

/**
 * A non-finite loss is said once per fit: training goes on (as in Keras), but not silently. Returns true (warned).
 * With TerminateOnNaN among the callbacks it stops there anyway, and says so itself.
 */
function warnNonFinite(who: string, loss: number, epoch: number, batch: number, callbacks: CallbackList): boolean {
  if (!callbacks.some((c) => c instanceof TerminateOnNaN)) {
    console.warn(`${who}: the loss is ${loss} at epoch ${epoch + 1}, batch ${batch + 1}; the weights are now likely NaN and training will not recover. `
      + 'Add the TerminateOnNaN callback to stop at the first non-finite loss with the last good weights, or turn on debugNumerics(true) to find the op that made it.');
  }
  return true;
}

/** fit's options, data and callbacks, checked; a data-parallel fit first starts every rank from rank 0's state. */
async function prepare(model: Model, compiled: Compiled, x: unknown, y: unknown, options: FitOptions, settings: FitSettings, who: string) {
  const seed = fitSeed(model, options);
  const comm = settings.distributed;
  const parallel = comm === undefined ? soloFit(model, compiled, seed) : await dataParallel(model, compiled, comm, seed);
  try {
    const data = fitData(model, compiled, x, y, options, settings, who, parallel);
    if (comm !== undefined) await agreeOnFit(comm, settings, data, who);
    const callbacks = (options.report === undefined ? settings.callbacks
      : settings.callbacks.with(trainingReportCallback({ path: options.report, validationData: reportData(model, data.validationTensors, who), epochs: settings.epochs }), who)).forRank(parallel.chief);
    return { parallel, data, callbacks };
  } catch (error) {
    throw prefixError(error, who);
  }
}

/**
 * Keras's fit: per epoch, batches from the source (tensors shuffled with a seeded generator, or a dataset), and per
 * batch the loss's gradient from the tape and the optimizer's update of the parameters. Each step's training state
 * is an immutable tree made from the model and written back to it (stateOf, storeState), so a callback always sees
 * the current model, and what it changes (weights, the learning rate) is what the next step starts from. Tensors
 * and datasets share this one loop; `y` is undefined for a dataset. With `distributed`, the same loop runs on every
 * rank, and `parallel` takes the step, the agreement to stop and the logs over the ranks.
 */
export async function fitModel(model: Model, compiled: Compiled, x: unknown, y: unknown, options: FitOptions): Promise<History> {
  const who = `${model.name}.fit`;
  let settings: FitSettings;
  try {
    settings = parseOptions(options, who, isDataset(x));
  } catch (error) {
    throw prefixError(error, who);
  }
  const { epochs } = settings;
  const optimizer = compiled.optimizer;
  const history = new History();
  let at = 'before the first step';
  let prepared: Awaited<ReturnType<typeof prepare>> | undefined;
  try {
    prepared = await prepare(model, compiled, x, y, options, settings, who);
    const { parallel, data, callbacks } = prepared;
    const { source } = data;
    const progress = new FitProgress(parallel.chief ? settings.verbose : 0, platform.stdout, epochs);
    startProgress(model, optimizer);
    let rate = getLearningRate(model);
    let warned = false;
    model.stopTraining = false;
    callbacks.setModel(model);
    await callbacks.run('onTrainBegin', {});
    model.stopTraining = await parallel.agreeStop(model.stopTraining);
    let lastLogs: Logs = {};
    for (let epoch = settings.initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
      at = `epoch ${epoch + 1}`;
      await callbacks.run('onEpochBegin', epoch, {});
      model.stopTraining = await parallel.agreeStop(model.stopTraining);
      progress.epochBegin(epoch, source.known);
      const running = new RunningLogs(compiled);
      for (let b = 0; (source.limit === undefined || b < source.limit) && !model.stopTraining; b++) {
        at = `epoch ${epoch + 1}, batch ${b + 1}`;
        const batch = await source.next(epoch, b);
        if (batch === undefined) break;
        await callbacks.run('onBatchBegin', b, { size: batch.size });
        rate = getLearningRate(model);
        const lossValue = await parallel.step(running, batch.take, batch.size);
        if (!Number.isFinite(lossValue) && !warned) warned = warnNonFinite(who, lossValue, epoch, b, callbacks);
        const logs = { ...parallel.batchLogs(running), learning_rate: rate };
        progress.batchEnd(b + 1, logs);
        await callbacks.run('onBatchEnd', b, logs);
        model.stopTraining = await parallel.agreeStop(model.stopTraining);
      }
      at = `end of epoch ${epoch + 1}`;
      await source.endEpoch();
      const logs: Record<string, number> = await parallel.reduceLogs(running.logs, running.samples);
      model.validatedEpoch = settings.validatesAfter(epoch);
      if (data.validate !== undefined && model.validatedEpoch) {
        const trained = { ...logs, learning_rate: rate };
        const val = await data.validate(epoch, (done, total) => progress.validating(trained, done, total));
        for (const [key, value] of Object.entries(val)) logs[`val_${key}`] = value;
      }
      logs.learning_rate = rate;
      history.record(epoch, logs);
      progress.epochEnd(logs);
      await callbacks.run('onEpochEnd', epoch, logs);
      model.stopTraining = await parallel.agreeStop(model.stopTraining);
      lastLogs = logs;
    }
    await callbacks.run('onTrainEnd', lastLogs);
    return history;
  } catch (error) {
    // The other ranks would wait for this one until their timeout: closing tells them now.
    if (settings.distributed !== undefined) await settings.distributed.close().catch(() => undefined);
    throw error instanceof DistributedError ? prefixError(error, `${who}: ${at}`) : error;
  } finally {
    model.validatedEpoch = true;
    await prepared?.data.source.close();
    // The pool holds a step's worth of arrays (hundreds of MB for a CNN): give them back to the GC.
    releaseBufferPool();
  }
}
