import type { NodeProto } from 'onnx-buf';
import { ConfigError } from '../core/errors.ts';
import type { MergeMode } from '../layers/recurrent/bidirectional.ts';
import type { Importer } from './importer.ts';
import { attr } from './read-model.ts';

// How a recurrent op's outputs Y [time, dirs, batch, units] and Y_h [dirs, batch, units] are read, in the forms
// toOnnx and PyTorch write: Y squeezed (reversed by a Slice for goBackwards), Y_h squeezed or its only row gathered
// (h_n[-1], also of stacked layers); two directions concatenated by a Transpose and Reshape, or reduced (sum, mul, ave); a forward
// sequence's last step gathered (out[:, -1]) is the layer's last output.

/** The values a recurrent op becomes: the nodes whose first outputs they are, and how the layer is configured. */
export interface RecurrentEnd {
  /** One node, or two for a Bidirectional with mergeMode null (forward, backward). */
  readonly ends: readonly NodeProto[];
  /** Every node of the pattern, the end included, absorbed into the layer. */
  readonly used: readonly NodeProto[];
  readonly returnSequences: boolean;
  /** The ends are time-first sequence [time, batch, features] (read by the next recurrent op, or transposed back). */
  readonly timeFirst: boolean;
  readonly mergeMode: MergeMode | null;
}

/** The sole consumer of `output` if it has op `op` and passes `check`. */
function next(imp: Importer, output: string | undefined, op: string, check: (n: NodeProto) => boolean = () => true): NodeProto | undefined {
  const n = output === undefined || output === '' ? undefined : imp.soleConsumer(output);
  return n?.opType === op && check(n) ? n : undefined;
}

/** The axes a Squeeze or Reduce node takes, from its second input (opset 13+) or its attribute. */
const axesOf = (imp: Importer, n: NodeProto): string =>
  (n.input[1] !== undefined && n.input[1] !== '' ? Array.from(imp.constant(n.input[1], n).data) : (attr(n, 'axes') as number[] | undefined) ?? []).join();

const hasAxes = (imp: Importer, axes: number) => (n: NodeProto): boolean => axesOf(imp, n) === String(axes);
const hasPerm = (perm: string) => (n: NodeProto): boolean => (attr(n, 'perm') as number[] | undefined)?.join() === perm;
const reshapesTo = (imp: Importer, shape: string) => (n: NodeProto): boolean => Array.from(imp.constant(n.input[1], n).data).join() === shape;

/** A Gather of the scalar index `index` (or index − size) on `axis`. */
const gathers = (imp: Importer, axis: number, index: number, size: number) => (n: NodeProto): boolean => {
  const i = imp.isConstant(n.input[1]) ? imp.constant(n.input[1], n) : undefined;
  return (attr(n, 'axis') ?? 0) === axis && i?.dims.length === 0 && (i.data[0] === index || i.data[0] === index - size);
};

const REDUCE: ReadonlyArray<readonly [string, MergeMode]> = [['ReduceSum', 'sum'], ['ReduceProd', 'mul'], ['ReduceMean', 'ave']];

/** Y or Y_h of two directions merged over the direction axis: concatenated (time-first or batch-first), reduced, or split in two. */
function merged(imp: Importer, output: string, seqs: boolean): Omit<RecurrentEnd, 'returnSequences'> | undefined {
  const dirAxis = seqs ? 1 : 0;
  const split = next(imp, output, 'Split', (n) => n.output.length === 2 && (attr(n, 'axis') ?? 0) === dirAxis && (n.input[1] ?? '') === '');
  const parts = split?.output.map((o) => next(imp, o, 'Squeeze', hasAxes(imp, dirAxis)));
  if (split !== undefined && parts?.every((n) => n !== undefined) === true) return { ends: parts, used: [split, ...parts], timeFirst: seqs, mergeMode: null };
  for (const [op, mergeMode] of REDUCE) {
    const n = next(imp, output, op, (r) => hasAxes(imp, dirAxis)(r) && attr(r, 'keepdims') === 0);
    if (n !== undefined) return { ends: [n], used: [n], timeFirst: seqs, mergeMode };
  }
  for (const [perm, timeFirst] of seqs ? [['2,0,1,3', false], ['0,2,1,3', true]] as const : [['1,0,2', false]] as const) {
    const move = next(imp, output, 'Transpose', hasPerm(perm));
    const flat = next(imp, move?.output[0], 'Reshape', reshapesTo(imp, seqs ? '0,0,-1' : '0,-1'));
    if (move !== undefined && flat !== undefined) return { ends: [flat], used: [move, flat], timeFirst, mergeMode: 'concat' };
  }
  return undefined;
}

/** One direction's Y squeezed (and reversed for goBackwards), or its last step gathered; Y_h squeezed or gathered. */
function single(imp: Importer, node: NodeProto, reverse: boolean, time: number): Omit<RecurrentEnd, 'mergeMode'> | undefined {
  const [y, yh] = node.output;
  const squeeze = next(imp, y, 'Squeeze', hasAxes(imp, 1));
  if (squeeze !== undefined && !reverse) {
    const back = next(imp, squeeze.output[0], 'Transpose', hasPerm('1,0,2'));
    const last = next(imp, squeeze.output[0], 'Gather', gathers(imp, 0, time - 1, time)) ?? next(imp, back?.output[0], 'Gather', gathers(imp, 1, time - 1, time));
    if (last !== undefined) return { ends: [last], used: [squeeze, back, last].filter((n) => n !== undefined), returnSequences: false, timeFirst: false };
    return { ends: [squeeze], used: [squeeze], returnSequences: true, timeFirst: true };
  }
  // ONNX's reverse Y[t] is the state after reading x[T−1..t]; Keras's goBackwards output s is that after T−1..T−1−s.
  const flips = (n: NodeProto): boolean => n.input[4] !== undefined && imp.constant(n.input[4], n).data[0] === -1;
  const slice = next(imp, squeeze?.output[0], 'Slice', flips);
  if (squeeze !== undefined && slice !== undefined) return { ends: [slice], used: [squeeze, slice], returnSequences: true, timeFirst: true };
  const state = next(imp, yh, 'Squeeze', hasAxes(imp, 0)) ?? next(imp, yh, 'Gather', gathers(imp, 0, 0, 1));
  return state === undefined ? undefined : { ends: [state], used: [state], returnSequences: false, timeFirst: false };
}

/**
 * PyTorch's h_n with num_layers > 1: each layer's Y_h [1, batch, units] concatenated on axis 0, one row gathered
 * (h_n[-1]). Gives the Concat and Gather, and whether the row gathered is this op's.
 */
function stackedState(imp: Importer, yh: string): { nodes: NodeProto[]; mine: boolean } | undefined {
  const concat = next(imp, yh, 'Concat', (n) => attr(n, 'axis') === 0);
  const scalar = (n: NodeProto): boolean => (attr(n, 'axis') ?? 0) === 0 && imp.isConstant(n.input[1]) && imp.constant(n.input[1], n).dims.length === 0;
  const gather = next(imp, concat?.output[0], 'Gather', scalar);
  if (concat === undefined || gather === undefined) return undefined;
  const i = imp.constant(gather.input[1], gather).data[0];
  return { nodes: [concat, gather], mine: concat.input[i < 0 ? i + concat.input.length : i] === yh };
}

const isRead = (imp: Importer, name: string | undefined): boolean =>
  name !== undefined && name !== '' && (imp.graph.outputs.includes(name) || imp.readers(name).length > 0);

/** How the recurrent op `node` over `time` steps is read, or a ConfigError naming the form it is not. */
export function recurrentEnd(node: NodeProto, imp: Importer, direction: string, time: number): RecurrentEnd {
  const [y, yh, yc] = node.output;
  const refuse = (why: string): never => {
    throw new ConfigError(`loadOnnx: node ${node.name} (${node.opType}) ${why}; semiflow imports one output of a recurrent op: Y squeezed or its directions merged, the last step, or Y_h squeezed, gathered or merged`);
  };
  const stacked = direction === 'bidirectional' ? undefined : stackedState(imp, yh);
  if (isRead(imp, yc) || (isRead(imp, y) && (stacked?.mine ?? isRead(imp, yh)))) refuse('has more than one of its outputs read (returnState is not imported)');
  if (stacked?.mine === true) return { ends: [stacked.nodes[1]], used: stacked.nodes, returnSequences: false, timeFirst: false, mergeMode: 'concat' };
  if (direction === 'bidirectional') {
    const seq = merged(imp, y, true);
    const last = seq === undefined ? merged(imp, yh, false) : undefined;
    if (seq === undefined && last === undefined) refuse(isRead(imp, yh) ? 'reads one direction of Y_h (h_n[-1] of a bidirectional layer is its backward state alone)' : 'merges its two directions in a form other than concat, sum, mul, ave or a Split in two');
    return { ...(seq ?? last) as Omit<RecurrentEnd, 'returnSequences'>, returnSequences: seq !== undefined };
  }
  const one = single(imp, node, direction === 'reverse', time);
  return one === undefined ? refuse('is read in a form other than Y squeezed (and reversed for goBackwards), its last step, or Y_h squeezed') : { ...one, mergeMode: 'concat' };
}
