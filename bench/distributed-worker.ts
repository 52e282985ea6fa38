// One worker of bench/distributed.ts, started by semiflow-launch and pinned to core RANK: times the all-reduce of
// the MNIST CNN's gradients (as many floats as it has trainable parameters) and then its training, alone (1 rank)
// or data-parallel (fit with the Gloo communicator). Prints one `RESULT {json}` line.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { communicatorFromEnv } from '../packages/gloo/index.ts';
import type { GlooCommunicator } from '../packages/gloo/index.ts';
import { benchData } from './data.ts';
import { buildBenchModel } from './models.ts';
import { measureTraining } from './train.ts';

const seconds = Number(process.argv[2] ?? 20);
const rank = Number(process.env.RANK);
const size = Number(process.env.WORLD_SIZE);
// One core each: this process and every thread it starts later.
execFileSync('taskset', ['-a', '-c', '-p', String(rank % availableParallelism()), String(process.pid)], { stdio: 'ignore' });

/** Median and mean milliseconds of `reps` all-reduces of `n` floats, after 5 untimed ones. */
async function timeAllReduce(comm: GlooCommunicator, n: number, reps: number) {
  const data = new Float32Array(n).fill(1);
  const ms: number[] = [];
  for (let i = 0; i < reps + 5; i++) {
    const t0 = performance.now();
    await comm.allReduceSum(data);
    if (i >= 5) ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(reps / 2)], mean: ms.reduce((a, b) => a + b) / reps };
}

const model = buildBenchModel('cnn');
const params = model.layers.reduce((n, layer) => n + layer.trainableWeights.reduce((m, w) => m + w.value.size, 0), 0);
const comm = size > 1 ? await communicatorFromEnv({ timeoutMs: 120_000 }) : undefined;
const allReduce = comm ? await timeAllReduce(comm, params, 50) : undefined;
const allReduce4MB = comm ? await timeAllReduce(comm, 1 << 20, 20) : undefined;

const training = await measureTraining(model, benchData('cnn'), seconds, comm ? { distributed: comm } : {});
await comm?.close();
console.log(`RESULT ${JSON.stringify({ rank, size, params, allReduce, allReduce4MB, timedSteps: training.timedSteps, samplesPerS: training.trainSamplesPerS, wallSamplesPerS: training.wallSamplesPerS })}`);
