import { ConfigError } from '../core/errors.ts';

/** 'glorot_uniform' → 'glorotUniform': Keras's snake_case names map onto ours. */
function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The entry of `table` named `name`, as written (aliases like 'mse') or after snake_case → camelCase.
 * An unknown name is a ConfigError from `where` that lists the valid names.
 */
export function lookupName<T>(table: Readonly<Record<string, T>>, name: string, kind: string, where: string): T {
  for (const key of [name, camelCase(name)]) {
    if (Object.hasOwn(table, key)) return table[key];
  }
  throw new ConfigError(
    `${where}: unknown ${kind} '${name}' (expected one of ${Object.keys(table).join(', ')}; snake_case spellings work too)`,
  );
}
