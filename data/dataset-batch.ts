import { ShapeError, ValueError, describeValue, fmtShape } from '../core/errors.ts';
import { sameShape } from '../core/shape.ts';
import { Tensor } from '../core/tensor.ts';

/** What Dataset.batch stacks: tensors and numbers, or arrays and plain objects nested around them. */
export type Batchable = Tensor | number | readonly Batchable[] | { readonly [key: string]: Batchable };

/** The type of a batch of T: each tensor or number becomes a tensor with a new axis 0. */
export type Stacked<T> = T extends Tensor | number ? Tensor : { [K in keyof T]: Stacked<T[K]> };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}

/** The elements' leaves at one place in the structure, stacked: numbers into a float32 [n], tensors into [n, ...shape]. */
function stackLeaves(leaves: readonly unknown[], at: string, where: string): Tensor {
  const first = leaves[0];
  if (typeof first === 'number') {
    const bad = leaves.findIndex((v) => typeof v !== 'number');
    if (bad >= 0) throw new ValueError(`${where}: element ${bad}${at} is ${describeValue(leaves[bad])} but element 0${at} is a number`);
    return new Tensor(Float32Array.from(leaves as number[]), [leaves.length]);
  }
  const head = first as Tensor;
  const out = head.dtype === 'float64' ? new Float64Array(leaves.length * head.size) : new Float32Array(leaves.length * head.size);
  leaves.forEach((leaf, i) => {
    if (!(leaf instanceof Tensor)) throw new ValueError(`${where}: element ${i}${at} is ${describeValue(leaf)} but element 0${at} is a Tensor`);
    if (!sameShape(leaf.shape, head.shape) || leaf.dtype !== head.dtype) {
      throw new ShapeError(`${where}: element ${i}${at} is ${leaf.dtype} ${fmtShape(leaf.shape)} but element 0${at} is ${head.dtype} ${fmtShape(head.shape)}; a batch stacks elements of one shape`);
    }
    out.set(leaf.storage, i * head.size);
  });
  return new Tensor(out, [leaves.length, ...head.shape]);
}

function stackAt(elements: readonly unknown[], at: string, where: string): unknown {
  const first = elements[0];
  if (first instanceof Tensor || typeof first === 'number') return stackLeaves(elements, at, where);
  if (Array.isArray(first)) {
    elements.forEach((e, i) => {
      if (!Array.isArray(e) || e.length !== first.length) {
        throw new ValueError(`${where}: element ${i}${at} is ${Array.isArray(e) ? `a list of ${e.length}` : describeValue(e)} but element 0${at} is a list of ${first.length}`);
      }
    });
    return first.map((_, k) => stackAt(elements.map((e) => (e as unknown[])[k]), `${at}[${k}]`, where));
  }
  if (isPlainObject(first)) {
    const keys = Object.keys(first);
    elements.forEach((e, i) => {
      if (!isPlainObject(e) || Object.keys(e).join() !== keys.join()) {
        throw new ValueError(`${where}: element ${i}${at} has ${isPlainObject(e) ? `keys {${Object.keys(e).join(', ')}}` : `the form ${describeValue(e)}`} but element 0${at} has keys {${keys.join(', ')}}`);
      }
    });
    return Object.fromEntries(keys.map((k) => [k, stackAt(elements.map((e) => (e as Record<string, unknown>)[k]), `${at}.${k}`, where)]));
  }
  throw new ValueError(`${where}: element 0${at} is ${describeValue(first)}; a batch stacks tensors and numbers, or arrays and plain objects of them`);
}

/** The elements stacked along a new axis 0, leaf by leaf; every element must have the first one's structure, shapes and dtypes. */
export function stackElements(elements: readonly Batchable[], where: string): unknown {
  return stackAt(elements, '', where);
}
