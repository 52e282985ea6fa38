import { ConfigError } from '../core/errors.ts';
import type { AnyLayer } from '../layers/layer.ts';
import type { GraphBuilder, OnnxValue } from './graph.ts';

// semiflow's images are channels-last ([batch,h,w,c]); ONNX's Conv and pools are channels-first ([batch,c,h,w]).
// A value remembers its layout, so consecutive convolutions and pools pass NCHW along and one Transpose goes in
// only where the layout changes (before Flatten, Dense, a merge ...).
const TO_FIRST = [0, 3, 1, 2];
const TO_LAST = [0, 2, 3, 1];

export class ExportContext {
  private readonly transposed = new Map<string, string>();

  constructor(readonly b: GraphBuilder) {}

  private transpose(v: OnnxValue, perm: readonly number[]): string {
    const known = this.transposed.get(v.name);
    if (known !== undefined) return known;
    const name = this.b.op('Transpose', [v.name], { perm }, `${v.name.split(':')[0]}/Transpose`);
    this.transposed.set(v.name, name);
    return name;
  }

  /** The value's name in semiflow's channels-last layout. */
  last(v: OnnxValue): string {
    return v.channelsFirst === true ? this.transpose(v, TO_LAST) : v.name;
  }

  /** A rank-4 value's name in channels-first layout. */
  first(v: OnnxValue): string {
    return v.channelsFirst === true ? v.name : this.transpose(v, TO_FIRST);
  }

  /** A weight of the layer as an initializer named `<layer>/<name>`, reordered by `perm` if given, of `dims` if given (same size). */
  weight(layer: AnyLayer, name: string, perm?: readonly number[], dims?: readonly number[]): string {
    const w = weightOf(layer, name);
    if (w === undefined) throw new ConfigError(`toOnnx: ${layer.name} (${layer.constructor.name}) has no weight ${name}`);
    const t = perm === undefined ? w : transposed(w.data, w.shape, perm);
    return this.b.weight(`${layer.name}/${name}`, t.data, dims ?? t.shape);
  }
}

/** A layer's output: its name and layout; the model walker adds the shape it knows. */
export interface Emitted {
  readonly name: string;
  readonly channelsFirst?: boolean;
}

/** Turns one layer applied to its inputs into nodes; returns its outputs. `outputs` are their sample shapes, for the exporters that need them. */
export type LayerExporter<L extends AnyLayer = AnyLayer> = (layer: L, inputs: readonly OnnxValue[], cx: ExportContext, outputs?: readonly (readonly number[])[]) => Emitted[];

/** Keeps a layer's weight by name (its `weights` list), as float32 data and shape. */
export function weightOf(layer: AnyLayer, name: string): { data: Float32Array; shape: readonly number[] } | undefined {
  const w = layer.weights.find((x) => x.name === name);
  return w === undefined ? undefined : { data: Float32Array.from(w.value.data), shape: w.value.shape };
}

/** data of `shape` with its axes reordered: out axis i is in axis perm[i]. */
export function transposed(data: Float32Array, shape: readonly number[], perm: readonly number[]): { data: Float32Array; shape: number[] } {
  const out = perm.map((p) => shape[p]);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const result = new Float32Array(data.length);
  const index = new Array<number>(out.length).fill(0);
  for (let k = 0; k < data.length; k++) {
    let src = 0;
    for (let i = 0; i < out.length; i++) src += index[i] * strides[perm[i]];
    result[k] = data[src];
    for (let i = out.length - 1; i >= 0 && ++index[i] === out[i]; i--) index[i] = 0;
  }
  return { data: result, shape: out };
}
