import { ConfigError, describeValue } from '../../core/errors.ts';
import type { Constraint } from '../../layers/constraints.ts';
import { constraints } from '../../layers/constraints.ts';
import type { WeightRules } from '../../layers/penalties.ts';
import type { Regularizer } from '../../layers/regularizers.ts';
import { regularizers } from '../../layers/regularizers.ts';
import type { JsonObject, JsonValue } from './names.ts';
import { camelCase, isJsonObject, snakeCase } from './names.ts';

// Regularizers and constraints as Keras and tfjs write them: {class_name, config} with snake_case keys.
// A regularizer is always written as L1L2, the one class tfjs reads; Keras 3's L1 and L2 are read too.

export function regularizerToJson(r: Regularizer | undefined): JsonValue {
  return r === undefined ? null : { class_name: 'L1L2', config: { l1: r.l1, l2: r.l2 } };
}

export function regularizerFromJson(value: JsonValue | undefined, where: string): Regularizer | undefined {
  if (value === undefined || value === null) return undefined;
  const { className, config } = classAndConfig(value, 'a regularizer', where);
  const coefficient = (key: string): number => {
    const v = config[key] ?? 0;
    if (typeof v !== 'number') throw new ConfigError(`${where}: ${key} must be a number, got ${describeValue(v)}`);
    return v;
  };
  try {
    if (className === 'L1L2' || className === 'L1' || className === 'L2') return regularizers.l1l2({ l1: coefficient('l1'), l2: coefficient('l2') });
  } catch (error) {
    throw new ConfigError(`${where}: cannot rebuild regularizer ${className}: ${(error as Error).message}`);
  }
  throw new ConfigError(`${where}: unknown regularizer '${className}' (semiflow reads L1L2, L1 and L2)`);
}

const CONSTRAINT_CLASSES: Readonly<Record<Constraint['name'], string>> = { maxNorm: 'MaxNorm', nonNeg: 'NonNeg', unitNorm: 'UnitNorm', minMaxNorm: 'MinMaxNorm' };

export function constraintToJson(c: Constraint | undefined): JsonValue {
  if (c === undefined) return null;
  const config = Object.fromEntries(Object.entries(c.config).map(([k, v]) => [snakeCase(k), typeof v === 'number' ? v : [...v]]));
  return { class_name: CONSTRAINT_CLASSES[c.name], config };
}

export function constraintFromJson(value: JsonValue | undefined, where: string): Constraint | undefined {
  if (value === undefined || value === null) return undefined;
  const { className, config } = classAndConfig(value, 'a constraint', where);
  const name = (Object.keys(CONSTRAINT_CLASSES) as Constraint['name'][]).find((n) => CONSTRAINT_CLASSES[n] === className);
  if (name === undefined) throw new ConfigError(`${where}: unknown constraint '${className}' (semiflow reads ${Object.values(CONSTRAINT_CLASSES).join(', ')})`);
  const options = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== null).map(([k, v]) => [camelCase(k), v]));
  try {
    return name === 'nonNeg' ? constraints.nonNeg() : (constraints[name] as (o: object) => Constraint)(options);
  } catch (error) {
    throw new ConfigError(`${where}: cannot rebuild constraint ${className}: ${(error as Error).message}`);
  }
}

function classAndConfig(value: JsonValue, what: string, where: string): { className: string; config: JsonObject } {
  if (!isJsonObject(value) || typeof value.class_name !== 'string') throw new ConfigError(`${where}: ${what} must be {class_name, config}, got ${describeValue(value)}`);
  return { className: value.class_name, config: isJsonObject(value.config) ? value.config : {} };
}

/** A layer's `<prefix>_regularizer` and `<prefix>_constraint` keys, and its activity_regularizer. */
export function rulesToJson(rules: Readonly<Record<string, WeightRules>>, activity: Regularizer | undefined): JsonObject {
  const json: Record<string, JsonValue> = { activity_regularizer: regularizerToJson(activity) };
  for (const [prefix, rule] of Object.entries(rules)) {
    json[`${snakeCase(prefix)}_regularizer`] = regularizerToJson(rule.regularizer);
    json[`${snakeCase(prefix)}_constraint`] = constraintToJson(rule.constraint);
  }
  return json;
}

/** The constructor options those keys give back: kernelRegularizer, kernelConstraint, …, activityRegularizer. */
export function rulesFromJson(config: JsonObject, prefixes: readonly string[], where: string): Record<string, Regularizer | Constraint> {
  const options: Record<string, Regularizer | Constraint> = {};
  const set = (key: string, value: Regularizer | Constraint | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('activityRegularizer', regularizerFromJson(config.activity_regularizer, `${where}: activity_regularizer`));
  for (const p of prefixes) {
    const key = snakeCase(p);
    set(`${p}Regularizer`, regularizerFromJson(config[`${key}_regularizer`], `${where}: ${key}_regularizer`));
    set(`${p}Constraint`, constraintFromJson(config[`${key}_constraint`], `${where}: ${key}_constraint`));
  }
  return options;
}
