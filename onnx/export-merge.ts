import type { Concatenate } from '../layers/merge/concatenate.ts';
import type { Emitted, ExportContext } from './context.ts';
import type { OnnxValue } from './graph.ts';

// Merge layers work in the layout their inputs share: channels-first when every input is, else channels-last.

function shared(inputs: readonly OnnxValue[], cx: ExportContext): { names: string[]; first: boolean } {
  const first = inputs.every((v) => v.channelsFirst === true);
  return { names: inputs.map((v) => (first ? v.name : cx.last(v))), first };
}

/** A variadic op (Sum, Max, Min) or a fold of a binary one (Mul, Sub) over the inputs. */
export function exportFold(op: string, variadic: boolean): (layer: { name: string }, inputs: readonly OnnxValue[], cx: ExportContext) => Emitted[] {
  return (layer, inputs, cx) => {
    const { names, first } = shared(inputs, cx);
    const base = `${layer.name}/${op}`;
    const name = variadic ? cx.b.op(op, names, {}, base) : names.reduce((a, c) => cx.b.op(op, [a, c], {}, base));
    return [{ name, channelsFirst: first }];
  };
}

/** (a + b + …)/n. */
export function exportAverage(layer: { name: string }, inputs: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  const { names, first } = shared(inputs, cx);
  const sum = cx.b.op('Sum', names, {}, `${layer.name}/Sum`);
  return [{ name: cx.b.op('Div', [sum, cx.b.scalar(inputs.length)], {}, `${layer.name}/Div`), channelsFirst: first }];
}

// Where a channels-last axis sits in NCHW.
const FIRST_AXIS = [0, 2, 3, 1];

export function exportConcatenate(layer: Concatenate, inputs: readonly OnnxValue[], cx: ExportContext): Emitted[] {
  const { names, first } = shared(inputs, cx);
  const rank = inputs[0].shape.length + 1;
  const axis = layer.axis < 0 ? layer.axis + rank : layer.axis;
  return [{ name: cx.b.op('Concat', names, { axis: first ? FIRST_AXIS[axis] : axis }, `${layer.name}/Concat`), channelsFirst: first }];
}
