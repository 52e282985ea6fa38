// Spelling conversions between semiflow's camelCase and the snake_case keys and values of Keras / tfjs JSON.

/** 'useBias' → 'use_bias', 'fanAvg' → 'fan_avg'. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** 'use_bias' → 'useBias'; a name without '_' is returned as it is. */
export function camelCase(name: string): string {
  return name.replace(/_+([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
}

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Every object key converted by `convert`, recursively; values are left as they are. */
export function convertKeys(value: JsonValue, convert: (key: string) => string): JsonValue {
  if (Array.isArray(value)) return value.map((v: JsonValue) => convertKeys(v, convert));
  if (isJsonObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [convert(k), convertKeys(v, convert)]));
  return value;
}
