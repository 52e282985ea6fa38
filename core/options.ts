import { ConfigError, ValueError, describeValue } from '../core/errors.ts';

/** Unknown option keys are typos or other libraries' names (`activaton`, `learning_rate`, `lr`): name them, hint at the likely one, list the valid ones. */
export function checkOptionKeys(options: unknown, valid: readonly string[], where: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError(`${where}: options must be an object, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (valid.includes(key)) continue;
    const meant = closeName(key, valid);
    const hint = meant === undefined ? '' : ` (did you mean '${meant}'?)`;
    throw new ConfigError(`${where}: unknown option '${key}'${hint}; valid options are ${valid.join(', ')}`);
  }
}

/**
 * The valid name a wrong key most likely meant, tried in this order: its camelCase form (learning_rate), the same
 * letters in another case (learningrate), its initials (lr for learningRate), a prefix of three letters or more
 * (sep for separator), else the nearest name within one edit per four letters (patiance).
 */
export function closeName(key: string, valid: readonly string[]): string | undefined {
  const camel = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const lower = camel.toLowerCase();
  const initials = (name: string) => (name[0] + name.slice(1).replace(/[^A-Z]/g, '')).toLowerCase();
  const found = valid.find((name) => name === camel)
    ?? valid.find((name) => name.toLowerCase() === lower)
    ?? (lower.length >= 2 ? valid.find((name) => initials(name) === lower) : undefined)
    ?? (lower.length >= 3 ? valid.find((name) => name.toLowerCase().startsWith(lower)) : undefined);
  if (found !== undefined) return found;
  const limit = Math.max(1, Math.floor(key.length / 4));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const name of valid) {
    const d = editDistance(lower, name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

/** Levenshtein distance: insertions, deletions and substitutions, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length];
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
