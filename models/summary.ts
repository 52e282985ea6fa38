import { InputLayer } from '../layers/input-layer.ts';
import type { Sequential } from './sequential.ts';
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

/** Keras's summary: layer (type), output shape and parameters; totals with byte sizes; loss and optimizer once compiled. */
export function summarize(model: Sequential): string {
  const bytesPerValue = model.dtype === 'float64' ? 8 : 4;
  const rows = [['Layer (type)', 'Output Shape', 'Param #']];
  let trainable = 0;
  let frozen = 0;
  for (const layer of model.layers) {
    if (layer instanceof InputLayer) continue;
    const shape = model.outputShapeOf(layer);
    const params = layer.parameterCount;
    const trainableHere = layer.trainableWeights.reduce((n, w) => n + w.value.size, 0);
    trainable += trainableHere;
    frozen += params - trainableHere;
    rows.push([`${layer.name} (${layer.constructor.name})`, shape === undefined ? '? (not built)' : `(None, ${shape.join(', ')})`, count(params)]);
  }
  const total = trainable + frozen;
  const lines = [
    `Model: "${model.name}"`,
    ...boxTable(rows, [false, false, true]),
    ` Total params: ${count(total)} (${bytes(total * bytesPerValue)})`,
    ` Trainable params: ${count(trainable)} (${bytes(trainable * bytesPerValue)})`,
    ` Non-trainable params: ${count(frozen)} (${bytes(frozen * bytesPerValue)})`,
    ...penaltySummary(model.layers),
  ];
  const compiled = model.compiled;
  if (compiled !== undefined) {
    const fused = compiled.fusedLayer === null ? ''
      : ` fused with the ${compiled.loss.fused?.activation} of ${compiled.fusedLayer}: training uses ${compiled.trainingLoss.name} on its logits; predict still applies the ${compiled.loss.fused?.activation}`;
    lines.push(` Loss: ${compiled.loss.name}${fused}`);
    const config = Object.entries(compiled.optimizer.config).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}`).join(', ');
    lines.push(` Optimizer: ${compiled.optimizer.name}${config ? ` (${config})` : ''}`);
    if (compiled.metrics.length > 0) lines.push(` Metrics: ${compiled.metrics.map((m) => m.name).join(', ')}`);
  }
  return lines.join('\n');
}
