// What bench/web-run.ts asks the bench page (bench.ts) and what it answers.
import type { BenchModelName } from '../models.ts';

export interface BenchConfig {
  framework: 'semiflow' | 'tfjs-wasm';
  /** The browser bench runs the MLP and the CNN (its tfjs models are bench_tfjs.js's). */
  model: Exclude<BenchModelName, 'lstm'>;
  threads: number;
  /** Training stops once the timed steps add up to this. */
  seconds: number;
}

export interface BenchResult {
  samplesPerS: number;
  timedSteps: number;
  /** What the framework says it runs on. */
  backend: string;
}
