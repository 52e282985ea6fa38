// One worker of bench/distributed.ts, started by semiflow-launch and pinned to core RANK: times the all-reduce of
// the MNIST CNN's gradients (as many floats as it has trainable parameters) and then its training, alone (1 rank)
// or data-parallel (fit with the Gloo communicator). Prints one `RESULT {json}` line.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { communicatorFromEnv } from '../packages/gloo/index.ts';
import type { GlooCommunicator } from '../packages/gloo/index.ts';
import type { Communicator } from 'semiflow';
import { benchData } from './data.ts';
import { buildBenchModel } from './models.ts';
import { WARMUP_STEPS, measureTraining } from './train.ts';

const seconds = Number(process.argv[2] ?? 20);
const rank = Number(process.env.RANK);
const size = Number(process.env.WORLD_SIZE);
// One core each: this process and every thread it starts later.
execFileSync('taskset', ['-a', '-c', '-p', String(rank % availableParallelism()), String(process.pid)], { stdio: 'ignore' });

/** The communicator with the time its all-reduces take (to the promise's settling) added up: the wait for the other rank is in it. */
class Timed implements Communicator {
  calls = 0;
  ms = 0;
  constructor(private readonly inner: Communicator) {}
  get rank(): number { return this.inner.rank; }
  get size(): number { return this.inner.size; }
  async allReduceSum(data: Float32Array): Promise<void> {
    const t0 = performance.now();
    await this.inner.allReduceSum(data);
    this.ms += performance.now() - t0;
    this.calls++;
  }
  broadcast(data: Float32Array, root: number): Promise<void> { return this.inner.broadcast(data, root); }
  barrier(): Promise<void> { return this.inner.barrier(); }
  close(): Promise<void> { return this.inner.close(); }
}

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

const timed = comm ? new Timed(comm) : undefined;
const training = await measureTraining(model, benchData('cnn'), seconds, timed ? { distributed: timed } : {});
await comm?.close();
// Per step of fit (the warm-up steps included): gradient buckets, the agreement on stopping, the epoch's logs.
const steps = training.timedSteps + WARMUP_STEPS;
const inFit = timed ? { allReducesPerStep: timed.calls / steps, msPerStep: timed.ms / steps } : undefined;
console.log(`RESULT ${JSON.stringify({ rank, size, params, allReduce, allReduce4MB, timedSteps: training.timedSteps, samplesPerS: training.trainSamplesPerS, wallSamplesPerS: training.wallSamplesPerS, inFit })}`);
