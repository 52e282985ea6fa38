import { ConfigError, describeValue } from '../core/errors.ts';
import type { Communicator } from './communicator.ts';

const METHODS = ['allReduceSum', 'broadcast', 'barrier', 'close'] as const;

/** A Communicator as the interface says: an integer size ≥ 1, a rank 0 … size − 1, and the four collective methods. */
export function checkCommunicator(value: unknown, who: string): Communicator {
  const expected = 'a Communicator (rank, size, allReduceSum, broadcast, barrier, close), such as one of localGroup(n) or of the Gloo package';
  if (value === null || typeof value !== 'object') throw new ConfigError(`${who}: distributed must be ${expected}, got ${describeValue(value)}`);
  const c = value as Record<string, unknown>;
  const missing = METHODS.filter((m) => typeof c[m] !== 'function');
  if (missing.length > 0) throw new ConfigError(`${who}: distributed must be ${expected}; it has no method ${missing.join(', ')}`);
  const { rank, size } = c;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) throw new ConfigError(`${who}: distributed.size must be an integer >= 1, got ${describeValue(size)}`);
  if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 0 || rank >= size) {
    throw new ConfigError(`${who}: distributed.rank must be an integer in 0 … ${size - 1} (size ${size}), got ${describeValue(rank)}`);
  }
  return value as Communicator;
}
