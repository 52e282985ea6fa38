import type { NodeProto } from 'onnx-buf';
import { ConfigError } from '../core/errors.ts';
import type { Importer } from './importer.ts';
import { tensorValues } from './read-model.ts';

// PyTorch's torch.onnx.export gives a recurrent op its zero initial states as a subgraph of the input's batch size:
// Shape → Gather → Unsqueeze → Concat → ConstantOfShape (or Expand of a zero), sliced per layer for num_layers > 1.
// A state that is provably zeros is Keras's default state: its subgraph is absorbed. Anything else is refused.

/** The recurrent ops' inputs that hold initial states: initial_h (5), and initial_c (6) for LSTM. */
export const STATE_INPUTS: readonly number[] = [5, 6];

/** Ops that pass their first input's values on (a part, a new shape, copies): a zero in gives zeros out. */
const KEEPS_ZEROS = new Set(['Slice', 'Squeeze', 'Unsqueeze', 'Reshape', 'Identity', 'Expand', 'Tile', 'Gather', 'Transpose', 'Cast']);

const isRecurrent = (n: NodeProto): boolean => n.opType === 'LSTM' || n.opType === 'GRU' || n.opType === 'RNN';

/** The nodes that read the value `name`. */
function producers(imp: Importer): Map<string, NodeProto> {
  return new Map(imp.graph.nodes.flatMap((n) => n.output.map((o) => [o, n] as const)));
}

/** Why the value `name` is not provably all zeros, or undefined when it is. */
function notZeros(name: string, made: ReadonlyMap<string, NodeProto>, imp: Importer): string | undefined {
  const c = imp.graph.constants.get(name);
  if (c !== undefined) return c.data.every((v) => v === 0) ? undefined : `the constant ${name} is not all zeros`;
  const node = made.get(name);
  if (node === undefined) return `${name} is a graph input`;
  if (node.opType === 'ConstantOfShape') {
    const value = node.attribute.find((a) => a.name === 'value')?.t;
    // ConstantOfShape fills with 0 when it has no value.
    return value === undefined || tensorValues(value).data.every((v) => v === 0) ? undefined : `${node.name} (ConstantOfShape) fills with a non-zero value`;
  }
  if (KEEPS_ZEROS.has(node.opType)) return notZeros(node.input[0], made, imp);
  return `it is computed by ${node.name} (${node.opType})`;
}

/** The nodes computing `name`, back to the graph inputs and constants. */
function ancestors(name: string, made: ReadonlyMap<string, NodeProto>, into: Set<NodeProto>): void {
  const node = made.get(name);
  if (node === undefined || into.has(node)) return;
  into.add(node);
  for (const i of node.input) if (i !== '') ancestors(i, made, into);
}

/**
 * Checks that every initial state of a recurrent op is provably zeros (a ConfigError naming the node and the reason
 * otherwise), and marks absorbed the nodes that compute only those states.
 */
export function absorbZeroStates(imp: Importer): void {
  const made = producers(imp);
  const states = new Set<NodeProto>();
  for (const node of imp.graph.nodes.filter(isRecurrent)) {
    for (const i of STATE_INPUTS) {
      const name = node.input[i];
      if (name === undefined || name === '') continue;
      const why = notZeros(name, made, imp);
      if (why !== undefined) {
        throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) has an initial state ${name} that is not provably zeros (${why}); semiflow's recurrent layers start from zeros`);
      }
      ancestors(name, made, states);
    }
  }
  // Keep out of the set any node whose outputs something else also reads, until no such node is left.
  const feedsOnlyStates = (n: NodeProto): boolean => n.output.every((o) => !imp.graph.outputs.includes(o)
    && imp.readers(o).every((r) => states.has(r) || (isRecurrent(r) && STATE_INPUTS.some((i) => r.input[i] === o) && !r.input.slice(0, 5).includes(o))));
  for (let changed = true; changed;) {
    changed = false;
    for (const n of states) if (!feedsOnlyStates(n)) changed = states.delete(n) || changed;
  }
  for (const n of states) imp.absorbed.add(n);
}
