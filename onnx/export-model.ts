import { ConfigError } from '../core/errors.ts';
import { InputLayer } from '../layers/input-layer.ts';
import { Layer } from '../layers/layer.ts';
import type { SymbolicTensor } from '../layers/symbolic.ts';
import { Functional } from '../models/functional.ts';
import type { Model } from '../models/model.ts';
import { Sequential } from '../models/sequential.ts';
import type { ExportContext } from './context.ts';
import { exporterFor } from './exporters.ts';
import type { OnnxValue } from './graph.ts';

/** A model's layers as nodes on `inputs` (one per model input); a nested model is walked in its place. */
export function exportModel(model: Model, inputs: readonly OnnxValue[], cx: ExportContext): OnnxValue[] {
  if (model instanceof Sequential) return [exportSequential(model, inputs[0], cx)];
  if (model instanceof Functional) return exportFunctional(model, inputs, cx);
  throw new ConfigError(`toOnnx: ${model.name} (${model.constructor.name}) is neither a Sequential nor a functional model`);
}

function exportSequential(model: Sequential, x: OnnxValue, cx: ExportContext): OnnxValue {
  let value = x;
  for (const layer of model.layers) {
    if (layer instanceof InputLayer) continue;
    const shape = model.outputShapeOf(layer);
    if (shape === undefined) throw new ConfigError(`toOnnx: ${model.name} is not built; give the first layer an inputShape or call build first`);
    const [out] = exporterFor(layer)(layer, [value], cx, [shape]);
    value = { ...out, shape };
  }
  return value;
}

function exportFunctional(model: Functional, inputs: readonly OnnxValue[], cx: ExportContext): OnnxValue[] {
  const values = new Map<SymbolicTensor, OnnxValue>();
  model.inputs.forEach((t, i) => values.set(t, inputs[i]));
  for (const node of model.nodes) {
    const ins = node.inputs.map((t) => values.get(t) as OnnxValue);
    const { operation } = node;
    const outs = operation instanceof Layer ? exporterFor(operation)(operation, ins, cx, node.outputs.map((t) => t.shape)) : exportModel(operation as Model, ins, cx);
    node.outputs.forEach((t, i) => values.set(t, { ...outs[i], shape: t.shape }));
  }
  return model.outputs.map((t) => values.get(t) as OnnxValue);
}
