import { ConfigError, ValueError, describeValue } from '../core/errors.ts';
import { abs, add, mul, square, sum } from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import { checkOptionKeys } from '../core/options.ts';

/** A weight or activity penalty added to the training loss: l1·Σ|x| + l2·Σx² (Keras's L1L2). */
export interface Regularizer {
  readonly l1: number;
  readonly l2: number;
  penalty(x: Tensor): Tensor;
}

/** A regularizer, or its name with Keras's default factor 0.01: 'l1', 'l2', 'l1l2' (also 'l1_l2'). */
export type RegularizerSpec = Regularizer | 'l1' | 'l2' | 'l1l2' | 'l1_l2';

function factor(value: unknown, name: string, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new ValueError(`${where}: ${name} must be a finite number ≥ 0, got ${describeValue(value)}`);
  return value;
}

function l1l2Of(l1: number, l2: number): Regularizer {
  return Object.freeze({
    l1, l2,
    penalty: (x: Tensor): Tensor => {
      const terms = [...(l1 > 0 ? [mul(sum(abs(x)), l1)] : []), ...(l2 > 0 ? [mul(sum(square(x)), l2)] : [])];
      return terms.length === 0 ? mul(sum(x), 0) : terms.reduce((a, b) => add(a, b));
    },
  });
}

/** Keras's regularizers, with its default factors of 0.01. */
export const regularizers = {
  /** l1·Σ|x|. */
  l1: (l1 = 0.01): Regularizer => l1l2Of(factor(l1, 'l1', 'regularizers.l1'), 0),
  /** l2·Σx² (no ½, as Keras). */
  l2: (l2 = 0.01): Regularizer => l1l2Of(0, factor(l2, 'l2', 'regularizers.l2')),
  /** l1·Σ|x| + l2·Σx²; both default to 0.01, as Keras's l1_l2 function and tfjs's l1l2. */
  l1l2: (options: { l1?: number; l2?: number } = {}): Regularizer => {
    checkOptionKeys(options, ['l1', 'l2'], 'regularizers.l1l2');
    return l1l2Of(factor(options.l1 ?? 0.01, 'l1', 'regularizers.l1l2'), factor(options.l2 ?? 0.01, 'l2', 'regularizers.l1l2'));
  },
};

/** A regularizer option of a layer: undefined or null for none, a name, or a regularizer. */
export function getRegularizer(spec: RegularizerSpec | null | undefined, where: string): Regularizer | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (spec === 'l1') return regularizers.l1();
  if (spec === 'l2') return regularizers.l2();
  if (spec === 'l1l2' || spec === 'l1_l2') return regularizers.l1l2();
  if (typeof spec === 'object' && typeof spec.penalty === 'function' && typeof spec.l1 === 'number' && typeof spec.l2 === 'number') return spec;
  throw new ConfigError(`${where}: expected a regularizer (regularizers.l1(), l2(), l1l2()) or one of 'l1', 'l2', 'l1l2', got ${describeValue(spec)}`);
}

/** How a summary shows one: l1(0.01), l2(0.001), l1l2(0.01, 0.01). */
export function describeRegularizer(r: Regularizer): string {
  return r.l2 === 0 ? `l1(${r.l1})` : r.l1 === 0 ? `l2(${r.l2})` : `l1l2(${r.l1}, ${r.l2})`;
}
