import { smoothed } from './batch-loss.ts';
import type { Card } from './html.ts';
import { formatMetric, isAccuracyKey } from './html.ts';
import type { Point, Series } from './svg-chart.ts';
import { lineChart } from './svg-chart.ts';

/** Training colour and validation colour for the first, second, … metric of a chart. */
const PALETTE = [['#2563eb', '#ea580c'], ['#7c3aed', '#db2777'], ['#0d9488', '#ca8a04']] as const;

/** The lines for one chart: each training key, with its val_ twin when there is one. */
function epochSeries(history: ReadonlyMap<string, readonly number[]>, keys: readonly string[]): Series[] {
  return keys.flatMap((key, i) => {
    const [train, val] = PALETTE[i % PALETTE.length];
    const points = (k: string): Point[] => (history.get(k) ?? []).map((v, e) => [e + 1, v] as const);
    const lines: Series[] = [{ key, label: key, points: points(key), color: train, markers: true }];
    if (history.has(`val_${key}`)) lines.push({ key: `val_${key}`, label: `val_${key}`, points: points(`val_${key}`), color: val, dashed: true, markers: true });
    return lines;
  });
}

/** At most `limit` points, every k-th and always the last, so a long run keeps the page small. */
function thin(points: readonly Point[], limit: number): Point[] {
  if (points.length <= limit) return [...points];
  const every = Math.ceil(points.length / limit);
  return points.filter((_, i) => i % every === 0 || i === points.length - 1);
}

/** Per-step lines keep at most this many points. */
const MAX_STEP_POINTS = 1000;

/** Each batch's loss smoothed as TensorBoard does, drawn faint under the per-epoch points. */
function batchLossSeries(losses: readonly Point[]): Series[] {
  if (losses.length === 0) return [];
  const values = smoothed(losses.map((p) => p[1]));
  const points = thin(losses.map((p, i) => [p[0], values[i]] as const), MAX_STEP_POINTS);
  return [{ key: 'batch_loss', label: 'batch loss (smoothed)', points, color: '#93c5fd' }];
}

/**
 * The loss chart (per epoch, and per batch smoothed), a chart of the other metrics (accuracy) if any, and the
 * learning rate over time. Per-batch values sit at x = epoch + (batch + 1) / batches, so the last batch of an
 * epoch is level with that epoch's point; the rate is per epoch when the batch logs carry no learning_rate.
 */
export function chartCards(
  history: ReadonlyMap<string, readonly number[]>, rates: readonly Point[], losses: readonly Point[], epochs: number | undefined,
): Card[] {
  const done = Math.max(0, ...[...history.values()].map((v) => v.length));
  const xDomain = [1, Math.max(2, epochs ?? done)] as const;
  const metricKeys = [...history.keys()].filter((k) => !k.startsWith('val_') && k !== 'loss' && k !== 'learning_rate');
  const cards: Card[] = [{
    id: 'loss', title: 'Loss',
    body: lineChart([...batchLossSeries(losses), ...epochSeries(history, ['loss'])],
      { title: 'Loss', xLabel: 'epoch', xDomain: [losses.length > 0 ? 0 : 1, xDomain[1]], integerX: true }),
  }];
  if (metricKeys.length > 0) {
    const title = metricKeys.every(isAccuracyKey) ? 'Accuracy' : 'Metrics';
    cards.push({
      id: 'metrics', title,
      body: lineChart(epochSeries(history, metricKeys), { title, xLabel: 'epoch', xDomain, integerX: true, formatValue: (v) => formatMetric(metricKeys[0], v) }),
    });
  }
  const perEpoch = (history.get('learning_rate') ?? []).map((v, e) => [e + 1, v] as const);
  const ratePoints = rates.length > 0 ? thin(rates, MAX_STEP_POINTS) : perEpoch;
  cards.push({
    id: 'learning-rate', title: 'Learning rate',
    note: ratePoints.length === 0 ? 'The logs carry no learning_rate.' : rates.length > 0 ? 'per training step' : 'per epoch',
    body: lineChart([{ key: 'learning_rate', label: 'learning rate', points: ratePoints, color: '#059669', markers: rates.length === 0 }],
      { title: 'Learning rate', xLabel: 'epoch', xDomain: [rates.length > 0 ? 0 : 1, xDomain[1]], integerX: true, formatValue: (v) => v.toExponential(3) }),
  });
  return cards;
}
