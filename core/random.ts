import { ValueError, describeValue } from './errors.ts';

/**
 * A seeded generator (xoshiro128**, seeded through splitmix32). One seed gives one stream,
 * on every machine, so a seed reproduces initialisation, shuffling and dropout exactly.
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    checkSeed(seed, 'Rng');
    // The low 32 bits (two's complement for a negative seed) start splitmix; the high part is mixed in below.
    let x = seed >>> 0;
    const splitmix = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = splitmix();
    this.s1 = splitmix();
    this.s2 = splitmix();
    this.s3 = splitmix() | 1;
    // Seeds outside [0, 2^32) share their low bits with one inside; multiplying by an odd constant is a bijection
    // on 32-bit words, so every integer seed keeps a stream of its own, and seeds in [0, 2^32) are unchanged.
    const high = Math.floor(seed / 2 ** 32);
    if (high !== 0) this.s1 = (this.s1 ^ Math.imul(high, 0x9e3779b1)) >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal by Box-Muller; 1 - u keeps the log away from 0. */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = 2 * Math.PI * this.next();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Seeds are integers, as in NumPy and PyTorch: 1.5 would otherwise be silently the same seed as 1. Any safe integer
 * (|seed| < 2^53) gives its own stream.
 */
export function checkSeed(seed: unknown, who: string): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new ValueError(`${who}: seed must be an integer with |seed| < 2^53, got ${describeValue(seed)}`);
  }
  return seed;
}

let globalRng = new Rng(0);

/** Reseeds the generator used by random ops that are given no seed. */
export function setSeed(seed: number): void {
  globalRng = new Rng(checkSeed(seed, 'setSeed'));
}

/** A generator from a seed, an existing generator, or the global one. */
export function rngFrom(seed: number | Rng | undefined): Rng {
  if (seed instanceof Rng) return seed;
  return seed === undefined ? globalRng : new Rng(seed);
}

/** A 32-bit seed for one (stream, index) pair, so each epoch's shuffle and each step's dropout get their own generator. */
export function derivedSeed(seed: number, stream: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ Math.imul(stream + 1, 0xc2b2ae35), 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15) ^ index, 0x165667b1);
  return (h ^ (h >>> 16)) >>> 0;
}
