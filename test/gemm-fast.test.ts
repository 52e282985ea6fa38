// The WebAssembly SIMD GEMM against the reference matmul kernel: parity within a rounding bound derived
// from k, the same bits for any thread count, the same bits as its arithmetic replayed in JS (with and
// without FMA), NaN/±Infinity like the reference, the fallbacks, the worker pool on its own, and a script
// under tsx that uses the workers and exits by itself.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TypedArray } from '../core/dtype.ts';
import { fastKernels } from '../core/kernels/fast/index.ts';
import { configureGemm, fastMatmul, gemmInfo, gemmReady } from '../core/kernels/fast/matmul.ts';
import { matmulKernel } from '../core/kernels/matmul.ts';
import { WorkerPool } from '../core/kernels/threads/pool.ts';
import { wasmApi } from '../core/kernels/wasm/api.ts';
import { FunctionBuilder, encodeModule, i32 } from '../core/kernels/wasm/emit.ts';
import { wasmGemm } from '../core/kernels/wasm/gemm.ts';
import { BLOCKING, createGemmRuntime } from '../core/kernels/wasm/runtime.ts';
import { ConfigError } from 'semiflow';
import { emulateGemm, fmaF32 } from './gemm-emulation.ts';
import type { Case } from './matmul-cases.ts';
import { batchOf, label, operands, productSums, runMatmul, uniform } from './matmul-cases.ts';

const u = 2 ** -24;

/**
 * Each element of ours is a float32 sum in which every product is rounded at most once (not at all when the
 * multiply-add is fused) and passes through at most k+1 additions, so it is within γ(k+2)·Σ|a||b| of the exact sum (γ(j) = j·u/(1−j·u), u = 2^-24);
 * the reference rounds a float64 sum once to float32, within u·Σ|a||b| plus float64 error (< u·Σ|a||b|).
 */
function expectWithinBound(c: Case, ours: TypedArray, ref: TypedArray, a: TypedArray, b: TypedArray): void {
  const gamma = ((c.k + 2) * u) / (1 - (c.k + 2) * u);
  const scale = productSums(c, a, b, Math.abs);
  expect(ours.length, label(c)).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const bound = (gamma + 2 * u) * scale[i];
    if (!(Math.abs(ours[i] - ref[i]) <= bound)) expect.fail(`${label(c)}: element ${i} is ${ours[i]}, reference ${ref[i]}, bound ${bound}`);
  }
}

function sameBits(x: TypedArray, y: TypedArray): boolean {
  const bx = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const by = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
  return bx.length === by.length && bx.every((v, i) => v === by[i]);
}

const side = fc.integer({ min: 1, max: 70 });
const arbCase: fc.Arbitrary<Case> = fc.record({
  lead: fc.constantFrom([], [1], [2], [3]),
  m: side,
  k: side,
  n: side,
  transposeA: fc.boolean(),
  transposeB: fc.boolean(),
  seed: fc.integer(),
});

describe('the WebAssembly GEMM', () => {
  let restore: () => void = () => {};
  beforeAll(async () => {
    // Every float32 product goes to WebAssembly, on threads from the first flop.
    restore = configureGemm({ threads: 3, wasmMinFlops: 0, threadMinFlops: 0, adaptiveThreads: false });
    await gemmReady();
  });
  afterAll(() => restore());

  it('is the matmul of the fast kernel table, with SIMD available here', () => {
    expect(fastKernels.matmul).toBe(fastMatmul);
    expect(gemmInfo()).toMatchObject({ simd: true, threads: 3, tile: '4x8' });
  });

  it('multiply-adds with relaxed_madd: Node 20 gets relaxed SIMD by turning its flag on at run time', () => {
    expect(gemmInfo().fma).toBe(true);
  });

  it('gives the bits of its arithmetic replayed in JS: fused with relaxed_madd (or separate where the CPU has no FMA), separate without', () => {
    const plain = createGemmRuntime(false);
    expect(plain?.fma).toBe(false);
    const cases: Case[] = [
      { lead: [], m: 37, k: 600, n: 29, transposeA: false, transposeB: false, seed: 11 },
      { lead: [2], m: 9, k: 300, n: 70, transposeA: true, transposeB: true, seed: 12 },
      { lead: [], m: 130, k: 9, n: 32, transposeA: false, transposeB: true, seed: 13 },
      { lead: [3], m: 5, k: 513, n: 3, transposeA: true, transposeB: false, seed: 14 },
    ];
    let fusedDiffers = false;
    for (const c of cases) {
      const [a, b] = operands(c);
      const fused = emulateGemm(c, a, b, true, BLOCKING.kc);
      const separate = emulateGemm(c, a, b, false, BLOCKING.kc);
      fusedDiffers ||= !sameBits(fused, separate);
      for (const threads of [1, 3]) {
        const back = configureGemm({ threads });
        try {
          const ours = runMatmul(fastMatmul, c, a, b);
          expect(sameBits(ours, fused) || sameBits(ours, separate), `${label(c)} on ${threads} threads`).toBe(true);
        } finally {
          back();
        }
      }
      const problem = { a: a as Float32Array, b: b as Float32Array, batch: batchOf(c), m: c.m, n: c.n, k: c.k, transposeA: c.transposeA, transposeB: c.transposeB };
      const withoutFma = wasmGemm(problem, undefined, 1, plain);
      expect(withoutFma && sameBits(withoutFma, separate), `${label(c)} without FMA`).toBe(true);
    }
    // The replay tells the two apart, so the comparison above says which one ran.
    expect(fusedDiffers).toBe(true);
  });

  it('replays a fused multiply-add exactly (the float64 sum corrected where it sits halfway between two float32)', () => {
    // 1 + 2^-23 squared is 1 + 2^-22 + 2^-46: separately rounded, the 2^-46 is lost before 1 + 2^-22 is taken away.
    const x = 1 + 2 ** -23;
    expect(fmaF32(x, x, -(1 + 2 ** -22))).toBe(2 ** -46);
    // 2^-24(1 + 2^-15)·(1 − 2^-15) + (1 + 2^-23) = 1 + 3·2^-24 − 2^-54: its float64 sum is the float32 midpoint
    // 1 + 3·2^-24, which rounds to even (1 + 2^-22), but the exact sum is below it, so 1 + 2^-23.
    expect(fmaF32(2 ** -24 * (1 + 2 ** -15), 1 - 2 ** -15, 1 + 2 ** -23)).toBe(1 + 2 ** -23);
    expect(Math.fround(1 + 3 * 2 ** -24)).toBe(1 + 2 ** -22);
  });

  it('matches the reference kernel within γ(k+2)·Σ|a||b| on 1 and 3 threads, every transpose and batch', () => {
    fc.assert(
      fc.property(arbCase, fc.constantFrom(1, 3), (c, threads) => {
        const [a, b] = operands(c);
        const back = configureGemm({ threads });
        try {
          const ours = runMatmul(fastMatmul, c, a, b);
          expect(ours).toBeInstanceOf(Float32Array);
          expectWithinBound(c, ours, runMatmul(matmulKernel, c, a, b), a, b);
        } finally {
          back();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('stays within the bound across several 256-deep blocks of k and several packed blocks of rows and columns', () => {
    const cases: Case[] = [
      { lead: [], m: 131, k: 600, n: 1037, transposeA: false, transposeB: true, seed: 1 },
      { lead: [2], m: 70, k: 513, n: 9, transposeA: true, transposeB: false, seed: 2 },
      { lead: [], m: 5, k: 1500, n: 3, transposeA: true, transposeB: true, seed: 3 },
      // Split by rows: op(B) packed once for all pieces (three blocks of k).
      { lead: [], m: 300, k: 520, n: 40, transposeA: false, transposeB: true, seed: 8 },
    ];
    for (const c of cases) {
      const [a, b] = operands(c);
      expectWithinBound(c, runMatmul(fastMatmul, c, a, b), runMatmul(matmulKernel, c, a, b), a, b);
    }
  });

  it('gives the same bits on 1, 2 and 3 threads', () => {
    const cases: Case[] = [
      { lead: [], m: 301, k: 300, n: 70, transposeA: false, transposeB: false, seed: 4 },
      { lead: [], m: 9, k: 777, n: 203, transposeA: true, transposeB: true, seed: 5 },
      { lead: [3], m: 37, k: 64, n: 41, transposeA: false, transposeB: true, seed: 6 },
      { lead: [], m: 1, k: 1, n: 1, transposeA: true, transposeB: false, seed: 7 },
      // Split by rows, op(B) packed once: two blocks of 1024 columns (the last 6 wide) and two of k.
      { lead: [], m: 600, k: 300, n: 1030, transposeA: true, transposeB: false, seed: 9 },
    ];
    for (const c of cases) {
      const [a, b] = operands(c);
      const results = [1, 2, 3].map((threads) => {
        const back = configureGemm({ threads });
        try {
          return runMatmul(fastMatmul, c, a, b);
        } finally {
          back();
        }
      });
      expect(sameBits(results[0], results[1]), `${label(c)}: 1 vs 2 threads`).toBe(true);
      expect(sameBits(results[0], results[2]), `${label(c)}: 1 vs 3 threads`).toBe(true);
    }
  });

  it('propagates NaN and ±Infinity as the reference does, and none leaks from padded tiles', () => {
    for (const [transposeA, transposeB] of [[false, false], [false, true], [true, false], [true, true]]) {
      const c: Case = { lead: [2], m: 5, k: 6, n: 11, transposeA, transposeB, seed: 7 };
      const [a, b] = operands(c);
      a[3] = Infinity;
      a[40] = -Infinity;
      b[5] = NaN;
      b[100] = Infinity;
      b[101] = 0;
      const ours = runMatmul(fastMatmul, c, a, b);
      const ref = runMatmul(matmulKernel, c, a, b);
      let nonFinite = 0;
      for (let i = 0; i < ref.length; i++) {
        if (Number.isFinite(ref[i])) continue;
        nonFinite++;
        expect(ours[i], `${label(c)}: element ${i}`).toBe(ref[i]);
      }
      expect(nonFinite).toBeGreaterThan(0);
      const finite = Array.from(ours).filter((x) => Number.isFinite(x)).length;
      expect(finite, label(c)).toBe(ref.length - nonFinite);
    }
  });

  it('leaves float64, an empty inner dimension and empty results to the reference kernel', () => {
    const c: Case = { lead: [2], m: 7, k: 9, n: 5, transposeA: true, transposeB: false, seed: 8 };
    const [a, b] = operands(c, 'float64');
    const ours = runMatmul(fastMatmul, c, a, b);
    expect(ours).toBeInstanceOf(Float64Array);
    expect(sameBits(ours, runMatmul(matmulKernel, c, a, b))).toBe(true);
    const empty: Case = { ...c, k: 0 };
    expect(Array.from(runMatmul(fastMatmul, empty, new Float32Array(0), new Float32Array(0)))).toEqual(new Array(2 * 7 * 5).fill(0));
    const noRows: Case = { ...c, m: 0 };
    expect(runMatmul(fastMatmul, noRows, new Float32Array(0), uniform(1, 2 * 9 * 5)).length).toBe(0);
  });

  it('rejects bad settings with a ConfigError that names the option', () => {
    expect(() => configureGemm({ threads: 0 })).toThrow(/configureGemm: threads must be a positive integer, got number 0/);
    expect(() => configureGemm({ wasmMinFlops: -1 })).toThrow(ConfigError);
    expect(() => configureGemm({ adaptiveThreads: 1 as never })).toThrow(/configureGemm: adaptiveThreads must be/);
    expect(() => configureGemm({ thread: 2 } as never)).toThrow(/unknown option 'thread'/);
  });
});

describe('the worker pool', () => {
  /** spin(arg, piece, worker): busy-waits mem[arg] iterations, then adds 1 + 256·worker to the piece's slot. */
  function markingModule() {
    const f = new FunctionBuilder([i32, i32, i32]);
    const [arg, piece, worker] = [0, 1, 2];
    const [i, slot] = [f.local(i32), f.local(i32)];
    f.forRange(i, () => f.i32(0), () => f.get(arg).loadI32(), 1, () => {});
    f.get(arg).get(piece).i32(4).mul().add().i32(4).add().set(slot);
    f.get(slot).get(slot).loadI32().i32(1).add().get(worker).i32(256).mul().add().storeI32();
    return new wasmApi.Module(encodeModule({ memory: { initialPages: 1, maximumPages: 16, shared: true }, exports: { spin: f } }));
  }

  it('runs every piece exactly once, some of them on the workers', async () => {
    const memory = new wasmApi.Memory({ initial: 1, maximum: 16, shared: true });
    const pool = new WorkerPool(markingModule(), memory, 'spin');
    pool.grow(3);
    await pool.ready();
    expect(pool.error).toBeUndefined();
    const words = new Int32Array(memory.buffer);
    const pieces = 64;
    const byWorker = new Set<number>();
    let workerPieces = 0;
    // Pieces of ~0.1 ms: the caller cannot take them all before a woken worker takes one.
    for (let round = 0; round < 20 && byWorker.size < 2; round++) {
      words.fill(0);
      words[0] = 100_000;
      workerPieces += pool.run(0, pieces);
      for (let q = 0; q < pieces; q++) {
        expect(words[1 + q] & 0xff, `round ${round}, piece ${q}`).toBe(1);
        byWorker.add(words[1 + q] >> 8);
      }
    }
    expect(workerPieces).toBeGreaterThan(0);
    expect([...byWorker].some((w) => w > 0)).toBe(true);
    expect([...byWorker].every((w) => w >= 0 && w < 3)).toBe(true);
  });
});

describe('a script under tsx', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'semiflow-gemm-'));
  const script = join(dir, 'threads.mts');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(script, `
import ${JSON.stringify(join(root, 'platform/node/register.ts'))};
import { configureGemm, fastMatmul, gemmInfo, gemmReady } from ${JSON.stringify(join(root, 'core/kernels/fast/matmul.ts'))};
const fromEnv = gemmInfo().threads;
const a = Float32Array.from({ length: 300 * 200 }, (_, i) => Math.sin(i));
const b = Float32Array.from({ length: 200 * 100 }, (_, i) => Math.cos(i));
const product = () => fastMatmul([a, b], [[300, 200], [200, 100]], { transposeA: false, transposeB: false }, { shape: [300, 100], dtype: 'float32' });
configureGemm({ threads: 1 });
const one = new Uint32Array(product().buffer);
configureGemm({ threads: 2, threadMinFlops: 0, adaptiveThreads: false });
await gemmReady();
const two = new Uint32Array(product().buffer);
console.log(JSON.stringify({ fromEnv, same: one.every((x, i) => x === two[i]), info: gemmInfo() }));
`);
  const runScript = (threads: string) => spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, SEMIFLOW_THREADS: threads },
  });

  it('takes SEMIFLOW_THREADS, multiplies on two threads with the same bits as on one, and exits on its own', () => {
    const result = runScript('3');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ fromEnv: 3, same: true, info: { simd: true, fma: true, threads: 2, tile: '4x8' } });
  });

  it('rejects a SEMIFLOW_THREADS that is not a positive integer', () => {
    const result = runScript('two');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('ConfigError: SEMIFLOW_THREADS must be a positive integer, got string "two"');
  });
});
