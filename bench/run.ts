// npm run bench: training and inference samples/s, peak RSS and GEMM GFLOP/s; --compare adds the baselines
// of ../shared/baselines/ interleaved with our runs, and ratios. See bench/README.md.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runJob } from './child.ts';
import type { Job } from './child.ts';
import { burnerReport } from './burner.ts';
import { BASELINES, baselineJob, baselinesDir, installHelp, missingBaselines } from './compare.ts';
import type { BaselineName } from './compare.ts';
import { runGemm } from './gemm.ts';
import type { GemmResult } from './gemm.ts';
import { BENCH_MODELS } from './models.ts';
import type { BenchModelName } from './models.ts';
import { profileSteps } from './profile-steps.ts';
import { fmt, gemmTable, resultTables } from './report.ts';
import type { Run } from './report.ts';
import { measureModel } from './train.ts';

const USAGE = `npm run bench -- [options]
  --model mlp|cnn|lstm|all  which models (default all)
  --seconds N            seconds of timed training steps per run (default 20)
  --compare              also run the baselines, interleaved with ours, and print ratios
  --baselines a,b        which baselines with --compare: ${BASELINES.join(', ')} (default all)
  --no-gemm              skip the GEMM micro-benchmark
  --json                 print one JSON object instead of the tables
  --out FILE             also write the report (markdown) to FILE, e.g. bench/RESULTS.md
  --profile              instead: profile a few training steps per model, per primitive and per shape
  --burner               instead: training speed beside a CPU-bound process, against quiet runs`;

/** Profiled training steps per model, about 2 s of work each. */
const PROFILE_STEPS: Readonly<Record<BenchModelName, number>> = { mlp: 50, cnn: 5, lstm: 10 };

function fail(message: string): never {
  console.error(`bench: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseCli() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        model: { type: 'string', default: 'all' },
        seconds: { type: 'string', default: '20' },
        compare: { type: 'boolean', default: false },
        baselines: { type: 'string', default: BASELINES.join(',') },
        'no-gemm': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        out: { type: 'string' },
        profile: { type: 'boolean', default: false },
        burner: { type: 'boolean', default: false },
        child: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const seconds = Number(values.seconds);
  if (!(seconds > 0)) fail(`--seconds must be a positive number, got ${JSON.stringify(values.seconds)}`);
  const models: BenchModelName[] = values.model === 'all' ? [...BENCH_MODELS] : [values.model as BenchModelName];
  if (!models.every((m) => BENCH_MODELS.includes(m))) fail(`--model must be mlp, cnn, lstm or all, got ${JSON.stringify(values.model)}`);
  const baselines = values.baselines.split(',').filter((b) => b !== '') as BaselineName[];
  const unknown = baselines.find((b) => !BASELINES.includes(b));
  if (unknown !== undefined) fail(`unknown baseline '${unknown}'; expected some of ${BASELINES.join(', ')}`);
  return { ...values, seconds, models, baselines: values.compare ? baselines : [] };
}

/** Child mode: one measurement in this process, reported as the baselines report theirs. */
async function child(what: string, seconds: number): Promise<void> {
  if (what === 'gemm') {
    console.log(`RESULT ${JSON.stringify({ framework: 'semiflow', gemm: runGemm() })}`);
    return;
  }
  if (!BENCH_MODELS.includes(what as BenchModelName)) fail(`--child must be mlp, cnn, lstm or gemm, got ${JSON.stringify(what)}`);
  console.log(`RESULT ${JSON.stringify(await measureModel(what as BenchModelName, seconds))}`);
}

/** Our measurement as a fresh process (this script under the same tsx loader), so peak RSS is per model. */
function oursJob(what: BenchModelName | 'gemm', seconds: number): Job {
  const script = fileURLToPath(import.meta.url);
  return { label: `semiflow ${what}`, command: process.execPath, args: [...process.execArgv, script, '--child', what, '--seconds', String(seconds)], timeoutS: seconds + 900 };
}

/** Ours first and last for each model, the baselines between: a drift over the run shows up as two different figures of ours. */
function schedule(models: readonly BenchModelName[], baselines: readonly BaselineName[], seconds: number, dir: string) {
  return models.flatMap((model) => [
    { who: 'semiflow' as const, model, job: oursJob(model, seconds) },
    ...baselines.map((b) => ({ who: b, model, job: baselineJob(b, model, seconds, dir) })),
    ...(baselines.length > 0 ? [{ who: 'semiflow' as const, model, job: oursJob(model, seconds) }] : []),
  ]);
}

/** Where the baselines of these models come from: the shared folder for the MLP and CNN, bench/baselines/ for the LSTM. */
function baselineSources(models: readonly BenchModelName[], dir: string): string {
  const sources = [...(models.some((m) => m !== 'lstm') ? [dir] : []), ...(models.includes('lstm') ? ['bench/baselines/ for the LSTM'] : [])];
  return sources.join(', ');
}

function machine() {
  const cores = cpus();
  return { cpu: cores[0]?.model ?? 'unknown', cores: cores.length, memory_gb: totalmem() / 2 ** 30, node: process.version, load_average: loadavg() };
}

async function main(): Promise<void> {
  const cli = parseCli();
  if (cli.child !== undefined) return child(cli.child, cli.seconds);
  if (cli.profile) {
    const text = [];
    // 100 MLP steps (0.2 s) warm the JIT: after 5, the loss's small kernels still ran several times slower than in a long fit.
    for (const model of cli.models) text.push(await profileSteps(model, PROFILE_STEPS[model], model === 'mlp' ? 100 : 2));
    console.log(text.join('\n\n'));
    if (cli.out !== undefined) writeFileSync(cli.out, `${text.join('\n\n')}\n`);
    return;
  }
  if (cli.burner) {
    const load = (l: number[]): string => l.map((v) => v.toFixed(2)).join(' ');
    const start = loadavg();
    const { text, failed } = await burnerReport(cli.models, (model) => oursJob(model, cli.seconds));
    const report = `${text}\n\nload average (1, 5, 15 min) at the start: ${load(start)}; at the end: ${load(loadavg())}\n`;
    console.log(report);
    if (cli.out !== undefined) writeFileSync(cli.out, report);
    if (failed) process.exitCode = 1;
    return;
  }
  const dir = baselinesDir();
  if (cli.compare) {
    const missing = missingBaselines(dir, cli.baselines, cli.models);
    if (missing.length > 0) {
      console.error(`${missing.map((m) => `- ${m}`).join('\n')}\n\n${installHelp(dir)}`);
      process.exit(1);
    }
  }
  const started = new Date();
  const host = machine();
  const plan = schedule(cli.models, cli.baselines, cli.seconds, dir);
  const runs: Run[] = [];
  for (const [i, step] of plan.entries()) {
    process.stderr.write(`[${i + 1}/${plan.length}] ${step.job.label} ... `);
    const outcome = await runJob(step.job);
    const speed = outcome.ok ? `${fmt(outcome.result.train_samples_per_s as number)} training samples/s` : 'FAILED';
    process.stderr.write(`${speed} (${outcome.wallS.toFixed(0)} s)\n`);
    if (!outcome.ok) console.error(outcome.error);
    runs.push({ who: step.who, model: step.model, outcome });
  }
  let gemm: GemmResult[] | null = null;
  if (!cli['no-gemm']) {
    process.stderr.write('GEMM micro-benchmark ... ');
    const outcome = await runJob(oursJob('gemm', cli.seconds));
    process.stderr.write(outcome.ok ? `done (${outcome.wallS.toFixed(0)} s)\n` : 'FAILED\n');
    if (outcome.ok) gemm = outcome.result.gemm as GemmResult[];
    else console.error(outcome.error);
  }
  const command = `npm run bench --${process.argv.slice(2).map((a) => ` ${a}`).join('')}`;
  const failed = runs.filter((r) => !r.outcome.ok).length + (cli['no-gemm'] || gemm !== null ? 0 : 1);
  if (cli.json) {
    console.log(JSON.stringify({ date: started.toISOString(), command, machine: { ...host, load_average_end: loadavg() }, runs, gemm }, null, 2));
  } else {
    const load = (l: number[]): string => l.map((v) => v.toFixed(2)).join(' ');
    const endLoad = loadavg();
    // Before the first run the load is others' work; at the end it includes ours (up to one runnable thread per core).
    const busy = host.load_average[0] > host.cores / 2 || endLoad[0] > host.cores;
    const report = [
      `# semiflow bench, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      '',
      'What each number means: bench/README.md.',
      '',
      `- command: \`${command}\`${cli.compare ? ` (baselines from ${baselineSources(cli.models, dir)})` : ''}`,
      `- machine: ${host.cpu}, ${host.cores} cores, ${host.memory_gb.toFixed(1)} GB, Node ${host.node}`,
      `- load average (1, 5, 15 min) at the start: ${load(host.load_average)}; at the end: ${load(endLoad)}`,
      `- ${busy ? 'the machine was busy with other work during this run (see the load average), so the absolute figures are low and noisy; ' : ''}compare ratios from one run, not absolute figures across runs`,
      '',
      resultTables(runs, cli.models, cli.baselines),
      ...(gemm === null ? [] : ['', gemmTable(gemm)]),
      '',
    ].join('\n');
    console.log(report);
    if (cli.out !== undefined) writeFileSync(cli.out, report);
  }
  if (failed > 0) process.exitCode = 1;
}

await main();
