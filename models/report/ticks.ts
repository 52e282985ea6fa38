/** A "nice" step for about `count` intervals over `span`: 1, 2, 2.5 or 5 times a power of ten. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

export interface Axis {
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
  readonly step: number;
}

/**
 * An axis covering [lo, hi], widened to whole steps so the ends carry ticks. A flat range (spread under a
 * millionth of its size, which reads as flat anyway) is padded by 10% of its size (or 1 near zero) on each side.
 */
export function niceAxis(lo: number, hi: number, count = 5, integer = false): Axis {
  const size = Math.max(Math.abs(lo), Math.abs(hi));
  if (hi - lo <= size * 1e-6 || hi - lo < 1e-200) {
    const centre = (lo + hi) / 2;
    const pad = Math.abs(centre) > 1e-200 ? Math.abs(centre) * 0.1 : 1;
    lo = centre - pad;
    hi = centre + pad;
  }
  let step = niceStep(hi - lo, count);
  if (integer) step = Math.max(1, Math.round(step));
  const min = Math.floor(lo / step + 1e-9) * step;
  const max = Math.max(Math.ceil(hi / step - 1e-9), Math.floor(lo / step + 1e-9) + 1) * step;
  const ticks: number[] = [];
  for (let i = 0; min + i * step <= max + step * 1e-9; i++) ticks.push(Number((min + i * step).toPrecision(12)));
  return { min, max, ticks, step };
}

/** The fewest decimals (up to 12) that write x exactly enough: 2.5 needs 1, 0.02 needs 2. */
function decimalsOf(x: number): number {
  for (let d = 0; d < 12; d++) {
    const scaled = Math.abs(x) * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return d;
  }
  return 12;
}

/**
 * Labels for an axis's ticks, all in one form: fixed with the decimals the step needs, or, when the largest tick
 * is below 1e-3 or from 1e6 up, exponent form with the mantissa decimals the ticks need (2.0e-5 … 1.0e-4).
 */
export function tickLabels(ticks: readonly number[], step: number): string[] {
  const largest = Math.max(...ticks.map(Math.abs));
  if (largest > 0 && (largest < 1e-3 || largest >= 1e6)) {
    const mantissa = (v: number): number => (v === 0 ? 0 : v / 10 ** Math.floor(Math.log10(Math.abs(v))));
    const decimals = Math.max(...ticks.map((t) => decimalsOf(mantissa(t))));
    return ticks.map((t) => (t === 0 ? '0' : t.toExponential(decimals)));
  }
  const decimals = decimalsOf(step);
  return ticks.map((t) => (t === 0 ? '0' : t.toFixed(decimals)));
}
