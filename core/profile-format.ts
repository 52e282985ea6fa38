import { checkOptionKeys, oneOf, positiveInt } from './options.ts';
import type { ProfilePhase, ProfileReport, ProfileRow } from './profile.ts';

export interface FormatProfileOptions {
  /** 'prim' (default) sums each primitive's calls per phase; 'shape' keeps one row per operand shapes. */
  by?: 'prim' | 'shape';
  /** Show at most this many rows; the rest are summed into one line. */
  top?: number;
  title?: string;
}

/** Sums rows that share a primitive and phase. */
function byPrimitive(rows: readonly ProfileRow[]): ProfileRow[] {
  const merged = new Map<string, ProfileRow>();
  for (const r of rows) {
    const key = `${r.prim}|${r.phase}`;
    const seen = merged.get(key);
    if (seen === undefined) {
      merged.set(key, { ...r, detail: '' });
      continue;
    }
    seen.calls += r.calls;
    seen.ms += r.ms;
    seen.bytes += r.bytes;
    seen.flops = seen.flops === null || r.flops === null ? null : seen.flops + r.flops;
  }
  return [...merged.values()].sort((a, b) => b.ms - a.ms);
}

const fixed = (value: number, digits: number): string => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The report as a text table: one row per primitive (and phase), then the time outside kernels and the total. */
export function formatProfile(report: ProfileReport, options: FormatProfileOptions = {}): string {
  checkOptionKeys(options, ['by', 'top', 'title'], 'formatProfile');
  const by = oneOf(options.by ?? 'prim', ['prim', 'shape'] as const, 'by', 'formatProfile');
  const top = options.top === undefined ? Infinity : positiveInt(options.top, 'top', 'formatProfile');
  const rows = by === 'prim' ? byPrimitive(report.rows) : report.rows;
  const wall = report.wallMs;
  const percent = (ms: number): string => (wall > 0 ? `${fixed((100 * ms) / wall, 1)}%` : '-');
  const table: string[][] = [['primitive', 'phase', 'calls', 'total ms', '% wall', 'ms/call', 'GFLOP/s', 'MB out']];
  if (by === 'shape') table[0].splice(2, 0, 'operands');
  const shown = rows.slice(0, top);
  for (const r of shown) {
    const gflops = r.flops === null || r.ms === 0 ? '-' : fixed(r.flops / r.ms / 1e6, 2);
    const line = [r.prim, r.phase, String(r.calls), fixed(r.ms, 1), percent(r.ms), fixed(r.ms / r.calls, 3), gflops, fixed(r.bytes / 1e6, 1)];
    if (by === 'shape') line.splice(2, 0, r.detail);
    table.push(line);
  }
  const pad = by === 'shape' ? [''] : [];
  const blank = (label: string, ms: number, calls = ''): string[] => [label, '', ...pad, calls, fixed(ms, 1), percent(ms), '', '', ''];
  const rest = rows.slice(top);
  if (rest.length > 0) {
    table.push(blank(`(${rest.length} more rows)`, rest.reduce((s, r) => s + r.ms, 0), String(rest.reduce((s, r) => s + r.calls, 0))));
  }
  const phaseMs = (phase: ProfilePhase): number => report.rows.filter((r) => r.phase === phase).reduce((s, r) => s + r.ms, 0);
  table.push(blank('kernels, forward', phaseMs('forward')));
  table.push(blank('kernels, backward', phaseMs('backward')));
  table.push(blank('other (JS, tape, optimizer)', report.otherMs));
  table.push(blank('profiler bookkeeping', report.overheadMs));
  table.push(blank('wall', wall));
  const widths = table[0].map((_, c) => Math.max(...table.map((line) => line[c].length)));
  const numeric = new Set(by === 'shape' ? [3, 4, 5, 6, 7, 8] : [2, 3, 4, 5, 6, 7]);
  const render = (line: string[]): string => line.map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const rule = '-'.repeat(widths.reduce((s, w) => s + w + 2, -2));
  const totalsAt = table.length - 5;
  const lines = table.map(render);
  lines.splice(totalsAt, 0, rule);
  lines.splice(1, 0, rule);
  const title = options.title === undefined ? [] : [options.title];
  const legend = 'GFLOP/s counts matmul as 2·m·n·k, elementwise ops 1 per output element, sum/max/fold 1 per input element; MB out: new output arrays.';
  return [...title, ...lines, legend].join('\n');
}
