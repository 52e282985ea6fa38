import { SemiflowError, ShapeError, ValueError, describeValue, fmtShape } from './errors.ts';
import { sameShape } from './shape.ts';
import { Tensor } from './tensor.ts';

/** A tensor, or arrays and plain objects nested around tensors: how parameters and gradients travel. */
export type Tree = Tensor | readonly Tree[] | { readonly [key: string]: Tree };

/** The tensors of a tree in a fixed order (depth first, object keys in insertion order). */
export function leaves(tree: Tree, where = 'tree'): Tensor[] {
  if (tree instanceof Tensor) return [tree];
  if (Array.isArray(tree)) return tree.flatMap((t, i) => leaves(t, `${where}[${i}]`));
  if (tree !== null && typeof tree === 'object') {
    return Object.entries(tree).flatMap(([k, t]) => leaves(t, `${where}.${k}`));
  }
  throw new ValueError(`${where}: expected a tensor or an array or object of tensors, found ${tree === null ? 'null' : typeof tree}`);
}

/** The type of a tree whose tensors are each replaced by an L (a tensor, or a whole tree). */
export type MapLeaves<T, L> = T extends Tensor ? L : { [K in keyof T]: MapLeaves<T[K], L> };

/** A tree of the same structure with its tensors replaced, in the order `leaves` gives. */
export function rebuild<T extends Tree>(tree: T, replacements: readonly Tensor[]): T {
  return replaceAll(tree, replacements) as T;
}

/** The same structure with each tensor replaced by anything, a whole tree included (a Jacobian's blocks). */
export function replaceLeaves<T extends Tree, L>(tree: T, replacements: readonly L[]): MapLeaves<T, L> {
  return replaceAll(tree, replacements) as MapLeaves<T, L>;
}

function replaceAll(tree: Tree, replacements: readonly unknown[]): unknown {
  let next = 0;
  const walk = (t: Tree): unknown => {
    if (t instanceof Tensor) return replacements[next++];
    if (Array.isArray(t)) return t.map(walk);
    return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, walk(v)]));
  };
  return walk(tree);
}

/** The same tree with fn applied to each tensor. */
export function mapTree<T extends Tree>(tree: T, fn: (leaf: Tensor, index: number) => Tensor): T {
  return rebuild(tree, leaves(tree).map(fn));
}

/** Readable names for the leaves of a tree, in leaf order: `x`, `x[1].kernel`. */
export function leafPaths(tree: Tree, prefix: string): string[] {
  if (tree instanceof Tensor) return [prefix];
  if (Array.isArray(tree)) return tree.flatMap((t, i) => leafPaths(t, `${prefix}[${i}]`));
  return Object.entries(tree).flatMap(([k, t]) => leafPaths(t, `${prefix}.${k}`));
}

export interface MatchOptions {
  /** Dtypes must match too. */
  dtypes?: boolean;
  /** The error for a mismatch; a wrong structure is a ValueError unless given, a wrong shape a ShapeError. */
  error?: new (message: string) => SemiflowError;
}

/**
 * The leaves of `tree`, which must have the structure and shapes of `like` (a cotangent against a value, a tangent
 * against an input). `what` and `likeWhat` name them in the message, with the path of the first mismatch.
 */
export function matchLeaves(tree: unknown, like: Tree, what: string, likeWhat: string, options: MatchOptions = {}): Tensor[] {
  const out: Tensor[] = [];
  const walk = (t: unknown, l: Tree, path: string): void => {
    const refuse = (expected: string): never => {
      throw new (options.error ?? ValueError)(`${what}${path} must be ${expected} like ${likeWhat}${path}, got ${describeValue(t)}`);
    };
    if (l instanceof Tensor) {
      if (!(t instanceof Tensor)) refuse('a Tensor');
      const given = t as Tensor;
      if (!sameShape(given.shape, l.shape) || (options.dtypes === true && given.dtype !== l.dtype)) {
        const show = (x: Tensor) => (options.dtypes === true ? `is ${fmtShape(x.shape)} ${x.dtype}` : `has shape ${fmtShape(x.shape)}`);
        throw new (options.error ?? ShapeError)(`${what}${path} ${show(given)}, but ${likeWhat}${path} ${show(l)}`);
      }
      out.push(given);
    } else if (Array.isArray(l)) {
      if (!Array.isArray(t) || t.length !== l.length) refuse(`an array of ${l.length}`);
      l.forEach((li: Tree, i) => walk((t as unknown[])[i], li, `${path}[${i}]`));
    } else {
      const keys = Object.keys(l);
      const given = t !== null && typeof t === 'object' && !Array.isArray(t) && !(t instanceof Tensor) ? Object.keys(t) : undefined;
      if (given === undefined || given.length !== keys.length || !keys.every((k) => given.includes(k))) refuse(`an object with keys ${keys.join(', ')}`);
      keys.forEach((k) => walk((t as Record<string, unknown>)[k], (l as Record<string, Tree>)[k], `${path}.${k}`));
    }
  };
  walk(tree, like, '');
  return out;
}
