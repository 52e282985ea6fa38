import { ConfigError } from '../core/errors.ts';
import { Dense } from '../layers/dense.ts';
import type { TimeDistributed } from '../layers/time-distributed.ts';
import type { Emitted, ExportContext } from './context.ts';
import { exporterFor } from './exporters.ts';
import type { OnnxValue } from './graph.ts';

/**
 * TimeDistributed as TimeDistributed computes it: the steps as rows (Reshape to [batch·time, ...rest]), the wrapped
 * layer's own exporter on them, and a Reshape back to [batch, time, ...out]. A Dense needs neither: ONNX's MatMul
 * and Add broadcast over every axis but the last.
 */
export function exportTimeDistributed(layer: TimeDistributed, [x]: readonly OnnxValue[], cx: ExportContext, outputs?: readonly (readonly number[])[]): Emitted[] {
  const inner = layer.layer;
  const exporter = exporterFor(inner);
  if (inner instanceof Dense) return exporter(inner, [{ name: cx.last(x), shape: x.shape }], cx);
  const out = outputs?.[0];
  if (out === undefined) throw new ConfigError(`toOnnx: ${layer.name} (TimeDistributed) needs its output shape; the model is not built`);
  const rest = x.shape.slice(1);
  const rows = cx.b.op('Reshape', [cx.last(x), cx.b.ints([-1, ...rest])], {}, `${layer.name}/Reshape`);
  const [y] = exporter(inner, [{ name: rows, shape: rest }], cx, [out.slice(1)]);
  return [{ name: cx.b.op('Reshape', [cx.last({ ...y, shape: out.slice(1) }), cx.b.ints([-1, ...out])], {}, `${layer.name}/Reshape`) }];
}
