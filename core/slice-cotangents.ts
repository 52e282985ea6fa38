import { zeros } from './creation.ts';
import { concat, pad } from './ops/index.ts';
import type { Tensor } from './tensor.ts';

interface SlicePart {
  readonly begin: readonly number[];
  readonly g: Tensor;
}

/**
 * The cotangents that slices send back to the tensor they cut, held until that tensor's cotangent is read.
 * Padding each part to the whole tensor and adding them up costs O(parts · whole): a tensor split into its time steps
 * (a recurrent layer) would pay O(time²). Parts that cut one axis into disjoint pieces are joined by one concat
 * instead, with zeros in the gaps, in O(whole); other parts fall back to pad and add.
 */
export class SliceCotangents {
  private readonly parts = new Map<number, SlicePart[]>();

  add(x: Tensor, begin: readonly number[], g: Tensor): void {
    const list = this.parts.get(x.id);
    if (list === undefined) this.parts.set(x.id, [{ begin, g }]);
    else list.push({ begin, g });
  }

  /** x's whole cotangent: `other` (the sum of what did not come from slices, if any) plus its slice parts. */
  take(x: Tensor, other: Tensor | undefined): Tensor | undefined {
    const list = this.parts.get(x.id);
    if (list === undefined) return other;
    this.parts.delete(x.id);
    const joined = join(x, list);
    return other === undefined ? joined : other.add(joined);
  }
}

function join(x: Tensor, parts: readonly SlicePart[]): Tensor {
  const axis = cutAxis(x, parts);
  if (axis >= 0) {
    const sorted = [...parts].sort((p, q) => p.begin[axis] - q.begin[axis]);
    const pieces: Tensor[] = [];
    let at = 0;
    for (const { begin, g } of sorted) {
      if (begin[axis] > at) pieces.push(zeros(x.shape.map((d, i) => (i === axis ? begin[axis] - at : d)), x.dtype));
      pieces.push(g);
      at = begin[axis] + g.shape[axis];
    }
    if (at < x.shape[axis]) pieces.push(zeros(x.shape.map((d, i) => (i === axis ? d - at : d)), x.dtype));
    return pieces.length === 1 ? pieces[0] : concat(pieces, axis);
  }
  return parts.map(({ begin, g }) => pad(g, begin.map((b, i) => [b, x.shape[i] - b - g.shape[i]] as const)))
    .reduce((sum, t) => sum.add(t));
}

/** The one axis along which the parts are disjoint pieces spanning every other axis whole, or -1. */
function cutAxis(x: Tensor, parts: readonly SlicePart[]): number {
  const spansWhole = (p: SlicePart, i: number): boolean => p.begin[i] === 0 && p.g.shape[i] === x.shape[i];
  const axis = x.shape.findIndex((_, i) => parts.some((p) => !spansWhole(p, i)));
  if (axis < 0) return parts.length === 1 ? 0 : -1;
  if (!parts.every((p) => x.shape.every((_, i) => i === axis || spansWhole(p, i)))) return -1;
  const ends = [...parts].sort((p, q) => p.begin[axis] - q.begin[axis]).map((p) => [p.begin[axis], p.begin[axis] + p.g.shape[axis]]);
  return ends.every(([b], k) => k === 0 || b >= ends[k - 1][1]) ? axis : -1;
}
