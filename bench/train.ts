// One model's measurement, run in a child process of its own so that its peak RSS is its own.
// The method follows ../shared/baselines/bench_tfjs.js: each training step is timed on its own (batch
// assembly included), the first WARMUP_STEPS are left out, training stops once the timed steps add up to
// `seconds`; inference is passes over the 10k test images in batches of 1000, the median pass reported.
import type { FitOptions, Sequential } from 'semiflow';
import { benchData } from './data.ts';
import { BATCH_SIZE, buildBenchModel } from './models.ts';
import type { BenchData } from './data.ts';
import type { BenchModelName } from './models.ts';

export const WARMUP_STEPS = 5;
const INFER_BATCH = 1000;
/** Timed inference passes after the warm one; a warm pass slower than SLOW_PASS_S is reported itself, as tfjs does for slow configurations with --no-infer-warm. */
const INFER_PASSES = 3;
const SLOW_PASS_S = 5;

export interface ModelResult {
  framework: 'semiflow';
  model: BenchModelName;
  kernels: string;
  train_samples_per_s: number;
  timed_steps: number;
  timed_train_s: number;
  infer_samples_per_s: number;
  infer_passes: number;
  test_acc_partial: number;
  /** Peak RSS when training ended, before inference (batches of 1,000) ran. */
  peak_rss_training_mb: number;
  peak_rss_mb: number;
}

/** Trains through fit (with `extra` options, e.g. distributed), timing each batch from onBatchBegin to onBatchEnd, until `seconds` of timed steps. */
export async function measureTraining(model: Sequential, data: BenchData, seconds: number, extra: FitOptions = {}) {
  let steps = 0;
  let timedMs = 0;
  let timedSamples = 0;
  let started = 0;
  // Wall time from the first timed step's start to the last step's end: what happens between steps is in it.
  let wallFrom = 0;
  let wallTo = 0;
  await model.fit(data.trainX, data.trainY, {
    batchSize: BATCH_SIZE,
    epochs: 1000,
    verbose: 0,
    ...extra,
    callbacks: {
      onBatchBegin: () => {
        started = performance.now();
        if (steps === WARMUP_STEPS) wallFrom = started;
      },
      onBatchEnd: (_batch, logs) => {
        wallTo = performance.now();
        const ms = wallTo - started;
        steps++;
        if (!Number.isFinite(logs?.loss)) throw new Error(`bench: the loss is ${String(logs?.loss)} at step ${steps}`);
        if (steps > WARMUP_STEPS) {
          timedMs += ms;
          timedSamples += BATCH_SIZE;
        }
        if (timedMs >= seconds * 1000) model.stopTraining = true;
      },
    },
  });
  return { trainSamplesPerS: timedSamples / (timedMs / 1000), timedSteps: steps - WARMUP_STEPS, timedTrainS: timedMs / 1000, wallSamplesPerS: timedSamples / ((wallTo - wallFrom) / 1000) };
}

/** One pass over the test set: predict in batches of 1000 and count the argmax hits. */
function inferencePass(model: Sequential, data: BenchData): { seconds: number; accuracy: number } {
  const t0 = performance.now();
  const probs = model.predict(data.testX, { batchSize: INFER_BATCH }).storage;
  let correct = 0;
  for (let i = 0; i < data.testLabels.length; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (probs[i * 10 + c] > probs[i * 10 + best]) best = c;
    if (best === data.testLabels[i]) correct++;
  }
  return { seconds: (performance.now() - t0) / 1000, accuracy: correct / data.testLabels.length };
}

export async function measureModel(name: BenchModelName, seconds: number): Promise<ModelResult> {
  const data = benchData(name);
  const model = buildBenchModel(name);
  const training = await measureTraining(model, data, seconds);
  const trainingRss = process.resourceUsage().maxRSS / 1024;
  const warm = inferencePass(model, data);
  const passes = warm.seconds > SLOW_PASS_S ? [warm] : Array.from({ length: INFER_PASSES }, () => inferencePass(model, data));
  const times = passes.map((p) => p.seconds).sort((a, b) => a - b);
  return {
    framework: 'semiflow',
    model: name,
    kernels: process.env.SEMIFLOW_KERNELS === 'reference' ? 'reference' : 'fast',
    train_samples_per_s: training.trainSamplesPerS,
    timed_steps: training.timedSteps,
    timed_train_s: training.timedTrainS,
    infer_samples_per_s: data.testLabels.length / times[Math.floor(times.length / 2)],
    infer_passes: passes.length,
    test_acc_partial: warm.accuracy,
    peak_rss_training_mb: trainingRss,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}
