import { escapeHtml } from './escape.ts';
import { niceAxis, tickLabels } from './ticks.ts';

export type Point = readonly [x: number, y: number];

export interface Series {
  /** The log key, written as data-series so a test or script can find the line and its points. */
  readonly key: string;
  readonly label: string;
  readonly points: readonly Point[];
  readonly color: string;
  readonly dashed?: boolean;
  /** One <circle class="point"> per point (per-epoch series); per-batch series are a line only. */
  readonly markers?: boolean;
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  /** The x range to show even before the data fills it, e.g. [1, epochs]. */
  readonly xDomain?: readonly [number, number];
  readonly integerX?: boolean;
  /** How a value reads in a point's tooltip. */
  readonly formatValue?: (value: number) => string;
}

const WIDTH = 520;
const HEIGHT = 300;
const MARGIN = { left: 64, right: 18, top: 40, bottom: 46 };

const fmt = (v: number): string => (Math.round(v * 10) / 10).toString();

function legend(series: readonly Series[]): string {
  let x = MARGIN.left;
  return series.map((s) => {
    const item = `<g class="legend-item" transform="translate(${x},16)">`
      + `<line x1="0" y1="0" x2="22" y2="0" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`
      + (s.markers ? `<circle cx="11" cy="0" r="3.5" fill="${s.color}"/>` : '')
      + `<text x="28" y="4">${escapeHtml(s.label)}</text></g>`;
    x += 40 + s.label.length * 7.2;
    return item;
  }).join('');
}

/**
 * A line chart as inline SVG: gridlines and ticks on both axes, one polyline per series
 * (`<polyline class="line" data-series=… data-points=n>`), optional point markers, and a legend above the plot.
 */
export function lineChart(series: readonly Series[], options: ChartOptions): string {
  const all = series.flatMap((s) => s.points);
  const label = `${escapeHtml(options.title)} chart`;
  if (all.length === 0) {
    return `<svg class="chart empty" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${label}">`
      + `<text class="empty-note" x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">no data yet</text></svg>`;
  }
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]).filter(Number.isFinite);
  const [xLo, xHi] = options.xDomain ?? [Math.min(...xs), Math.max(...xs)];
  const xAxis = niceAxis(Math.min(xLo, ...xs), Math.max(xHi, ...xs), 6, options.integerX);
  const yAxis = niceAxis(ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1, 5);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number): number => MARGIN.left + ((x - xAxis.min) / (xAxis.max - xAxis.min)) * plotW;
  const sy = (y: number): number => MARGIN.top + plotH - ((y - yAxis.min) / (yAxis.max - yAxis.min)) * plotH;
  const bottom = MARGIN.top + plotH;

  const yLabels = tickLabels(yAxis.ticks, yAxis.step);
  const xLabels = tickLabels(xAxis.ticks, xAxis.step);
  const grid = [
    ...yAxis.ticks.map((t, i) => `<line class="grid" x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${fmt(sy(t))}" y2="${fmt(sy(t))}"/>`
      + `<text class="tick y" x="${MARGIN.left - 8}" y="${fmt(sy(t) + 4)}" text-anchor="end">${yLabels[i]}</text>`),
    ...xAxis.ticks.map((t, i) => `<line class="tick-mark" x1="${fmt(sx(t))}" x2="${fmt(sx(t))}" y1="${bottom}" y2="${bottom + 5}"/>`
      + `<text class="tick x" x="${fmt(sx(t))}" y="${bottom + 18}" text-anchor="middle">${xLabels[i]}</text>`),
  ].join('');
  const axes = `<line class="axis" x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${bottom}" y2="${bottom}"/>`
    + `<line class="axis" x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${bottom}"/>`
    + `<text class="axis-label" x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>`;
  const show = options.formatValue ?? ((v: number) => v.toPrecision(4));
  const lines = series.filter((s) => s.points.length > 0).map((s) => {
    const key = escapeHtml(s.key);
    const points = s.points.filter((p) => Number.isFinite(p[1]));
    const line = `<polyline class="line" data-series="${key}" data-points="${points.length}" fill="none" stroke="${s.color}" stroke-width="2.2"`
      + `${s.dashed ? ' stroke-dasharray="6 4"' : ''} stroke-linejoin="round" points="${points.map((p) => `${fmt(sx(p[0]))},${fmt(sy(p[1]))}`).join(' ')}"/>`;
    const markers = s.markers
      ? points.map((p) => `<circle class="point" data-series="${key}" cx="${fmt(sx(p[0]))}" cy="${fmt(sy(p[1]))}" r="3.5" fill="${s.color}">`
        + `<title>${escapeHtml(s.label)}, ${escapeHtml(options.xLabel)} ${p[0]}: ${escapeHtml(show(p[1]))}</title></circle>`).join('')
      : '';
    return `<g class="series">${line}${markers}</g>`;
  }).join('');
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${label}">${legend(series)}${grid}${axes}${lines}</svg>`;
}
