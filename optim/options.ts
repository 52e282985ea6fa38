import { ValueError } from '../core/errors.ts';
import { show } from '../core/options.ts';

export { show };

/** A numeric domain and how a message states it. */
export interface Domain {
  readonly text: string;
  readonly test: (x: number) => boolean;
}

export const POSITIVE: Domain = { text: 'a positive finite number', test: (x) => Number.isFinite(x) && x > 0 };
export const NON_NEGATIVE: Domain = { text: 'a finite number >= 0', test: (x) => Number.isFinite(x) && x >= 0 };
/** Decay rates such as beta1: 1 would never forget and would make the bias correction divide by zero. */
export const UNIT_OPEN: Domain = { text: 'a number in [0, 1)', test: (x) => x >= 0 && x < 1 };
export const UNIT_CLOSED: Domain = { text: 'a number in [0, 1]', test: (x) => x >= 0 && x <= 1 };

export function checkNumber(who: string, key: string, value: unknown, domain: Domain): number {
  if (typeof value !== 'number' || !domain.test(value)) {
    throw new ValueError(`${who}: ${key} must be ${domain.text}, got ${show(value)}`);
  }
  return value;
}

export function checkBoolean(who: string, key: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ValueError(`${who}: ${key} must be true or false, got ${show(value)}`);
  return value;
}
