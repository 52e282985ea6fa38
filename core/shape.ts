import { ShapeError, describeValue, fmtShape } from './errors.ts';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The multi-index of row-major flat position `flat` in `shape`. */
export function unravelIndex(flat: number, shape: Shape): number[] {
  return stridesOf(shape).map((stride, axis) => Math.floor(flat / stride) % shape[axis]);
}

/** Row-major strides: the last axis moves fastest. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** The most elements a typed array can hold (2^32 in Node 20); a larger shape would fail inside the allocation. */
const MAX_SIZE = 2 ** 32;

export function checkShape(shape: Shape, where: string): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${where}: a shape must be an array of integers, got ${describeValue(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      // A string dim would print like a number in fmtShape, so non-numbers are shown as JSON.
      const shown = `[${shape.map((v: unknown) => (typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v))).join(',')}]`;
      throw new ShapeError(`${where}: every dimension must be a non-negative integer, got shape ${shown}`);
    }
  }
  if (sizeOf(shape) > MAX_SIZE) {
    throw new ShapeError(`${where}: shape ${fmtShape(shape)} has ${sizeOf(shape)} elements, more than the ${MAX_SIZE} a tensor can hold`);
  }
  return [...shape];
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting: align on the right; each pair of dims must be equal or contain a 1. */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together (dim ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Turns a possibly negative axis into 0..rank-1. */
export function normalizeAxis(axis: number, rank: number, op: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ShapeError(`${op}: axis ${typeof axis === 'number' ? axis : describeValue(axis)} is out of range for a tensor of rank ${rank} (expected an integer in [${-rank}, ${rank - 1}])`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Axes as a sorted, duplicate-free list; undefined means every axis. */
export function normalizeAxes(axes: number | readonly number[] | undefined, rank: number, op: string): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  if (typeof axes !== 'number' && !Array.isArray(axes)) {
    throw new ShapeError(`${op}: axis must be an integer or an array of integers, got ${describeValue(axes)}`);
  }
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = list.map((a) => normalizeAxis(a, rank, op));
  if (new Set(out).size !== out.length) throw new ShapeError(`${op}: repeated axis in [${list.join(',')}]`);
  return out.sort((x, y) => x - y);
}
