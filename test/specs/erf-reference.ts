// A reference erf for the tests, independent of the kernel's method: the alternating Maclaurin series
// erf x = (2/√π)·Σₙ (−1)ⁿ x^(2n+1) / (n!·(2n+1)), summed exactly enough in 256-bit fixed point that its
// cancellation (terms up to e^(x²) ≈ 4·10¹⁵ at |x| = 6) costs nothing a double can see.

const BITS = 256n;
const ONE = 1n << BITS;
const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** erf(v) for a double v, to about 1 ulp (the last rounding is that of 2/√π); beyond |v| = 6 it rounds to ±1. */
export function erfReference(v: number): number {
  if (Number.isNaN(v)) return v;
  if (Math.abs(v) >= 6) return Math.sign(v);
  // Below 2^-28 the series' second term, v²/3 relative, is under half an ulp.
  if (Math.abs(v) < 2 ** -28) return TWO_OVER_SQRT_PI * v;
  // From 2^-28 up, v is a multiple of 2^-80: the conversion is exact.
  const x = (BigInt(Math.round(v * 2 ** 80)) * ONE) >> 80n;
  const x2 = (x * x) >> BITS;
  let power = x; // x^(2n+1)/n!
  let sum = 0n;
  for (let n = 0n; power !== 0n; n++) {
    const term = power / (2n * n + 1n);
    sum += n % 2n === 0n ? term : -term;
    power = (power * x2) / ONE / (n + 1n);
  }
  return TWO_OVER_SQRT_PI * (Number(sum >> (BITS - 100n)) / 2 ** 100);
}
