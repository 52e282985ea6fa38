/**
 * A minimal WebAssembly binary emitter: enough to build a module that imports a memory (shared or plain) and
 * exports functions over i32, f32, f64 and v128 values. Opcodes follow the WebAssembly core and SIMD specs.
 */

export const i32 = 0x7f;
export const f32 = 0x7d;
export const f64 = 0x7c;
export const v128 = 0x7b;
export type ValType = typeof i32 | typeof f32 | typeof f64 | typeof v128;

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function vector(items: readonly number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function utf8(name: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(name));
  return [...uleb(bytes.length), ...bytes];
}

/** Natural alignment (log2 bytes) of each memory access below. */
const ALIGN = { f32: 2, i32: 2, f64: 3, v128: 4 } as const;

/**
 * One function body under construction. Instructions append to `code`; `local` declares a local
 * after the parameters. Structured helpers (`loop`, `forRange`, `when`) keep the block nesting right.
 */
export class FunctionBuilder {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];

  constructor(readonly params: readonly ValType[], readonly results: readonly ValType[] = []) {}

  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  get(index: number): this { return this.op(0x20, ...uleb(index)); }
  set(index: number): this { return this.op(0x21, ...uleb(index)); }
  i32(value: number): this { return this.op(0x41, ...sleb(value)); }
  f32zero(): this { return this.op(0x43, 0, 0, 0, 0); }

  add(): this { return this.op(0x6a); }
  sub(): this { return this.op(0x6b); }
  mul(): this { return this.op(0x6c); }
  divU(): this { return this.op(0x6e); }
  remU(): this { return this.op(0x70); }
  ltS(): this { return this.op(0x48); }
  geS(): this { return this.op(0x4e); }
  eq(): this { return this.op(0x46); }
  eqz(): this { return this.op(0x45); }
  and(): this { return this.op(0x71); }
  /** select: [a, b, cond] → cond ? a : b. */
  select(): this { return this.op(0x1b); }

  /** Pushes min(a, b) of two locals (signed). */
  min(a: number, b: number): this {
    return this.get(a).get(b).get(a).get(b).ltS().select();
  }

  loadI32(offset = 0): this { return this.op(0x28, ALIGN.i32, ...uleb(offset)); }
  storeI32(offset = 0): this { return this.op(0x36, ALIGN.i32, ...uleb(offset)); }
  loadF32(offset = 0): this { return this.op(0x2a, ALIGN.f32, ...uleb(offset)); }
  storeF32(offset = 0): this { return this.op(0x38, ALIGN.f32, ...uleb(offset)); }
  loadF64(offset = 0): this { return this.op(0x2b, ALIGN.f64, ...uleb(offset)); }

  private simd(opcode: number, ...imm: number[]): this { return this.op(0xfd, ...uleb(opcode), ...imm); }
  loadV128(offset = 0): this { return this.simd(0x00, ALIGN.v128, ...uleb(offset)); }
  storeV128(offset = 0): this { return this.simd(0x0b, ALIGN.v128, ...uleb(offset)); }
  /** v128.load32_splat: one f32 from memory into all four lanes. */
  splatLoad(offset = 0): this { return this.simd(0x09, ALIGN.f32, ...uleb(offset)); }
  zeroV128(): this { return this.simd(0x0c, ...new Array<number>(16).fill(0)); }
  /** i8x16.shuffle by f32 lanes: lanes 0–3 pick from the first operand, 4–7 from the second. */
  shuffleF32(lanes: readonly [number, number, number, number]): this {
    return this.simd(0x0d, ...lanes.flatMap((lane) => [4 * lane, 4 * lane + 1, 4 * lane + 2, 4 * lane + 3]));
  }
  addF32x4(): this { return this.simd(0xe4); }
  /** f32x4.gt: all ones in the lanes where a > b (never for NaN). */
  gtF32x4(): this { return this.simd(0x44); }
  andV128(): this { return this.simd(0x4e); }
  mulF32x4(): this { return this.simd(0xe6); }
  /** f32x4.relaxed_madd (relaxed SIMD): [a, b, c] → a·b + c, fused (one rounding) where the CPU has FMA. */
  relaxedMaddF32x4(): this { return this.simd(0x105); }

  /** memory.copy (bulk memory): [dst, src, bytes] → a memmove inside the memory. */
  memoryCopy(): this { return this.op(0xfc, 0x0a, 0x00, 0x00); }

  call(functionIndex: number): this { return this.op(0x10, ...uleb(functionIndex)); }

  /** local[index] += step (i32). */
  bump(index: number, step: number | (() => void)): this {
    this.get(index);
    if (typeof step === 'number') this.i32(step);
    else step();
    return this.add().set(index);
  }

  block(body: () => void): this {
    this.op(0x02, 0x40);
    body();
    return this.op(0x0b);
  }

  /** `br depth` and `br_if depth` relative to the innermost enclosing block or loop. */
  br(depth: number): this { return this.op(0x0c, ...uleb(depth)); }
  brIf(depth: number): this { return this.op(0x0d, ...uleb(depth)); }

  /** if (condition on the stack) { then } else { otherwise }. */
  when(then: () => void, otherwise?: () => void): this {
    this.op(0x04, 0x40);
    then();
    if (otherwise) {
      this.op(0x05);
      otherwise();
    }
    return this.op(0x0b);
  }

  /** do { body } while (condition pushed by `again`). */
  doWhile(body: () => void, again: () => void): this {
    this.op(0x03, 0x40);
    body();
    again();
    return this.brIf(0).op(0x0b);
  }

  /** for (i = from; i < limit; i += step) body — `from` and `limit` push an i32, step is a constant or local pusher. */
  forRange(i: number, from: () => void, limit: () => void, step: number | (() => void), body: () => void): this {
    from();
    this.set(i);
    return this.block(() => {
      this.op(0x03, 0x40);
      this.get(i);
      limit();
      this.geS().brIf(1);
      body();
      this.bump(i, step).br(0).op(0x0b);
    });
  }

  encode(): number[] {
    const groups: number[][] = [];
    for (let s = 0; s < this.locals.length;) {
      let e = s;
      while (e < this.locals.length && this.locals[e] === this.locals[s]) e++;
      groups.push([...uleb(e - s), this.locals[s]]);
      s = e;
    }
    const body = [...vector(groups), ...this.code, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

export interface ModuleSpec {
  /**
   * Imported as env.memory, limits in 64 KiB pages. Shared memory (for the GEMM's worker threads) needs a maximum;
   * plain memory is given only its initial size and grows freely.
   */
  memory: { initialPages: number; maximumPages: number; shared: true } | { initialPages: number; shared: false };
  exports: Readonly<Record<string, FunctionBuilder>>;
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

/** The binary of a module whose functions are all exported under the given names. */
export function encodeModule({ memory, exports }: ModuleSpec): Uint8Array {
  const fns = Object.entries(exports);
  const types = fns.map(([, f]) => [0x60, ...vector(f.params.map((t) => [t])), ...vector(f.results.map((t) => [t]))]);
  const limits = memory.shared ? [0x03, ...uleb(memory.initialPages), ...uleb(memory.maximumPages)] : [0x00, ...uleb(memory.initialPages)];
  const memoryImport = [...utf8('env'), ...utf8('memory'), 0x02, ...limits];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(fns.map((_, i) => uleb(i)))),
    ...section(7, vector(fns.map(([name], i) => [...utf8(name), 0x00, ...uleb(i)]))),
    ...section(10, vector(fns.map(([, f]) => f.encode()))),
  ];
  return new Uint8Array(bytes);
}
