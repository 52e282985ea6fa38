import { add, div } from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import type { Constraint, ConstraintSpec } from './constraints.ts';
import { getConstraint } from './constraints.ts';
import type { Regularizer, RegularizerSpec } from './regularizers.ts';
import { describeRegularizer, getRegularizer } from './regularizers.ts';

// How regularizers reach the training loss and constraints the weights, without the layers knowing about fit:
// fit runs its forward pass under withPenalties, and every layer's apply reports to it (recordPenalties).

/** What this file reads of a layer (a structural view, so that layer.ts can import this file). */
interface Regularized {
  readonly name: string;
  readonly activityRegularizer: Regularizer | undefined;
  readonly trainableWeights: readonly { readonly name: string; readonly value: Tensor; readonly regularizer?: Regularizer; readonly constraint?: Constraint }[];
}

interface Collector {
  /** The weights whose penalty is in `terms`: a wrapper and the layer it wraps share weights, counted once. */
  readonly seen: Set<object>;
  readonly terms: Tensor[];
}

let active: Collector | undefined;

/**
 * Runs fn (a training forward pass) and returns its value with the sum of the penalties the layers reported, or
 * undefined if none: each weight regularizer once however often its layer is called (as Keras), and each
 * activity regularizer once per call, divided by the batch size (tf.keras's rule, so the strength does not depend on it).
 */
export function withPenalties<T>(fn: () => T): { value: T; penalty: Tensor | undefined } {
  const outer = active;
  const collector: Collector = { seen: new Set(), terms: [] };
  active = collector;
  try {
    const value = fn();
    return { value, penalty: collector.terms.length === 0 ? undefined : collector.terms.reduce((a, b) => add(a, b)) };
  } finally {
    active = outer;
  }
}

/** Called by Layer.apply with the weights bound, so the penalties are on the tape; a no-op outside withPenalties. */
export function recordPenalties(layer: Regularized, output: Tensor): Tensor {
  if (active === undefined) return output;
  for (const w of layer.trainableWeights) {
    if (w.regularizer === undefined || active.seen.has(w)) continue;
    active.seen.add(w);
    active.terms.push(w.regularizer.penalty(w.value));
  }
  if (layer.activityRegularizer !== undefined) active.terms.push(div(layer.activityRegularizer.penalty(output), output.shape[0]));
  return output;
}

/** The trainable parameters {layer: {weight: tensor}} with every weight's constraint applied, as fit does after each step. */
export function applyConstraints(layers: readonly Regularized[], params: Readonly<Record<string, Readonly<Record<string, Tensor>>>>): Record<string, Record<string, Tensor>> {
  const result: Record<string, Record<string, Tensor>> = { ...params };
  for (const layer of layers) {
    const own = params[layer.name];
    if (own === undefined) continue;
    for (const w of layer.trainableWeights) {
      if (w.constraint === undefined || own[w.name] === undefined) continue;
      result[layer.name] = { ...result[layer.name], [w.name]: w.constraint.apply(own[w.name]) };
    }
  }
  return result;
}

/** Summary lines naming each layer's regularizers and constraints; none when no layer has any. */
export function penaltySummary(layers: readonly Regularized[]): string[] {
  const describe = (layer: Regularized, kind: 'regularizer' | 'constraint'): string[] => [
    ...layer.trainableWeights.flatMap((w) => {
      const rule = w[kind];
      if (rule === undefined) return [];
      return [`${w.name} ${kind === 'regularizer' ? describeRegularizer(rule as Regularizer) : (rule as Constraint).name}`];
    }),
    ...(kind === 'regularizer' && layer.activityRegularizer !== undefined ? [`activity ${describeRegularizer(layer.activityRegularizer)}`] : []),
  ];
  const line = (title: string, kind: 'regularizer' | 'constraint'): string[] => {
    const parts = layers.map((l) => [l.name, describe(l, kind)] as const).filter(([, d]) => d.length > 0).map(([n, d]) => `${n} ${d.join(', ')}`);
    return parts.length === 0 ? [] : [` ${title}: ${parts.join('; ')}`];
  };
  return [...line('Regularizers (added to the training loss)', 'regularizer'), ...line('Constraints (after each step)', 'constraint')];
}

/** A weight's regularizer and constraint, as addWeight takes them. */
export interface WeightRules {
  readonly regularizer?: Regularizer;
  readonly constraint?: Constraint;
}

/** Keras's per-weight options: kernelRegularizer and kernelConstraint for the prefix 'kernel', and so on. */
export type RuleOptions<P extends string> =
  { [K in `${P}Regularizer`]?: RegularizerSpec | null } & { [K in `${P}Constraint`]?: ConstraintSpec | null };

/** The option keys of those prefixes, for checkOptionKeys. */
export function ruleKeys(prefixes: readonly string[]): string[] {
  return prefixes.flatMap((p) => [`${p}Regularizer`, `${p}Constraint`]);
}

/** Each prefix's rules read from the options, checked now so that a wrong one fails in the constructor. */
export function weightRules(options: object, prefixes: readonly string[], where: string): Readonly<Record<string, WeightRules>> {
  const given = options as Record<string, unknown>;
  return Object.fromEntries(prefixes.map((p) => {
    const regularizer = getRegularizer(given[`${p}Regularizer`] as RegularizerSpec | undefined, `${where}.${p}Regularizer`);
    const constraint = getConstraint(given[`${p}Constraint`] as ConstraintSpec | undefined, `${where}.${p}Constraint`);
    return [p, { ...(regularizer === undefined ? {} : { regularizer }), ...(constraint === undefined ? {} : { constraint }) }];
  }));
}

/** fn's loss plus the penalties the layers reported while it ran: the training loss with regularization. */
export function withRegularization(fn: () => Tensor): Tensor {
  const { value, penalty } = withPenalties(fn);
  return penalty === undefined ? value : add(value, penalty);
}
