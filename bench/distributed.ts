// Data-parallel scaling of the MNIST CNN on this machine: samples/s of 1 process against 2 (each pinned to a core of
// its own, one GEMM thread each, global batch 128), and the all-reduce time of one step's gradients between the 2.
//   npx tsx -C semiflow-src bench/distributed.ts [--seconds 20]   (needs `npm run build:gloo`)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseResult } from './child.ts';

const at = process.argv.indexOf('--seconds');
const seconds = at > 0 ? Number(process.argv[at + 1]) : 20;
const launcher = fileURLToPath(new URL('../bin/semiflow-launch.mjs', import.meta.url));
const worker = fileURLToPath(new URL('./distributed-worker.ts', import.meta.url));

interface WorkerResult {
  rank: number;
  params: number;
  samplesPerS: number;
  wallSamplesPerS: number;
  timedSteps: number;
  allReduce?: { median: number; mean: number };
  allReduce4MB?: { median: number; mean: number };
  inFit?: { allReducesPerStep: number; msPerStep: number };
}

/** Rank 0's RESULT of a job of n workers. */
function run(n: number): WorkerResult {
  const env = { ...process.env, SEMIFLOW_THREADS: '1', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=semiflow-src`.trim() };
  const job = spawnSync(process.execPath, [launcher, '-n', String(n), worker, String(seconds)], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (job.status !== 0) throw new Error(`bench/distributed: ${n} workers failed:\n${job.stdout}\n${job.stderr}`);
  const line = job.stdout.split('\n').filter((l) => l.startsWith('[rank 0] ')).map((l) => l.slice('[rank 0] '.length)).join('\n');
  return parseResult(line) as unknown as WorkerResult;
}

const one = run(1);
const two = run(2);
const ms = (t: { median: number; mean: number } | undefined) => (t ? `${t.median.toFixed(2)} ms (mean ${t.mean.toFixed(2)})` : '—');
const mb = (two.params * 4) / 2 ** 20;
console.log(`MNIST CNN, ${two.params.toLocaleString('en')} parameters (${mb.toFixed(2)} MB of float32 gradients per step), global batch 128, ${seconds} s of timed steps`);
console.log(`| processes | samples/s (steps alone) | samples/s (wall) | timed steps |\n| --- | --- | --- | --- |`);
const row = (label: string, r: WorkerResult) => console.log(`| ${label} | ${r.samplesPerS.toFixed(0)} | ${r.wallSamplesPerS.toFixed(0)} | ${r.timedSteps} |`);
row('1 (1 core)', one);
row('2 (1 core each, Gloo over loopback)', two);
console.log(`speed-up ${(two.samplesPerS / one.samplesPerS).toFixed(2)}× (steps alone), ${(two.wallSamplesPerS / one.wallSamplesPerS).toFixed(2)}× (wall)`);
console.log(`all-reduce of the gradients alone: ${ms(two.allReduce)}; of 4 MB: ${ms(two.allReduce4MB)}`);
const inFit = two.inFit;
if (inFit) console.log(`in fit, per step: ${inFit.allReducesPerStep.toFixed(1)} all-reduces taking ${inFit.msPerStep.toFixed(1)} ms of the ${(128_000 / two.wallSamplesPerS).toFixed(0)} ms step (waits for the other rank included)`);
