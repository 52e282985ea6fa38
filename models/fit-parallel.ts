import type { Compiled } from './compile.ts';
import type { RunningLogs } from './inference.ts';
import type { Model } from './model.ts';
import type { StepBatch } from './train-step.ts';
import { trainStep } from './train-step.ts';

/**
 * What fit's loop asks of the ranks it trains with: one process alone (soloFit), or a data-parallel group
 * (dataParallel, models/data-parallel.ts). The loop is the same; only these steps differ.
 */
export interface FitParallel {
  /** The rank that shows progress and writes files (ModelCheckpoint, CSVLogger, the report): always true alone. */
  readonly chief: boolean;
  /** The seed every rank shuffles with. */
  readonly seed: number;
  /** Where this rank's rows sit in a batch or in the validation data, if it holds a share of them. */
  readonly shard: { rank: number; size: number } | undefined;
  /** One training step on this rank's rows; the batch's loss (over all ranks). */
  step(running: RunningLogs, take: () => StepBatch, rows: number): number | Promise<number>;
  /** A batch's logs: alone, the running figures; in a group, the loss over all ranks and this rank's metrics. */
  batchLogs(running: RunningLogs): Record<string, number>;
  /** True on every rank if a callback on any rank stopped training. */
  agreeStop(stop: boolean): boolean | Promise<boolean>;
  /** The logs of `samples` rows, as the mean over every rank's. */
  reduceLogs(logs: Record<string, number>, samples: number): Record<string, number> | Promise<Record<string, number>>;
}

/** fit in one process: the plain training step, nothing to agree on. */
export function soloFit(model: Model, compiled: Compiled, seed: number): FitParallel {
  const step = trainStep(model, compiled);
  return {
    chief: true,
    seed,
    shard: undefined,
    step: (running, take) => step(seed, running, take),
    batchLogs: (running) => running.logs,
    agreeStop: (stop) => stop,
    reduceLogs: (logs) => logs,
  };
}
