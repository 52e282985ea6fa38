import { ConfigError, ValueError, describeValue } from '../core/errors.ts';
import { add, clip, div, mul, relu, sqrt, square, sum } from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import { checkOptionKeys } from '../core/options.ts';

/** A projection applied to a weight after every optimizer step (Keras's constraints). */
export interface Constraint {
  readonly name: 'maxNorm' | 'nonNeg' | 'unitNorm' | 'minMaxNorm';
  /** Its options with their defaults filled in, as saved. */
  readonly config: Readonly<Record<string, number | readonly number[]>>;
  apply(w: Tensor): Tensor;
}

/** Keras's epsilon: keeps w / ‖w‖ finite for an all-zero slice. */
const EPSILON = 1e-7;

type Axis = number | readonly number[];

function axisOption(axis: unknown, where: string): Axis {
  const ok = (a: unknown) => typeof a === 'number' && Number.isInteger(a) && a >= 0;
  if (ok(axis) || (Array.isArray(axis) && axis.length > 0 && axis.every(ok))) return axis as Axis;
  throw new ValueError(`${where}: axis must be an integer ≥ 0 or a list of them, got ${describeValue(axis)}`);
}

function finite(value: unknown, name: string, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new ValueError(`${where}: ${name} must be a finite number ≥ 0, got ${describeValue(value)}`);
  return value;
}

/** The Euclidean norm over `axis` (the axes reduced: 0 for a Dense kernel's columns, [0,1,2] for a Conv2D kernel's filters). */
function norms(w: Tensor, axis: Axis, name: string): Tensor {
  const axes = typeof axis === 'number' ? [axis] : axis;
  const outside = axes.find((a) => a >= w.rank);
  if (outside !== undefined) throw new ValueError(`constraints.${name}: axis ${outside} is out of range for a weight of shape [${w.shape.join(',')}]`);
  return sqrt(sum(square(w), axes, true));
}

/** w scaled so that each slice's norm becomes `desired(norm)`. */
const rescale = (w: Tensor, n: Tensor, desired: Tensor): Tensor => mul(w, div(desired, add(n, EPSILON)));

function make(name: Constraint['name'], config: Constraint['config'], apply: (w: Tensor) => Tensor): Constraint {
  return Object.freeze({ name, config: Object.freeze(config), apply });
}

/** Keras's constraints, with its defaults. */
export const constraints = {
  /** Each slice's norm over `axis` is at most maxValue (default 2, axis 0). */
  maxNorm: (options: { maxValue?: number; axis?: Axis } = {}): Constraint => {
    checkOptionKeys(options, ['maxValue', 'axis'], 'constraints.maxNorm');
    const maxValue = finite(options.maxValue ?? 2, 'maxValue', 'constraints.maxNorm');
    const axis = axisOption(options.axis ?? 0, 'constraints.maxNorm');
    return make('maxNorm', { maxValue, axis }, (w) => {
      const n = norms(w, axis, 'maxNorm');
      return rescale(w, n, clip(n, 0, maxValue));
    });
  },
  /** Negative values become 0: max(w, 0). */
  nonNeg: (): Constraint => make('nonNeg', {}, relu),
  /** Each slice has norm 1 over `axis` (default 0). */
  unitNorm: (options: { axis?: Axis } = {}): Constraint => {
    checkOptionKeys(options, ['axis'], 'constraints.unitNorm');
    const axis = axisOption(options.axis ?? 0, 'constraints.unitNorm');
    return make('unitNorm', { axis }, (w) => div(w, add(norms(w, axis, 'unitNorm'), EPSILON)));
  },
  /** Each slice's norm moves to rate·clip(norm, minValue, maxValue) + (1 − rate)·norm (defaults 0, 1, rate 1, axis 0). */
  minMaxNorm: (options: { minValue?: number; maxValue?: number; rate?: number; axis?: Axis } = {}): Constraint => {
    checkOptionKeys(options, ['minValue', 'maxValue', 'rate', 'axis'], 'constraints.minMaxNorm');
    const minValue = finite(options.minValue ?? 0, 'minValue', 'constraints.minMaxNorm');
    const maxValue = finite(options.maxValue ?? 1, 'maxValue', 'constraints.minMaxNorm');
    const rate = finite(options.rate ?? 1, 'rate', 'constraints.minMaxNorm');
    if (minValue > maxValue) throw new ValueError(`constraints.minMaxNorm: minValue must not exceed maxValue, got ${minValue} > ${maxValue}`);
    const axis = axisOption(options.axis ?? 0, 'constraints.minMaxNorm');
    return make('minMaxNorm', { minValue, maxValue, rate, axis }, (w) => {
      const n = norms(w, axis, 'minMaxNorm');
      return rescale(w, n, add(mul(clip(n, minValue, maxValue), rate), mul(n, 1 - rate)));
    });
  },
};

/** A constraint, or its name with Keras's defaults. */
export type ConstraintSpec = Constraint | Constraint['name'];

/** A constraint option of a layer: undefined or null for none, a name (Keras's defaults), or a constraint. */
export function getConstraint(spec: ConstraintSpec | null | undefined, where: string): Constraint | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (typeof spec === 'string' && Object.hasOwn(constraints, spec)) return constraints[spec]();
  if (typeof spec === 'object' && typeof spec.apply === 'function' && Object.hasOwn(constraints, spec.name)) return spec;
  throw new ConfigError(`${where}: expected a constraint (constraints.maxNorm(), nonNeg(), unitNorm(), minMaxNorm()) or one of their names, got ${describeValue(spec)}`);
}
