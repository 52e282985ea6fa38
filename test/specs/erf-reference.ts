// A reference erf for the tests, independent of the kernel's method: the alternating Maclaurin series
// erf x = (2/√π)·Σₙ (−1)ⁿ x^(2n+1) / (n!·(2n+1)), summed exactly enough in 256-bit fixed point that its
// cancellation (terms up to e^(x²) ≈ 4·10¹⁵ at |x| = 6) costs nothing a double can see.

const BITS = 256n;
const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** erf(v) for a double v, to about 1 ulp (the last rounding is that of 2/√π); beyond |v| = 6 it rounds to ±1. */
export function erfReference(v: number): number {
  if (Number.isNaN(v)) return v;
  if (Math.abs(v) >= 6) return Math.sign(v);
  // Below 2^-28 the series' second term, v²/3 relative, is under half an ulp.
  if (Math.abs(v) < 2 ** -28) return TWO_OVER_SQRT_PI * v;
  return TWO_OVER_SQRT_PI * (Number(maclaurinSum(v, BITS) >> (BITS - 100n)) / 2 ** 100);
}

/**
 * Σₙ (−1)ⁿ v^(2n+1) / (n!·(2n+1)) in fixed point with `bits` fraction bits. From |v| = 2^-28 up, v is a multiple
 * of 2^-80, so its conversion is exact.
 */
function maclaurinSum(v: number, bits: bigint): bigint {
  const one = 1n << bits;
  const x = (BigInt(Math.round(v * 2 ** 80)) << bits) >> 80n;
  const x2 = (x * x) >> bits;
  let power = x; // x^(2n+1)/n!
  let sum = 0n;
  for (let n = 0n; power !== 0n; n++) {
    const term = power / (2n * n + 1n);
    sum += n % 2n === 0n ? term : -term;
    power = (power * x2) / one / (n + 1n);
  }
  return sum;
}

/** 2/√π to 400 digits (Python's decimal: 2 / sqrt(pi) at 440 digits, pi from the series in its documentation), enough for erfc(27.5). */
const TWO_OVER_SQRT_PI_DIGITS =
  '1128379167095512573896158903121545171688101258657997713688171443421284936882986828973487320404214726'
  + '8860566958127234147033798629896523257327309790400355379865856752741191968795207049287004359451424231'
  + '6049154564044110901705434643324441692661622279902552690897204613647538183749031749323170260213279671'
  + '5543998754668320715597752333488152466078760432701203287243392470100916625063893758913312576651631043';

/**
 * erfc(v) = 1 − erf(v) for any double v, to about 1 ulp: the same series in fixed point with enough bits (256 plus
 * 2·v²·log2 e) that its terms of up to e^(v²) and the subtraction from 1 cost nothing a double can see, 2/√π included,
 * down to erfc(27) ≈ 5·10⁻³¹⁹. Beyond |v| = 27.5 erfc rounds to 0 or 2.
 */
export function erfcReference(v: number): number {
  if (Number.isNaN(v)) return v;
  if (Math.abs(v) > 27.5) return v > 0 ? 0 : 2;
  const bits = 256n + BigInt(Math.ceil(2 * v * v * Math.LOG2E));
  const one = 1n << bits;
  const twoOverSqrtPi = (BigInt(TWO_OVER_SQRT_PI_DIGITS) << bits) / 10n ** BigInt(TWO_OVER_SQRT_PI_DIGITS.length - 1);
  return fixedToNumber(one - ((twoOverSqrtPi * maclaurinSum(v, bits)) >> bits), bits);
}

/** A non-negative fixed-point value with `bits` fraction bits as a double (its top 64 bits, scaled in steps so that 2^−bits does not underflow). */
function fixedToNumber(value: bigint, bits: bigint): number {
  if (value === 0n) return 0;
  const shift = BigInt(Math.max(0, value.toString(2).length - 64));
  let result = Number(value >> shift);
  let exponent = Number(shift - bits);
  for (; exponent < -1000; exponent += 1000) result *= 2 ** -1000;
  return result * 2 ** exponent;
}
