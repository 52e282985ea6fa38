import type { Logs } from '../callbacks.ts';
import { escapeHtml } from './escape.ts';

/** One card of the page: a heading, an optional note under it, and its HTML body. */
export interface Card {
  readonly id: string;
  readonly title: string;
  readonly note?: string;
  readonly body: string;
  /** Spans both columns on wide screens. */
  readonly wide?: boolean;
}

export interface PageView {
  readonly title: string;
  readonly finished: boolean;
  readonly epochsDone: number;
  readonly epochs: number | undefined;
  readonly elapsedMs: number;
  readonly updatedAt: Date;
  /** Seconds between reloads while training; 0 means no <meta http-equiv="refresh">. */
  readonly refreshSeconds: number;
  readonly lastLogs: Logs;
  readonly cards: readonly Card[];
}

export const isAccuracyKey = (key: string): boolean => /acc/i.test(key);

/** A metric as people read it: accuracies in percent, the rest with four significant digits. */
export function formatMetric(key: string, value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (isAccuracyKey(key)) return `${(100 * value).toFixed(2)}%`;
  return Math.abs(value) < 1e-3 && value !== 0 ? value.toExponential(2) : value.toPrecision(4);
}

function formatElapsed(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(Math.round(seconds - 60 * minutes)).padStart(2, '0')} s`;
}

const CSS = `
:root{--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f6f7f9;--card:#fff;--accent:#2563eb;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
body{margin:0;padding:28px 32px 40px;max-width:1360px;margin-inline:auto;line-height:1.45}
header{margin-bottom:22px}
h1{font-size:24px;font-weight:650;margin:0 0 6px;letter-spacing:-.01em}
h2{font-size:15px;font-weight:600;margin:0 0 2px}
.status{margin:0;color:var(--muted);font-size:14px}
.status b{color:var(--ink);font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;font-weight:600;margin-right:6px;vertical-align:1px}
.badge.training{background:#fef3c7;color:#92400e}.badge.finished{background:#dcfce7;color:#166534}
.metrics{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0 0;padding:0}
.metrics div{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:6px 12px;min-width:92px}
.metrics dt{font-size:12px;color:var(--muted)}.metrics dd{margin:0;font-size:18px;font-weight:600;font-variant-numeric:tabular-nums}
.grid{display:grid;grid-template-columns:1fr;gap:18px}
@media (min-width:960px){.grid{grid-template-columns:1fr 1fr}.card.wide{grid-column:1/-1}}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;min-width:0;box-shadow:0 1px 2px rgb(0 0 0/.04)}
.note{margin:0 0 10px;color:var(--muted);font-size:13px}
svg.chart{display:block;width:100%;height:auto;font-size:12px;font-variant-numeric:tabular-nums}
svg.chart text{fill:#4b5563}svg.chart .legend-item text{fill:var(--ink)}
svg.chart .grid{stroke:#eef0f3}svg.chart .axis,svg.chart .tick-mark{stroke:#9ca3af}
svg.chart .axis-label{fill:var(--muted);font-size:12px}svg.chart .empty-note{fill:var(--muted);font-size:14px}
pre.summary{margin:8px 0 0;font:12px/1.35 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere;background:#f9fafb;border:1px solid var(--line);border-radius:6px;padding:10px 12px}
table.confusion{border-collapse:separate;border-spacing:3px;font-size:13px;font-variant-numeric:tabular-nums;margin-top:4px}
.confusion th{font-weight:600;color:var(--muted);padding:3px 6px}.confusion th[scope=row]{text-align:right}
.confusion .corner{font-weight:500;font-size:11px;text-align:right;white-space:nowrap}
.confusion td.cell{min-width:38px;height:30px;text-align:center;border-radius:3px}
.confusion td.diag{font-weight:700;outline:1.5px solid #1e3a8a;outline-offset:-1.5px}
.confusion td.zero{color:#c3c8d0}.confusion td.recall{color:var(--muted);padding-left:8px}
.misses{display:grid;grid-template-columns:repeat(auto-fill,minmax(76px,1fr));gap:10px;margin-top:6px}
.miss{margin:0;text-align:center}
.miss img{width:64px;height:64px;image-rendering:pixelated;border-radius:4px;border:1px solid var(--line);background:#000}
.miss figcaption{font-size:12px;white-space:nowrap}.miss .true{color:#15803d;font-weight:600}.miss .pred{color:#b91c1c;font-weight:600}
.miss .score{display:block;color:var(--muted);font-size:11px}
footer{margin-top:26px;color:var(--muted);font-size:12px}
`;

function card(c: Card): string {
  const note = c.note === undefined ? '' : `<p class="note">${escapeHtml(c.note)}</p>`;
  return `<article class="card${c.wide ? ' wide' : ''}" id="${c.id}"><h2>${escapeHtml(c.title)}</h2>${note}${c.body}</article>`;
}

/** The whole self-contained page: inline CSS, inline SVG, images as data: URIs, nothing fetched. */
export function renderPage(view: PageView): string {
  const refresh = !view.finished && view.refreshSeconds > 0 ? `<meta http-equiv="refresh" content="${view.refreshSeconds}">` : '';
  const badge = view.finished ? '<span class="badge finished">finished</span>' : '<span class="badge training">training…</span>';
  const epochText = `epoch <b>${view.epochsDone}</b>${view.epochs === undefined ? '' : ` / ${view.epochs}`}`;
  const updated = view.updatedAt.toTimeString().slice(0, 8);
  const metrics = Object.entries(view.lastLogs).filter(([k]) => k !== 'learning_rate')
    .map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(formatMetric(k, v))}</dd></div>`).join('');
  return '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    + `<meta name="viewport" content="width=device-width,initial-scale=1">${refresh}`
    + `<title>${escapeHtml(view.title)}</title><style>${CSS}</style></head><body>`
    + `<header><h1>${escapeHtml(view.title)}</h1>`
    + `<p class="status">${badge}${epochText} · <b>${formatElapsed(view.elapsedMs)}</b> elapsed · updated ${updated}</p>`
    + `${metrics ? `<dl class="metrics">${metrics}</dl>` : ''}</header>`
    + `<main class="grid">${view.cards.map(card).join('')}</main>`
    + '<footer>Written by semiflow’s TrainingReport. The page is self-contained: no scripts, no network.'
    + `${refresh ? ` It reloads every ${view.refreshSeconds} s while training.` : ''}</footer></body></html>\n`;
}
