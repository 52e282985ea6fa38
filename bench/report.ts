// The bench's results as markdown tables: samples/s with ratios, peak RSS, accuracy, GEMM GFLOP/s.
import type { JobOutcome } from './child.ts';
import type { BaselineName } from './compare.ts';
import { BASELINE_TITLES } from './compare.ts';
import type { GemmResult } from './gemm.ts';
import type { BenchModelName } from './models.ts';

export type Who = 'semiflow' | BaselineName;

export interface Run {
  who: Who;
  model: BenchModelName;
  outcome: JobOutcome;
}

const SHORT_NAMES: Readonly<Record<BaselineName, string>> = { 'tfjs-wasm': 'tfjs-wasm', 'tfjs-cpu': 'tfjs-cpu', torch: 'PyTorch' };

const MODEL_TITLES: Readonly<Record<BenchModelName, string>> = {
  mlp: 'MLP 784-128-10',
  cnn: 'CNN conv32-pool-conv64-pool-dense128-10',
  lstm: 'LSTM 128 over 28 rows of 28 pixels, dense 10',
};

/** 3 significant digits below 100, whole numbers with separators above. */
export function fmt(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '-';
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
}

const numberAt = (run: Run, key: string): number | null => {
  if (!run.outcome.ok) return null;
  const v = run.outcome.result[key];
  return typeof v === 'number' ? v : null;
};

/** The test accuracy each script reports after its timed steps: partial when training stopped mid-epoch. */
function accuracyOf(run: Run): number | null {
  if (!run.outcome.ok) return null;
  const partial = numberAt(run, 'test_acc_partial');
  if (partial !== null) return partial;
  const byEpoch = run.outcome.result.test_acc_by_epoch;
  return Array.isArray(byEpoch) && typeof byEpoch[byEpoch.length - 1] === 'number' ? byEpoch[byEpoch.length - 1] : null;
}

const mean = (values: readonly number[]): number | null => (values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length);

/** The value for one framework and model: the mean over its runs (semiflow runs before and after the baselines). */
function valueOf(runs: readonly Run[], who: Who, model: BenchModelName, read: (run: Run) => number | null): { value: number | null; each: number[] } {
  const each = runs.filter((r) => r.who === who && r.model === model).map(read).filter((v): v is number => v !== null);
  return { value: mean(each), each };
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** The column title of a baseline, with the version its RESULT line reports. */
function titleOf(runs: readonly Run[], who: BaselineName): string {
  const run = runs.find((r) => r.who === who && r.outcome.ok);
  const version = run?.outcome.ok ? (run.outcome.result.torch_version ?? run.outcome.result.tfjs_version) : undefined;
  if (typeof version !== 'string') return BASELINE_TITLES[who];
  return who === 'torch' ? `PyTorch ${version}` : `tfjs ${version} ${who === 'tfjs-wasm' ? 'wasm' : 'cpu'}`;
}

function metricTable(runs: readonly Run[], models: readonly BenchModelName[], baselines: readonly BaselineName[], read: (run: Run) => number | null, ratios: boolean): string {
  const header = ['model', 'semiflow', ...baselines.map((b) => titleOf(runs, b)), ...(ratios ? baselines.map((b) => `semiflow / ${SHORT_NAMES[b]}`) : [])];
  const rows = models.map((model) => {
    const ours = valueOf(runs, 'semiflow', model, read);
    const oursCell = ours.each.length > 1 ? `**${fmt(ours.value)}** (${ours.each.map(fmt).join(', ')})` : `**${fmt(ours.value)}**`;
    const theirs = baselines.map((b) => valueOf(runs, b, model, read).value);
    const notes = baselines.map((b) => {
      const run = runs.find((r) => r.who === b && r.model === model);
      if (run === undefined) return '';
      if (!run.outcome.ok) return ' (failed)';
      if (!ratios) return '';
      const threads = run.outcome.result.threads;
      return b === 'torch' && typeof threads === 'number' ? ` (${threads} thread${threads > 1 ? 's' : ''})` : '';
    });
    const ratioCells = theirs.map((t) => (ours.value === null || t === null || t === 0 ? '-' : `**${(ours.value / t).toFixed(2)}×**`));
    return [MODEL_TITLES[model], oursCell, ...theirs.map((t, i) => `${fmt(t)}${notes[i]}`), ...(ratios ? ratioCells : [])];
  });
  return table(header, rows);
}

export function resultTables(runs: readonly Run[], models: readonly BenchModelName[], baselines: readonly BaselineName[]): string {
  const compare = baselines.length > 0;
  const rss = (run: Run): number | null => (run.outcome.ok ? run.outcome.peakRssMb : null);
  const acc = (run: Run): number | null => {
    const a = accuracyOf(run);
    return a === null ? null : 100 * a;
  };
  const steps = runs.map((r) => {
    const where = `${r.who} ${r.model}`;
    if (!r.outcome.ok) return `- ${where}: failed: ${r.outcome.error.split('\n')[0]}`;
    return `- ${where}: ${numberAt(r, 'timed_steps') ?? '-'} timed steps in ${fmt(numberAt(r, 'timed_train_s'))} s, ${numberAt(r, 'infer_passes') ?? '-'} timed inference pass(es), ${r.outcome.wallS.toFixed(0)} s in all`;
  });
  return [
    '## Training samples/s (batch 128, Adam 1e-3, timed steps after 5 warm-up steps)',
    '',
    metricTable(runs, models, baselines, (r) => numberAt(r, 'train_samples_per_s'), compare),
    '',
    '## Inference samples/s (the 10,000 test images in batches of 1,000, median pass)',
    '',
    metricTable(runs, models, baselines, (r) => numberAt(r, 'infer_samples_per_s'), compare),
    '',
    '## Peak RSS of the process, MB',
    '',
    metricTable(runs, models, baselines, rss, false),
    '',
    `semiflow's peak when training ended, before inference in batches of 1,000: ${models.map((m) => `${m} ${fmt(valueOf(runs, 'semiflow', m, (r) => numberAt(r, 'peak_rss_training_mb')).value)} MB`).join(', ')}.`,
    '',
    '## Test accuracy after the timed steps, % (training stops at --seconds, so this is not a target)',
    '',
    metricTable(runs, models, baselines, acc, false),
    '',
    '## Runs, in the order they ran',
    '',
    ...steps,
  ].join('\n');
}

export function gemmTable(results: readonly GemmResult[]): string {
  const rows = results.map((r) => [r.label, r.operands, `**${fmt(r.gflops)}**`, fmt(r.referenceGflops), r.referenceGflops === null ? '-' : `${(r.gflops / r.referenceGflops).toFixed(2)}×`]);
  return [
    '## GEMM, GFLOP/s (float32, 2·m·n·k per product, median call)',
    '',
    table(['product', 'operands', 'active kernels', 'plain JS reference', 'speed-up'], rows),
  ].join('\n');
}
