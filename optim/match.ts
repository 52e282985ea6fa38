import { ShapeError, ValueError, describeValue, fmtShape } from '../core/errors.ts';
import { sameShape } from '../core/shape.ts';
import { Tensor } from '../core/tensor.ts';
import type { Tree } from '../core/tree.ts';

function kind(node: unknown): string {
  if (node instanceof Tensor) return 'a tensor';
  if (Array.isArray(node)) return 'an array';
  if (isPlainObject(node)) return 'an object';
  return describeValue(node);
}

function isPlainObject(node: unknown): node is { readonly [key: string]: unknown } {
  return node !== null && typeof node === 'object' && !Array.isArray(node) && !(node instanceof Tensor);
}

/**
 * Pairs the tensors of `other` (gradients or a state slot) with those of `params`, walking both trees together.
 * Object entries pair by key, so key order does not matter; the leaves come out in params' `leaves` order.
 * Every leaf pair must agree in shape (ShapeError) and dtype (ValueError).
 */
export function matchTrees(who: string, params: Tree, other: Tree, otherName: string): [Tensor[], Tensor[]] {
  const ps: Tensor[] = [];
  const os: Tensor[] = [];
  const walk = (p: unknown, o: unknown, path: string): void => {
    // Built only for an error: this walk runs for every leaf of every step.
    const here = (): string => `${otherName}${path} is ${kind(o)} but params${path} is ${kind(p)}`;
    if (p instanceof Tensor) {
      if (!(o instanceof Tensor)) throw new ShapeError(`${who}: ${here()}`);
      if (!sameShape(p.shape, o.shape)) {
        throw new ShapeError(`${who}: ${otherName}${path} has shape ${fmtShape(o.shape)} but params${path} has shape ${fmtShape(p.shape)} (leaf ${ps.length})`);
      }
      if (p.dtype !== o.dtype) {
        throw new ValueError(`${who}: ${otherName}${path} is ${o.dtype} but params${path} is ${p.dtype} (leaf ${ps.length})`);
      }
      ps.push(p);
      os.push(o);
    } else if (Array.isArray(p)) {
      if (!Array.isArray(o)) throw new ShapeError(`${who}: ${here()}`);
      if (o.length !== p.length) throw new ShapeError(`${who}: ${otherName}${path} has ${o.length} entries but params${path} has ${p.length}`);
      p.forEach((child, i) => walk(child, o[i], `${path}[${i}]`));
    } else if (isPlainObject(p)) {
      if (!isPlainObject(o)) throw new ShapeError(`${who}: ${here()}`);
      const keys = Object.keys(p);
      const extra = Object.keys(o).filter((k) => !Object.hasOwn(p, k));
      const missing = keys.filter((k) => !Object.hasOwn(o, k));
      if (extra.length > 0 || missing.length > 0) {
        throw new ShapeError(`${who}: ${otherName}${path} has keys {${Object.keys(o).join(', ')}} but params${path} has keys {${keys.join(', ')}}`);
      }
      for (const k of keys) walk(p[k], o[k], `${path}.${k}`);
    } else {
      throw new ValueError(`${who}: params${path}: expected a tensor or an array or object of tensors, found ${describeValue(p)}`);
    }
  };
  walk(params, other, '');
  return [ps, os];
}
