import { InputLayer } from '../layers/input-layer.ts';
import type { AnyLayer } from '../layers/layer.ts';
import type { GraphNode, SymbolicTensor } from '../layers/symbolic.ts';
import type { Model } from './model.ts';
import { penaltySummary } from '../layers/penalties.ts';

const count = (n: number): string => n.toLocaleString('en-US');

function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(2)} ${units[unit]}`;
}

/** A box table of rows, the first one a header; numeric columns are right-aligned. */
function boxTable(rows: readonly string[][], rightAligned: readonly boolean[]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const rule = (left: string, mid: string, right: string): string => left + widths.map((w) => '─'.repeat(w + 2)).join(mid) + right;
  const line = (r: readonly string[]): string =>
    `│${r.map((cell, c) => ` ${rightAligned[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])} `).join('│')}│`;
  return [rule('┌', '┬', '┐'), line(rows[0]), rule('├', '┼', '┤'), ...rows.slice(1).map(line), rule('└', '┴', '┘')];
}

/** A functional model, seen through its graph. */
interface Graph {
  readonly inputs: readonly SymbolicTensor[];
  readonly nodes: readonly GraphNode[];
}

const isGraph = (model: Model): model is Model & Graph => 'nodes' in model && 'inputs' in model;
const shapeText = (shape: readonly number[] | undefined): string => (shape === undefined ? '? (not built)' : `(None, ${shape.join(', ')})`);

/** One output's shape, or Keras's list of them for an operation with several outputs. */
const outputsText = (outputs: readonly SymbolicTensor[]): string =>
  (outputs.length === 1 ? shapeText(outputs[0].shape) : `[${outputs.map((t) => shapeText(t.shape)).join(', ')}]`);

interface Row {
  readonly label: string;
  readonly shape: string;
  readonly params: number;
  readonly trainable: number;
  readonly connectedTo?: string;
}

/** What one layer, or a model used as one, counts: all its weights, and those training updates. */
function counts(operation: object): { params: number; trainable: number } {
  const layers: readonly AnyLayer[] = 'parameterCount' in operation ? [operation as AnyLayer] : (operation as Model).layers;
  return {
    params: layers.reduce((n, l) => n + l.parameterCount, 0),
    trainable: layers.reduce((n, l) => n + l.trainableWeights.reduce((m, w) => m + w.value.size, 0), 0),
  };
}

/** A Sequential's layers in order. */
function sequentialRows(model: Model): Row[] {
  return model.layers.filter((layer) => !(layer instanceof InputLayer)).map((layer) => ({
    label: `${layer.name} (${layer.constructor.name})`, shape: shapeText(model.outputShapeOf(layer)), ...counts(layer),
  }));
}

/** A functional model's inputs, then each layer once, with the tensors it reads as `layer[node][tensor]`. */
function graphRows(model: Graph): Row[] {
  const nodesOf = new Map<object, GraphNode[]>();
  for (const node of model.nodes) nodesOf.set(node.operation, [...(nodesOf.get(node.operation) ?? []), node]);
  const ref = (t: SymbolicTensor): string => `${t.operationName}[${Math.max(0, nodesOf.get(t.node.operation)?.indexOf(t.node) ?? 0)}][${t.index}]`;
  const inputs = model.inputs.map((t) => ({ label: `${t.operationName} (InputLayer)`, shape: shapeText(t.shape), params: 0, trainable: 0, connectedTo: '-' }));
  const layers = [...nodesOf].map(([operation, nodes]) => ({
    label: `${(operation as AnyLayer).name} (${operation.constructor.name})`, shape: outputsText(nodes[0].outputs), ...counts(operation),
    connectedTo: nodes.flatMap((n) => n.inputs.map(ref)).join(', '),
  }));
  return [...inputs, ...layers];
}

/** Keras's summary: layer (type), output shape, parameters, and for a functional model what each layer reads; totals with byte sizes; loss and optimizer once compiled. */
export function summarize(model: Model): string {
  const bytesPerValue = model.dtype === 'float64' ? 8 : 4;
  const graph = isGraph(model);
  const entries = graph ? graphRows(model) : sequentialRows(model);
  const rows = [['Layer (type)', 'Output Shape', 'Param #', ...(graph ? ['Connected to'] : [])]];
  for (const e of entries) rows.push([e.label, e.shape, count(e.params), ...(graph ? [e.connectedTo ?? ''] : [])]);
  const trainable = entries.reduce((n, e) => n + e.trainable, 0);
  const frozen = entries.reduce((n, e) => n + e.params - e.trainable, 0);
  const total = trainable + frozen;
  const lines = [
    `Model: "${model.name}"`,
    ...boxTable(rows, [false, false, true, false]),
    ` Total params: ${count(total)} (${bytes(total * bytesPerValue)})`,
    ` Trainable params: ${count(trainable)} (${bytes(trainable * bytesPerValue)})`,
    ` Non-trainable params: ${count(frozen)} (${bytes(frozen * bytesPerValue)})`,
    ...penaltySummary(model.layers),
  ];
  const compiled = model.compiled;
  if (compiled !== undefined) {
    for (const output of compiled.outputs) {
      const fused = output.fusedLayer === null ? ''
        : ` fused with the ${output.loss.fused?.activation} of ${output.fusedLayer}: training uses ${output.trainingLoss.name} on its logits; predict still applies the ${output.loss.fused?.activation}`;
      const which = compiled.outputs.length > 1 ? ` (${output.name}, weight ${output.weight})` : '';
      lines.push(` Loss${which}: ${output.loss.name}${fused}`);
    }
    const config = Object.entries(compiled.optimizer.config).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}`).join(', ');
    lines.push(` Optimizer: ${compiled.optimizer.name}${config ? ` (${config})` : ''}`);
    for (const output of compiled.outputs) {
      const which = compiled.outputs.length > 1 ? ` (${output.name})` : '';
      if (output.metrics.length > 0) lines.push(` Metrics${which}: ${output.metrics.map((m) => m.name).join(', ')}`);
    }
  }
  return lines.join('\n');
}
