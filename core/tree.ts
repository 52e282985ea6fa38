import { ValueError } from './errors.ts';
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

/** A tree of the same structure with its tensors replaced, in the order `leaves` gives. */
export function rebuild<T extends Tree>(tree: T, replacements: readonly Tensor[]): T {
  let next = 0;
  const walk = (t: Tree): Tree => {
    if (t instanceof Tensor) return replacements[next++];
    if (Array.isArray(t)) return t.map(walk);
    return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, walk(v)]));
  };
  return walk(tree) as T;
}

/** The same tree with fn applied to each tensor. */
export function mapTree<T extends Tree>(tree: T, fn: (leaf: Tensor, index: number) => Tensor): T {
  return rebuild(tree, leaves(tree).map(fn));
}
