// The command-line flags every example takes: --epochs N and --batch-size N.
import { parseArgs } from 'node:util';

export interface ExampleArgs {
  epochs: number;
  batchSize: number;
}

function positive(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
}

export function exampleArgs(defaults: ExampleArgs): ExampleArgs {
  const { values } = parseArgs({ options: { epochs: { type: 'string' }, 'batch-size': { type: 'string' } } });
  return {
    epochs: positive(values.epochs, '--epochs', defaults.epochs),
    batchSize: positive(values['batch-size'], '--batch-size', defaults.batchSize),
  };
}
