import type { NodeProto } from 'onnx-buf';
import { ConfigError } from '../core/errors.ts';
import { Layer } from '../layers/layer.ts';
import type { SymbolicTensor } from '../layers/symbolic.ts';
import { input } from '../layers/symbolic.ts';
import { TimeDistributed } from '../layers/time-distributed.ts';
import type { Importer } from './importer.ts';

// TimeDistributed as toOnnx writes it: Reshape [batch, time, ...rest] to rows [−1, ...rest], one layer's nodes on
// the rows, Reshape back to [−1, time, ...out]. The rows become a symbolic input of their own; the Reshape back
// finds the one layer applied to it and applies TimeDistributed(that layer) to the sequence instead.

interface Steps {
  readonly sequence: SymbolicTensor;
  readonly time: number;
  /** The Reshape into rows, and whether a Reshape back closed them. */
  readonly node: NodeProto;
  closed: boolean;
}

const STEPS = new WeakMap<Importer, Map<SymbolicTensor, Steps>>();

function stepsOf(imp: Importer): Map<SymbolicTensor, Steps> {
  let map = STEPS.get(imp);
  if (map === undefined) STEPS.set(imp, (map = new Map()));
  return map;
}

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** A Reshape into or out of rows of time steps; false for any other node (a plain Reshape is the layer's). */
export function importTimeSteps(node: NodeProto, imp: Importer): boolean {
  const x = imp.values.get(node.input[0]);
  if (node.opType !== 'Reshape' || x === undefined || x.permuted === true || x.timeFirst === true || !imp.isConstant(node.input[1])) return false;
  const shape = Array.from(imp.constant(node.input[1], node).data);
  const [time, ...rest] = x.sym.shape;
  const steps = stepsOf(imp);
  if (shape[0] === -1 && x.sym.shape.length >= 2 && time > 1 && shape.slice(1).join() === rest.join()) {
    const rows = input({ shape: rest });
    steps.set(rows, { sequence: x.sym, time, node, closed: false });
    imp.values.set(node.output[0], { sym: rows });
    return true;
  }
  const producer = x.sym.node;
  const from = producer.inputs.length === 1 ? steps.get(producer.inputs[0]) : undefined;
  if (from === undefined || shape[0] !== -1 || shape[1] !== from.time) return false;
  if (!(producer.operation instanceof Layer) || shape.slice(2).join() !== x.sym.shape.join() || product(shape.slice(1)) !== from.time * product(x.sym.shape)) {
    throw new ConfigError(`loadOnnx: node ${node.name} (Reshape) ends a TimeDistributed, which is imported only around one layer`);
  }
  const inner = producer.operation as Layer;
  from.closed = true;
  imp.values.set(node.output[0], { sym: imp.apply(new TimeDistributed(inner), from.sequence, imp.weights.get(inner)) });
  return true;
}

/** Rows of time steps that no Reshape brought back: the batch axis stays merged, which no semiflow layer does. */
export function checkTimeStepsClosed(imp: Importer): void {
  const open = [...stepsOf(imp).values()].filter((s) => !s.closed);
  if (open.length > 0) {
    throw new ConfigError(`loadOnnx: node ${open[0].node.name} (Reshape) merges the batch axis with the time steps, and no Reshape back to [-1, ${open[0].time}, ...] follows one layer (as toOnnx writes TimeDistributed); semiflow's layers keep the batch axis`);
  }
}
