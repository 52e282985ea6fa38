import { ConfigError, ValueError, describeValue } from '../core/errors.ts';

/** Unknown option keys are typos (`activaton`, `learning_rate`): name them, hint at the camelCase form, list the valid ones. */
export function checkOptionKeys(options: unknown, valid: readonly string[], where: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError(`${where}: options must be an object, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (valid.includes(key)) continue;
    const camel = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    const hint = camel !== key && valid.includes(camel) ? ` (did you mean '${camel}'?)` : '';
    throw new ConfigError(`${where}: unknown option '${key}'${hint}; valid options are ${valid.join(', ')}`);
  }
}

/** How a message shows a given value: numbers as JS prints them (NaN, -1), anything else by describeValue, so '1' does not pass for 1. */
export function show(value: unknown): string {
  return typeof value === 'number' ? String(value) : describeValue(value);
}

export function positiveInt(value: unknown, name: string, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ValueError(`${where}: ${name} must be a positive integer, got ${describeValue(value)}`);
  }
  return value;
}

export type Pair = readonly [number, number];

/** A size given as n or [h, w]. */
export function positivePair(value: unknown, name: string, where: string): Pair {
  const pair = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(pair) || pair.length !== 2) {
    throw new ValueError(`${where}: ${name} must be a positive integer or a pair of them, got ${describeValue(value)}`);
  }
  return [positiveInt(pair[0], name, where), positiveInt(pair[1], name, where)];
}

export function trueOrFalse(value: unknown, name: string, where: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(`${where}: ${name} must be true or false, got ${describeValue(value)}`);
  return value;
}

export function oneOf<T extends string>(value: unknown, choices: readonly T[], name: string, where: string): T {
  if (!choices.includes(value as T)) {
    throw new ConfigError(`${where}: ${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describeValue(value)}`);
  }
  return value as T;
}
