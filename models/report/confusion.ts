import { escapeHtml } from './escape.ts';

/** counts[t][p] = how many rows of true class t the model put in class p. */
export function confusionMatrix(trueLabels: Int32Array, predicted: Int32Array, classes: number): number[][] {
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  trueLabels.forEach((t, i) => { counts[t][predicted[i]]++; });
  return counts;
}

/** White to blue by the share of its row, so each true class shows where its samples went whatever its size. */
function cellStyle(count: number, rowTotal: number): string {
  const share = rowTotal === 0 ? 0 : count / rowTotal;
  const lightness = 97 - share * 60;
  return `background:hsl(217 80% ${lightness.toFixed(1)}%);${lightness < 62 ? 'color:#fff;' : ''}`;
}

/**
 * The matrix as an HTML table: rows are true classes, columns predicted ones; each cell carries
 * data-true, data-pred and its count. The last column is the row's recall (diagonal / row total).
 */
export function confusionTable(counts: readonly (readonly number[])[], names: readonly string[]): string {
  const head = `<tr><th class="corner">true \\ pred</th>${names.map((n) => `<th scope="col">${escapeHtml(n)}</th>`).join('')}<th class="recall">recall</th></tr>`;
  const rows = counts.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    const cells = row.map((c, p) => `<td class="cell${t === p ? ' diag' : ''}${c === 0 ? ' zero' : ''}" data-true="${t}" data-pred="${p}" style="${cellStyle(c, total)}">${c}</td>`).join('');
    const recall = total === 0 ? '–' : `${((100 * row[t]) / total).toFixed(1)}%`;
    return `<tr><th scope="row">${escapeHtml(names[t])}</th>${cells}<td class="recall">${recall}</td></tr>`;
  }).join('');
  return `<table class="confusion">${head}${rows}</table>`;
}
