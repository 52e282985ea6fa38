// The command-line flags every example takes: --epochs N, --batch-size N and --seed N (the model's seed).
import { parseArgs } from 'node:util';

export interface ExampleArgs {
  epochs: number;
  batchSize: number;
  seed: number;
}

function integer(value: string | undefined, flag: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    console.error(`${flag} must be an integer of at least ${min}, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
}

export function exampleArgs(defaults: Omit<ExampleArgs, 'seed'> & { seed?: number }): ExampleArgs {
  const { values } = parseArgs({ options: { epochs: { type: 'string' }, 'batch-size': { type: 'string' }, seed: { type: 'string' } } });
  return {
    epochs: integer(values.epochs, '--epochs', defaults.epochs, 1),
    batchSize: integer(values['batch-size'], '--batch-size', defaults.batchSize, 1),
    seed: integer(values.seed, '--seed', defaults.seed ?? 42, 0),
  };
}
