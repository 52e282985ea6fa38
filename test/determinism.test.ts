// One seed, one run: short MNIST trainings repeated in child processes (fast kernels, threaded GEMM) give the
// same weight and optimizer bytes, and every source of randomness (initializers, Dropout, shuffling) follows the seed.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Dense, Dropout, Rng, Sequential, initializers, randomNormal, setSeed } from 'semiflow';
import type { Initializer, Tensor } from 'semiflow';
import type { GemmInfo } from '../core/kernels/fast/matmul.ts';
import type { RunResult, RunSettings } from './fixtures/train-run.ts';
import { hashTensors, trainRun } from './fixtures/train-run.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = fileURLToPath(new URL('./fixtures/train-run.ts', import.meta.url));

interface ChildResult extends RunResult {
  gemm: GemmInfo;
  pool: { runs: number; workerPieces: number };
}

interface ChildRun extends RunSettings {
  threads: number;
}

function runChild({ model, seed, seedVia, steps, threads }: ChildRun): Promise<ChildResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, SEMIFLOW_THREADS: String(threads) };
  delete env.SEMIFLOW_KERNELS;
  const args = ['--import', 'tsx', script, '--model', model, '--seed', String(seed), '--seed-via', seedVia, '--steps', String(steps)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && stderr === '') resolve(JSON.parse(stdout) as ChildResult);
      else reject(new Error(`train-run ${args.slice(3).join(' ')} exited with ${code}: ${stderr}`));
    });
  });
}

const MLP = { model: 'mlp', steps: 16 } as const;
const CNN = { model: 'cnn', steps: 4 } as const;
const RUNS = {
  globalA: { ...MLP, seed: 7, seedVia: 'global', threads: 2 },
  globalB: { ...MLP, seed: 7, seedVia: 'global', threads: 2 },
  globalOther: { ...MLP, seed: 8, seedVia: 'global', threads: 2 },
  modelA: { ...MLP, seed: 7, seedVia: 'model', threads: 2 },
  modelB: { ...MLP, seed: 7, seedVia: 'model', threads: 2 },
  modelOther: { ...MLP, seed: 8, seedVia: 'model', threads: 2 },
  modelOneThread: { ...MLP, seed: 7, seedVia: 'model', threads: 1 },
  cnnA: { ...CNN, seed: 7, seedVia: 'model', threads: 2 },
  cnnB: { ...CNN, seed: 7, seedVia: 'model', threads: 2 },
  cnnOneThread: { ...CNN, seed: 7, seedVia: 'model', threads: 1 },
} satisfies Record<string, ChildRun>;
type RunName = keyof typeof RUNS;

/** Two children at a time: each has two GEMM threads, and the machine may have only two cores. */
async function runAll(): Promise<Record<RunName, ChildResult>> {
  const names = Object.keys(RUNS) as RunName[];
  const results: Partial<Record<RunName, ChildResult>> = {};
  const lane = async (): Promise<void> => {
    for (let name = names.shift(); name !== undefined; name = names.shift()) results[name] = await runChild(RUNS[name]);
  };
  await Promise.all([lane(), lane()]);
  return results as Record<RunName, ChildResult>;
}

const sameRun = (r: ChildResult) => ({ weights: r.weights, optimizer: r.optimizer, step: r.step, loss: r.loss, perWeight: r.perWeight });

describe('training in separate processes', () => {
  let runs: Record<RunName, ChildResult>;
  beforeAll(async () => {
    runs = await runAll();
  }, 120_000);

  it('ran on the WebAssembly GEMM with two threads whose workers took pieces, or on one thread without the pool', () => {
    for (const name of ['globalA', 'modelA', 'cnnA'] as const) {
      expect(runs[name].gemm).toMatchObject({ simd: true, threads: 2 });
      expect(runs[name].pool.runs).toBeGreaterThan(0);
      expect(runs[name].pool.workerPieces).toBeGreaterThan(0);
    }
    for (const name of ['modelOneThread', 'cnnOneThread'] as const) {
      expect(runs[name].gemm).toMatchObject({ simd: true, threads: 1 });
      expect(runs[name].pool.runs).toBe(0);
    }
    expect(runs.modelA.step).toBe(16);
    expect(runs.cnnA.step).toBe(4);
  });

  it('setSeed(n) gives the same weights, optimizer state and loss in two processes', () => {
    expect(sameRun(runs.globalB)).toEqual(sameRun(runs.globalA));
    expect(Number.isFinite(runs.globalA.loss)).toBe(true);
  });

  it('Sequential({ seed }) gives the same weights, optimizer state and loss in two processes', () => {
    expect(sameRun(runs.modelB)).toEqual(sameRun(runs.modelA));
    expect(sameRun(runs.cnnB)).toEqual(sameRun(runs.cnnA));
  });

  it('another seed gives other bytes in every weight', () => {
    for (const [a, b] of [[runs.globalA, runs.globalOther], [runs.modelA, runs.modelOther]] as const) {
      expect(b.weights).not.toBe(a.weights);
      expect(b.optimizer).not.toBe(a.optimizer);
      b.perWeight.forEach((hash, i) => expect(hash).not.toBe(a.perWeight[i]));
    }
  });

  it('one GEMM thread gives the same bytes as two', () => {
    expect(sameRun(runs.modelOneThread)).toEqual(sameRun(runs.modelA));
    expect(sameRun(runs.cnnOneThread)).toEqual(sameRun(runs.cnnA));
  });

  it('the same run in this process gives the same bytes as the children', async () => {
    expect(await trainRun(RUNS.modelA)).toEqual(sameRun(runs.modelA));
    expect(await trainRun(RUNS.globalA)).toEqual(sameRun(runs.globalA));
  });
});

describe('initializers take their randomness from the seed', () => {
  const factories = initializers as Readonly<Record<string, (options?: { seed?: number }) => Initializer>>;
  const names = Object.keys(factories);
  const random = names.filter((name) => 'seed' in factories[name]().config);
  const shape = [6, 5, 4, 8];

  it('every initializer with a seed option is random, the others are constant', () => {
    expect(random).toEqual(['randomNormal', 'randomUniform', 'truncatedNormal', 'varianceScaling',
      'glorotUniform', 'glorotNormal', 'heNormal', 'heUniform', 'lecunNormal', 'lecunUniform', 'orthogonal']);
    for (const name of names.filter((n) => !random.includes(n))) {
      const values = factories[name]().create(shape, 'float32', new Rng(1)).toArray() as unknown;
      const flat = [values].flat(Infinity) as number[];
      expect(new Set(flat).size, name).toBe(1);
      expect(factories[name]().create(shape, 'float32', new Rng(2)).toArray(), name).toEqual(values);
    }
  });

  it.each(random)('%s: its own seed fixes the values, whatever generator it is given', (name) => {
    const make = (seed: number, rngSeed: number) => factories[name]({ seed }).create(shape, 'float32', new Rng(rngSeed));
    expect(hashTensors([make(3, 1)])).toBe(hashTensors([make(3, 2)]));
    expect(hashTensors([make(4, 1)])).not.toBe(hashTensors([make(3, 1)]));
  });

  it.each(random)('%s: without a seed it draws from the generator it is given', (name) => {
    const make = (rngSeed: number) => factories[name]().create(shape, 'float32', new Rng(rngSeed));
    expect(hashTensors([make(5)])).toBe(hashTensors([make(5)]));
    expect(hashTensors([make(6)])).not.toBe(hashTensors([make(5)]));
  });

  it.each(random)('%s: without a seed, a layer built outside a model follows setSeed', (name) => {
    const kernel = (seed: number) => {
      setSeed(seed);
      const layer = new Dense(8, { kernelInitializer: factories[name]() });
      layer.apply(randomNormal([2, 5], { seed: 0 }));
      return hashTensors([layer.weights[0].value]);
    };
    expect(kernel(5)).toBe(kernel(5));
    expect(kernel(6)).not.toBe(kernel(5));
  });
});

const x = randomNormal([48, 3], { seed: 100 });
const y = randomNormal([48, 2], { seed: 101 });

interface SmallModel {
  modelSeed?: number;
  dropout?: Dropout;
  /** Start from these weights instead of the seed's. */
  weights?: readonly Tensor[];
}

function smallModel({ modelSeed, dropout, weights }: SmallModel): Sequential {
  const model = new Sequential(modelSeed === undefined ? {} : { seed: modelSeed });
  model.add(new Dense(16, { activation: 'relu', inputShape: [3] }));
  if (dropout !== undefined) model.add(dropout);
  model.add(new Dense(2));
  model.compile({ optimizer: 'sgd', loss: 'mse' });
  if (weights !== undefined) model.setWeights(weights);
  return model;
}

async function trained(model: Sequential, fit: { seed?: number; shuffle?: boolean } = {}): Promise<string> {
  await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, ...fit });
  return hashTensors(model.getWeights());
}

describe('fit takes shuffling and dropout from the seed', () => {
  const start = smallModel({ modelSeed: 1 }).getWeights();

  it('shuffling follows fit\'s seed, and only the shuffle uses it without dropout', async () => {
    const run = (seed: number, shuffle = true) => trained(smallModel({ weights: start }), { seed, shuffle });
    expect(await run(3)).toBe(await run(3));
    expect(await run(4)).not.toBe(await run(3));
    expect(await run(4, false)).toBe(await run(3, false));
  });

  it('shuffling follows the model\'s seed when fit has none', async () => {
    const run = (modelSeed: number, shuffle = true) => trained(smallModel({ modelSeed, weights: start }), { shuffle });
    expect(await run(1)).toBe(await run(1));
    expect(await run(2)).not.toBe(await run(1));
    expect(await run(2, false)).toBe(await run(1, false));
  });

  it('an unseeded model follows setSeed: initialisation and shuffling', async () => {
    const run = (seed: number) => {
      setSeed(seed);
      return trained(smallModel({}));
    };
    expect(await run(5)).toBe(await run(5));
    expect(await run(6)).not.toBe(await run(5));
    const shuffled = (seed: number, shuffle: boolean) => {
      setSeed(seed);
      return trained(smallModel({ weights: start }), { shuffle });
    };
    expect(await shuffled(6, true)).not.toBe(await shuffled(5, true));
    expect(await shuffled(6, false)).toBe(await shuffled(5, false));
  });

  it('Dropout\'s masks follow the model\'s seed; a rate of 0 shows they are what differs', async () => {
    const run = (modelSeed: number, rate: number) => trained(smallModel({ modelSeed, weights: start, dropout: new Dropout(rate) }), { shuffle: false });
    expect(await run(1, 0.5)).toBe(await run(1, 0.5));
    expect(await run(2, 0.5)).not.toBe(await run(1, 0.5));
    expect(await run(2, 0)).toBe(await run(1, 0));
  });

  it('a Dropout with its own seed draws the same masks under any model seed', async () => {
    const run = (modelSeed: number) => trained(smallModel({ modelSeed, weights: start, dropout: new Dropout(0.5, { seed: 9 }) }), { shuffle: false });
    expect(await run(2)).toBe(await run(1));
    const unseeded = await trained(smallModel({ modelSeed: 1, weights: start, dropout: new Dropout(0.5) }), { shuffle: false });
    expect(unseeded).not.toBe(await run(1));
  });

  it('Dropout outside fit draws from the generator it is given, else from setSeed\'s', () => {
    const h = randomNormal([16, 32], { seed: 7 });
    const mask = (rng?: Rng) => hashTensors([new Dropout(0.5).apply(h, { training: true, rng })]);
    expect(mask(new Rng(3))).toBe(mask(new Rng(3)));
    expect(mask(new Rng(4))).not.toBe(mask(new Rng(3)));
    const global = (seed: number) => {
      setSeed(seed);
      return mask();
    };
    expect(global(5)).toBe(global(5));
    expect(global(6)).not.toBe(global(5));
  });
});
