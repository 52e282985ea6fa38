import { create, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, OperatorSetIdProtoSchema } from 'onnx-buf';
import { ConfigError, describeValue } from '../core/errors.ts';
import { checkOptionKeys } from '../core/options.ts';
import { Functional } from '../models/functional.ts';
import { Model } from '../models/model.ts';
import { Sequential } from '../models/sequential.ts';
import { ExportContext } from './context.ts';
import { exportModel } from './export-model.ts';
import { GraphBuilder, valueInfo } from './graph.ts';
import type { OnnxValue } from './graph.ts';

export interface ToOnnxOptions {
  /** The ONNX opset to declare, 17 or later (default 17; the ops written are those of opset 17). */
  opset?: number;
}

/** The model's graph inputs: a name and one sample's shape each. */
function graphInputs(model: Model): { name: string; shape: readonly number[] }[] {
  if (model instanceof Functional) return model.inputs.map((t) => ({ name: t.operationName, shape: t.shape }));
  if (model instanceof Sequential) {
    const shape = model.inputShape;
    if (shape === undefined) throw new ConfigError(`toOnnx: ${model.name} is not built; give the first layer an inputShape or call build first`);
    return [{ name: model.layers[0].name, shape }];
  }
  throw new ConfigError(`toOnnx: expected a Sequential or functional model, got ${describeValue(model)}`);
}

/**
 * The model as an ONNX ModelProto (opset 17, float32): inputs named as the model's inputs, outputs as its output
 * layers, each with a symbolic batch axis. Inference form: dropout and noise are identities, BatchNormalization
 * uses its moving statistics. A layer with no ONNX form is a ConfigError naming it.
 */
export function toOnnx(model: Model, options: ToOnnxOptions = {}): Uint8Array {
  if (!(model instanceof Model)) throw new ConfigError(`toOnnx: expected a model, got ${describeValue(model)}`);
  checkOptionKeys(options, ['opset'], 'toOnnx');
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < 17) throw new ConfigError(`toOnnx: opset must be an integer >= 17, got ${describeValue(opset)}`);
  const b = new GraphBuilder();
  const cx = new ExportContext(b);
  const ins = graphInputs(model);
  const values: OnnxValue[] = ins.map(({ name, shape }) => ({ name: b.reserve(name), shape }));
  const outs = exportModel(model, values, cx);
  // A layer with two outputs (a Bidirectional with mergeMode null) names the second <layer>_1.
  const outputNames = model.outputNames.map((n) => b.unique(n));
  // Each output leaves through an Identity named as the model's output, in semiflow's layout.
  outs.forEach((v, i) => b.identity(cx.last(v), outputNames[i]));
  const graph = b.graph(model.name, ins.map(({ name, shape }) => valueInfo(name, [null, ...shape])), outs.map((v, i) => valueInfo(outputNames[i], [null, ...v.shape])));
  const proto = create(ModelProtoSchema, {
    irVersion: 8n, producerName: 'semiflow', producerVersion: '0.1.0', graph,
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(opset) })],
  });
  return toBinary(ModelProtoSchema, proto);
}
