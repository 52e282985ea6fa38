import { growTo, wasmApi } from './api.ts';
import type { WasmMemory } from './api.ts';
import { FunctionBuilder, encodeModule, f64, i32, uleb, v128 } from './emit.ts';
import { pieceFunction } from './job-pieces.ts';

/** SIMD opcodes (after the 0xfd prefix) of the f64x2 arithmetic and the float32 ↔ float64 lane conversions. */
const OP = {
  load64Zero: 0x5d, store64Lane: 0x5b, splat: 0x14, promote: 0x5f, demote: 0x5e,
  sqrt: 0xef, add: 0xf0, sub: 0xf1, mul: 0xf2, div: 0xf3,
} as const;

/**
 * adam(p, g, m, v, pairs, beta1, c1, beta2, c2, lrT, decay, epsilon): the Adam update of `pairs` pairs of float32
 * at byte offsets p, g, m, v, in place, two lanes of float64 at a time and in the order of optim/adam.ts's loop:
 * m' = beta1·m + c1·g, v' = beta2·v + (c2·g)·g, p' = p·decay − (lrT·m') / (√v' + epsilon), each rounded to
 * float32 on store as a Float32Array store rounds. Every step is one correctly rounded IEEE operation, so
 * the bits are those of the JS loop.
 */
export function adamFunction(): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32, i32, i32, f64, f64, f64, f64, f64, f64, f64]);
  const [p, g, m, v, pairs] = [0, 1, 2, 3, 4];
  const [j, end] = [f.local(i32), f.local(i32)];
  const splats = [5, 6, 7, 8, 9, 10, 11].map((param) => {
    const local = f.local(v128);
    f.get(param).op(0xfd, ...uleb(OP.splat)).set(local);
    return local;
  });
  const [beta1, c1, beta2, c2, lrT, decay, epsilon] = splats;
  const [gv, mv, vv] = [f.local(v128), f.local(v128), f.local(v128)];
  const simd = (op: keyof typeof OP, ...imm: number[]) => f.op(0xfd, ...uleb(OP[op]), ...imm);
  const load = (base: number) => {
    f.get(base).get(j).add();
    simd('load64Zero', 3, 0);
    simd('promote');
  };
  const store = (base: number, value: () => void) => {
    f.get(base).get(j).add();
    value();
    simd('demote');
    simd('store64Lane', 3, 0, 0);
  };
  f.get(pairs).i32(8).mul().set(end);
  f.forRange(j, () => f.i32(0), () => f.get(end), 8, () => {
    load(g);
    f.set(gv);
    f.get(beta1);
    load(m);
    simd('mul');
    f.get(c1).get(gv);
    simd('mul');
    simd('add');
    f.set(mv);
    f.get(beta2);
    load(v);
    simd('mul');
    f.get(c2).get(gv);
    simd('mul');
    f.get(gv);
    simd('mul');
    simd('add');
    f.set(vv);
    store(m, () => f.get(mv));
    store(v, () => f.get(vv));
    store(p, () => {
      load(p);
      f.get(decay);
      simd('mul');
      f.get(lrT).get(mv);
      simd('mul');
      f.get(vv);
      simd('sqrt');
      f.get(epsilon);
      simd('add');
      simd('div');
      simd('sub');
    });
  });
  return f;
}

/**
 * Word offsets of an adam job (see adam.ts): `pairs` pairs of float32 at byte offsets p, g, m, v, in pieces of `span`
 * pairs; from word `constants` on, the seven float64 arguments of adam after `pairs` (beta1, c1, beta2, c2, lrT, decay, epsilon).
 */
export const ADAM_JOB = { p: 0, g: 1, m: 2, v: 3, pairs: 4, span: 5, constants: 8 } as const;

/** adamChunk(job, q): pairs q·span .. min((q+1)·span, pairs) of an adam job, one call of adam (function `adamIndex`). Pairs are independent, so pieces run in any order. */
export function adamChunk(adamIndex: number): FunctionBuilder {
  const { f, job, word, lo, count } = pieceFunction(ADAM_JOB.span, ADAM_JOB.pairs);
  for (const base of [ADAM_JOB.p, ADAM_JOB.g, ADAM_JOB.m, ADAM_JOB.v]) {
    word(base);
    f.get(lo).i32(8).mul().add();
  }
  f.get(count);
  for (let c = 0; c < 7; c++) f.get(job).loadF64(4 * ADAM_JOB.constants + 8 * c);
  f.call(adamIndex);
  return f;
}

export interface AdamRuntime {
  readonly memory: WasmMemory<ArrayBuffer>;
  readonly adam: (p: number, g: number, m: number, v: number, pairs: number, beta1: number, c1: number, beta2: number, c2: number, lrT: number, decay: number, epsilon: number) => void;
}

let runtime: AdamRuntime | null | undefined;

/** The module on its own plain memory, made on first use; null where the engine has no WebAssembly SIMD. */
export function adamRuntime(): AdamRuntime | null {
  if (runtime !== undefined) return runtime;
  const bytes = encodeModule({ memory: { initialPages: 1, shared: false }, exports: { adam: adamFunction() } });
  if (!wasmApi.validate(bytes)) return (runtime = null);
  const memory = new wasmApi.Memory({ initial: 1 });
  const { adam } = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } }).exports as unknown as Pick<AdamRuntime, 'adam'>;
  runtime = { memory, adam };
  return runtime;
}

/** The float32 view of the memory grown to `bytes`, or undefined past 2 GiB (views must be taken after growing). */
export function adamHeap({ memory }: AdamRuntime, bytes: number): Float32Array | undefined {
  return growTo(memory, bytes) ? new Float32Array(memory.buffer) : undefined;
}
