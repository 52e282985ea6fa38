import type { NodeProto } from 'onnx-buf';
import { ConfigError } from '../core/errors.ts';
import { Cropping2D } from '../layers/cropping2d.ts';
import { Reshape } from '../layers/reshape.ts';
import { importGather } from './import-shape-ops.ts';
import type { Importer } from './importer.ts';
import { attr } from './read-model.ts';

// Gather of one time step of a sequence, as PyTorch writes out[:, -1] of a bidirectional layer's output (a forward
// layer's last step is folded into the layer: import-recurrent-outputs.ts). semiflow has no time-step layer, so the
// step is a crop of the sequence seen as an image: Reshape [T, F, 1], Cropping2D of the other steps, Reshape [F].

/** Gather of a constant table is an Embedding; Gather of a scalar index on a sequence's time axis is that step. */
export function importGatherOrStep(node: NodeProto, imp: Importer): void {
  if (imp.isConstant(node.input[0])) return importGather(node, imp);
  const x = imp.value(node.input[0], node);
  const index = imp.isConstant(node.input[1]) ? imp.constant(node.input[1], node) : undefined;
  const [time, features] = x.sym.shape;
  const axis = (attr(node, 'axis') as number | undefined) ?? 0;
  if (x.permuted === true || x.sym.shape.length !== 2 || index?.dims.length !== 0 || axis !== (x.timeFirst === true ? 0 : 1)) {
    throw new ConfigError(`loadOnnx: node ${node.name} (Gather) is imported as an Embedding (a constant table) or as one step of a sequence [batch, time, features] (a scalar index on the time axis)`);
  }
  const step = index.data[0] < 0 ? index.data[0] + time : index.data[0];
  if (!Number.isInteger(step) || step < 0 || step >= time) throw new ConfigError(`loadOnnx: node ${node.name} (Gather) takes step ${index.data[0]} of a sequence of ${time}`);
  const image = imp.apply(new Reshape([time, features, 1]), x.sym);
  const cropped = imp.apply(new Cropping2D([[step, time - 1 - step], [0, 0]]), image);
  imp.values.set(node.output[0], { sym: imp.apply(new Reshape([features]), cropped) });
}

/** Ops read only inside a recurrent pattern: a zero initial state's Shape, ConstantOfShape, Expand; a merge of two directions. */
export const RECURRENT_PATTERN_OPS: readonly string[] = ['Shape', 'ConstantOfShape', 'Expand', 'ReduceSum', 'ReduceProd', 'Split'];

/** Ops read only inside a pattern (a zero initial state, a bidirectional merge): standing alone, they are refused. */
export function insidePattern(node: NodeProto): void {
  throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) is imported only where it computes a recurrent op's zero initial state or merges its directions`);
}
