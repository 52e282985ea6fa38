import { freeze } from 'immer';
import type { DType } from '../../core/dtype.ts';
import { ConfigError, describeValue } from '../../core/errors.ts';
import { Tensor } from '../../core/tensor.ts';
import type { JsonValue } from './names.ts';
import { isJsonObject } from './names.ts';

// A training-progress tree (optimizer slots, step, any plain numbers) split into a JSON skeleton and a list of
// tensors: each tensor becomes {"$tensor": i}, the i-th tensor of the binary file; numbers JSON cannot hold
// (NaN, ±Infinity) become {"$number": "Infinity"}.

const TENSOR = '$tensor';
const NUMBER = '$number';

export interface EncodedTree {
  readonly skeleton: JsonValue;
  readonly tensors: { name: string; tensor: Tensor; dtype: DType }[];
}

export function encodeTree(value: unknown, where: string): EncodedTree {
  const tensors: EncodedTree['tensors'] = [];
  const walk = (node: unknown, path: string): JsonValue => {
    if (node instanceof Tensor) {
      tensors.push({ name: path, tensor: node, dtype: node.dtype });
      return { [TENSOR]: tensors.length - 1 };
    }
    if (typeof node === 'number') return Number.isFinite(node) ? node : { [NUMBER]: String(node) };
    if (node === null || typeof node === 'string' || typeof node === 'boolean') return node;
    if (Array.isArray(node)) return node.map((child, i) => walk(child, `${path}[${i}]`));
    if (node !== undefined && typeof node === 'object' && Object.getPrototypeOf(node) === Object.prototype) {
      const entries = Object.entries(node).filter(([, v]) => v !== undefined);
      if (entries.some(([k]) => k === TENSOR || k === NUMBER)) throw new ConfigError(`${where}: ${path} uses the reserved key ${TENSOR} or ${NUMBER}`);
      return Object.fromEntries(entries.map(([k, v]) => [k, walk(v, path === '' ? k : `${path}.${k}`)]));
    }
    throw new ConfigError(`${where}: ${path || 'the value'} is ${describeValue(node)}, which cannot be saved (tensors, numbers, strings, booleans, arrays and plain objects can)`);
  };
  return { skeleton: walk(value, ''), tensors };
}

/** The tree back, with `tensors` in place of their references; the result is deeply frozen, like a training state. */
export function decodeTree(skeleton: JsonValue, tensors: readonly Tensor[], where: string): unknown {
  const used = new Set<number>();
  const walk = (node: JsonValue): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!isJsonObject(node)) return node;
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0] === TENSOR) {
      const index = node[TENSOR];
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= tensors.length) {
        throw new ConfigError(`${where}: tensor reference ${describeValue(index)} is out of range (${tensors.length} tensors stored)`);
      }
      used.add(index);
      return tensors[index];
    }
    if (keys.length === 1 && keys[0] === NUMBER) return Number(node[NUMBER]);
    return Object.fromEntries(keys.map((k) => [k, walk(node[k])]));
  };
  const tree = walk(skeleton);
  if (used.size !== tensors.length) throw new ConfigError(`${where}: ${tensors.length - used.size} stored tensors are not referenced by the state`);
  return freeze(tree, true);
}
