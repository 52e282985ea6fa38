// npm run soak: a long training run through model.fit that samples the process's memory every `every` steps
// and checks that it stays flat after warm-up. Not a CI test: the MLP's 20,000 steps take minutes. See bench/README.md.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { gemmInfo } from '../core/kernels/fast/matmul.ts';
import { benchData } from './data.ts';
import { BATCH_SIZE, buildBenchModel } from './models.ts';
import type { BenchModelName } from './models.ts';

/** The models a soak has defaults for (the LSTM's were never measured). */
type SoakModel = Exclude<BenchModelName, 'lstm'>;

/**
 * Warm-up: the buffer pool fills, the WebAssembly memory grows to the largest product, V8 optimises the hot
 * loops; growth is measured only after it. Heap snapshots between samples show no JS objects accumulating, only
 * V8's optimised code and its deopt data, at a slowing rate: on the MLP until about step 4,000, on the CNN
 * (fewer steps per call site) 0.28 MB from step 1,000 to 1,800 and 0.11 MB from 2,000 to 4,000.
 */
const DEFAULTS: Readonly<Record<SoakModel, { steps: number; every: number; warmup: number }>> = {
  mlp: { steps: 20_000, every: 1_000, warmup: 5_000 },
  cnn: { steps: 6_000, every: 300, warmup: 3_000 },
};

const SETTLE_MS = 50;

/** Growth after warm-up at or above this, for any series, is a leak. */
const FLAT_PERCENT = 1;

const USAGE = `npm run soak -- [options]
  --model mlp|cnn   the bench model to train (default mlp)
  --steps N         training steps (default 20000 for the MLP, 6000 for the CNN)
  --every N         steps between memory samples (default 1000; 300 for the CNN)
  --warmup N        steps left out of the fit (default 5000; 3000 for the CNN)`;

const SERIES = ['rss', 'heapUsed', 'external', 'arrayBuffers'] as const;
type Series = (typeof SERIES)[number];

interface Sample extends Record<Series, number> {
  step: number;
}

function fail(message: string): never {
  console.error(`soak: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseCli() {
  let values;
  try {
    ({ values } = parseArgs({ options: { model: { type: 'string', default: 'mlp' }, steps: { type: 'string' }, every: { type: 'string' }, warmup: { type: 'string' } } }));
  } catch (error) {
    fail((error as Error).message);
  }
  const model = values.model as SoakModel;
  if (!Object.hasOwn(DEFAULTS, model)) fail(`--model must be mlp or cnn, got ${JSON.stringify(values.model)}`);
  const count = (key: 'steps' | 'every' | 'warmup'): number => {
    const raw = values[key];
    if (raw === undefined) return DEFAULTS[model][key];
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) fail(`--${key} must be a non-negative integer, got ${JSON.stringify(raw)}`);
    return n;
  };
  const settings = { model, steps: count('steps'), every: count('every'), warmup: count('warmup') };
  if (settings.every < 1 || settings.warmup % settings.every !== 0) fail(`--warmup (${settings.warmup}) must be a multiple of --every (${settings.every})`);
  if (settings.steps < settings.warmup + 2 * settings.every) fail(`--steps (${settings.steps}) must leave at least 2 samples after --warmup (${settings.warmup})`);
  return settings;
}

/** Least-squares slope of ys against xs. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const my = ys.reduce((s, v) => s + v, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i] - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

/**
 * A full GC, then a pause and another: V8 frees ArrayBuffer backing stores on a concurrent sweeper after the
 * GC, and without the pause `external` jumps by tens of MB from one sample to the next.
 */
async function settle(gc: (() => void) | undefined): Promise<void> {
  if (gc === undefined) return;
  gc();
  await sleep(SETTLE_MS);
  gc();
}

const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;

async function main(): Promise<void> {
  const { model: name, steps, every, warmup } = parseCli();
  const gc = (globalThis as { gc?: () => void }).gc;
  const data = benchData(name);
  const model = buildBenchModel(name);
  const perEpoch = Math.ceil(data.trainX.shape[0] / BATCH_SIZE);
  console.log(`soak: ${name}, ${steps} steps of batch ${BATCH_SIZE} (${perEpoch} per epoch), a sample every ${every}, warm-up ${warmup}; `
    + `node ${process.version}, GEMM ${JSON.stringify(gemmInfo())}, ${gc ? 'a full GC before each sample' : 'no --expose-gc: samples without a GC, expect noise'}, `
    + `MALLOC_MMAP_THRESHOLD_ ${process.env.MALLOC_MMAP_THRESHOLD_ ?? 'unset: RSS keeps freed blocks, expect jumps'}`);
  console.log(row(['step', 'rss MB', 'heap MB', 'external MB', 'arrayBuffers MB', 'steps/s']));
  console.log(row(['---', '---', '---', '---', '---', '---']));

  const samples: Sample[] = [];
  let done = 0;
  let since = performance.now();
  await model.fit(data.trainX, data.trainY, {
    batchSize: BATCH_SIZE,
    epochs: Math.ceil(steps / perEpoch),
    verbose: 0,
    callbacks: {
      onBatchEnd: async (_batch, logs) => {
        done++;
        if (!Number.isFinite(logs?.loss)) throw new Error(`soak: the loss is ${String(logs?.loss)} at step ${done}`);
        if (done % every === 0) {
          const stepsPerS = every / ((performance.now() - since) / 1000);
          await settle(gc);
          const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
          samples.push({ step: done, rss, heapUsed, external, arrayBuffers });
          console.log(row([String(done), mb(rss), mb(heapUsed), mb(external), mb(arrayBuffers), stepsPerS.toFixed(0)]));
          since = performance.now();
        }
        if (done >= steps) model.stopTraining = true;
      },
    },
  });

  // growth = slope · (steps after warm-up) / value at the end of warm-up
  const after = samples.filter((s) => s.step >= warmup);
  const start = after[0];
  const span = after[after.length - 1].step - start.step;
  const growths = SERIES.map((series) => {
    const perStep = slope(after.map((s) => s.step), after.map((s) => s[series]));
    return { series, base: start[series], perStep, percent: (100 * perStep * span) / start[series] };
  });
  console.log(`\nAfter warm-up (steps ${start.step}–${start.step + span}, ${after.length} samples, least-squares line):`);
  console.log(row(['series', `MB at step ${start.step}`, 'slope MB / 1000 steps', 'growth %']));
  console.log(row(['---', '---', '---', '---']));
  for (const g of growths) console.log(row([g.series, mb(g.base), (g.perStep * 1000 / 2 ** 20).toFixed(3), g.percent.toFixed(2)]));
  const flat = growths.every((g) => g.percent < FLAT_PERCENT);
  const worst = growths.reduce((a, b) => (b.percent > a.percent ? b : a));
  console.log(`\nverdict: ${flat ? 'flat' : 'NOT flat'}: largest growth ${worst.series} ${worst.percent.toFixed(2)}% ${flat ? '<' : '>='} ${FLAT_PERCENT}%`);
  if (!flat) process.exitCode = 1;
}

await main();
