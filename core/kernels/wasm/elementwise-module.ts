import { FunctionBuilder, i32, uleb, v128 } from './emit.ts';

/**
 * A WebAssembly SIMD module for the float32 elementwise passes of a CNN step: relu, reluGrad, add, the 2×2
 * max-pool forward and its maxGrad, and the column sums of a bias gradient. Arguments are byte offsets into the module's own memory (16-aligned,
 * each operand followed by at least 16 bytes of padding, so a whole vector past the end reads harmlessly).
 */

/** f32x4 and v128 instructions the GEMM's builder lacks (SIMD opcodes after the 0xfd prefix). */
const SIMD = {
  splatF32: 0x13, eq: 0x41, gt: 0x44, le: 0x45, and: 0x4e, andnot: 0x4f, bitselect: 0x52, store32Lane: 0x5a,
  add: 0xe4, mul: 0xe6, div: 0xe7,
} as const;

/** Core opcodes the builder has no helper for. */
const F32_CONST = 0x43, I32_GT_S = 0x4a, I32_SHR_U = 0x76;

function simd(f: FunctionBuilder, op: keyof typeof SIMD): FunctionBuilder {
  return f.op(0xfd, ...uleb(SIMD[op]));
}

/** All four lanes 1.0f (0x3f800000) into local `one`. */
function splatOne(f: FunctionBuilder, one: number): void {
  f.op(F32_CONST, 0x00, 0x00, 0x80, 0x3f);
  simd(f, 'splatF32').set(one);
}

/**
 * Stores the first `lanes` (1–3) lanes of local `value` at byte address `addr`: the tail of a row whose length is
 * not a multiple of 4, without writing the neighbouring row.
 */
function storeLanes(f: FunctionBuilder, addr: number, value: number, lanes: number): void {
  const lane = (k: number) => f.get(addr).get(value).op(0xfd, ...uleb(SIMD.store32Lane), 2, ...uleb(4 * k), k);
  lane(0);
  f.get(lanes).i32(1).op(I32_GT_S).when(() => lane(1));
  f.get(lanes).i32(2).op(I32_GT_S).when(() => lane(2));
}

/**
 * for (j = 0; j < bytes; j += 16) body(full): whole vectors, then (when bytes is not a multiple of 16) one last
 * vector with `lanes` = the lanes left, for body to store partially.
 */
function vectorLoop(f: FunctionBuilder, j: number, bytes: number, lanes: number, body: (full: boolean) => void): void {
  f.forRange(j, () => f.i32(0), () => f.get(bytes).i32(15).sub(), 16, () => body(true));
  f.get(j).get(bytes).ltS().when(() => {
    f.get(bytes).get(j).sub().i32(2).op(I32_SHR_U).set(lanes);
    body(false);
  });
}

/** y[i] = op(a[i], b[i]) over `vectors` whole vectors (the caller pads the arrays to a multiple of 4 lanes). */
function map2(op: (f: FunctionBuilder, a: number, b: number) => void): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32, i32]);
  const [a, b, y, vectors] = [0, 1, 2, 3];
  const [j, end, va, vb] = [f.local(i32), f.local(i32), f.local(v128), f.local(v128)];
  f.get(vectors).i32(16).mul().set(end);
  f.forRange(j, () => f.i32(0), () => f.get(end), 16, () => {
    f.get(a).get(j).add().loadV128().set(va);
    f.get(b).get(j).add().loadV128().set(vb);
    f.get(y).get(j).add();
    op(f, va, vb);
    f.storeV128();
  });
  return f;
}

/** relu(x, _, y, vectors): x & (x > 0) — x where x > 0, else +0 (NaN too). */
const relu = () => map2((f, x) => {
  f.get(x).get(x).zeroV128();
  simd(f, 'gt');
  simd(f, 'and');
});

/** reluGrad(x, g, y, vectors): g & (x > 0). */
const reluGrad = () => map2((f, x, g) => {
  f.get(g).get(x).zeroV128();
  simd(f, 'gt');
  simd(f, 'and');
});

const add = () => map2((f, a, b) => {
  f.get(a).get(b);
  simd(f, 'add');
});

/**
 * Walks 2×2 windows over [A, 2, B, 2, C] (byte offset x) against outputs [A, B, C] (byte offset y), C lanes at a time:
 * body gets the byte addresses of the four window rows' current vectors (locals r[0..3]) and of the output (o),
 * and for the last, partial vector of a row the local holding its lane count (`tail`). `stride` (a local): the two
 * rows of a window are that many bytes apart and window row a starts at x + 2·a·stride: an image row wider than
 * 2·B pixels (an odd width) has its last pixel skipped in place; contiguous windows have a stride of 2·B·C floats.
 */
function poolWalk(f: FunctionBuilder, x: number, y: number, A: number, B: number, C: number, body: (r: number[], o: number, tail?: number) => void, stride: number): void {
  const [a, b, j, rowBytes, halfBytes, p, q, lanes] = Array.from({ length: 8 }, () => f.local(i32));
  const r = [f.local(i32), f.local(i32), f.local(i32), f.local(i32)];
  const o = f.local(i32);
  f.get(C).i32(4).mul().set(rowBytes);
  f.get(stride).set(halfBytes);
  f.get(y).set(q);
  f.forRange(a, () => f.i32(0), () => f.get(A), 1, () => {
    f.get(x).get(a).get(halfBytes).mul().i32(2).mul().add().set(p);
    f.forRange(b, () => f.i32(0), () => f.get(B), 1, () => {
      vectorLoop(f, j, rowBytes, lanes, (full) => {
        f.get(p).get(j).add().set(r[0]);
        f.get(r[0]).get(rowBytes).add().set(r[1]);
        f.get(r[0]).get(halfBytes).add().set(r[2]);
        f.get(r[2]).get(rowBytes).add().set(r[3]);
        f.get(q).get(j).add().set(o);
        body(r, o, full ? undefined : lanes);
      });
      f.bump(p, () => f.get(rowBytes).i32(2).mul());
      f.bump(q, () => f.get(rowBytes));
    });
  });
}

/**
 * maxPool(x, y, A, B, C, stride): m = first window element, then each next v replaces m where !(v <= m) and m is not NaN
 * — (m == m) & ~(v <= m) as a bit select — so a NaN anywhere wins and of equal values (±0) the first stays.
 * `stride`: the bytes from one image row to the next (poolWalk). The GEMM module has it too (poolChunk), to pool a
 * convolution's output where it already is, on its threads.
 */
export function maxPool(): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32, i32, i32, i32]);
  const [x, y, A, B, C, stride] = [0, 1, 2, 3, 4, 5];
  const [m, v] = [f.local(v128), f.local(v128)];
  poolWalk(f, x, y, A, B, C, (r, o, tail) => {
    f.get(r[0]).loadV128().set(m);
    for (const k of [1, 2, 3]) {
      f.get(r[k]).loadV128().set(v);
      f.get(v).get(m);
      f.get(m).get(m);
      simd(f, 'eq');
      f.get(v).get(m);
      simd(f, 'le');
      simd(f, 'andnot');
      simd(f, 'bitselect').set(m);
    }
    if (tail === undefined) f.get(o).get(m).storeV128();
    else storeLanes(f, o, m, tail);
  }, stride);
  return f;
}

/**
 * maxGrad(x, y, g, dx, A, B, C, stride) for 2×2 windows: h = (x == m) as 1 or 0, r = 1 / (h0 + h1 + h2 + h3),
 * dx = (h·g)·r — the JS kernel's arithmetic, each step rounded to float32 (its double products of float32 values are
 * exact, and 1/count rounded via double equals the float32 quotient). `stride`: the bytes from one image row to the
 * next of x and of dx (poolWalk), so an odd width's last column is skipped in place (and left as it was in dx).
 * The GEMM module has it too (poolGradChunk), to run maxPool's rule on its threads.
 */
export function maxGrad(): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32, i32, i32, i32, i32, i32]);
  const [x, y, g, dx, A, B, C, stride] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [m, share, r, one] = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  const h = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  const [out, addr] = [f.local(v128), f.local(i32)];
  splatOne(f, one);
  poolWalk(f, x, y, A, B, C, (rows, o, tail) => {
    f.get(o).loadV128().set(m);
    f.get(o).get(y).sub().get(g).add().loadV128().set(share);
    h.forEach((hk, k) => {
      f.get(rows[k]).loadV128().get(m);
      simd(f, 'eq');
      f.get(one);
      simd(f, 'and').set(hk);
    });
    f.get(one).get(h[0]).get(h[1]);
    simd(f, 'add').get(h[2]);
    simd(f, 'add').get(h[3]);
    simd(f, 'add');
    simd(f, 'div').set(r);
    h.forEach((hk, k) => {
      f.get(rows[k]).get(x).sub().get(dx).add().set(addr);
      f.get(hk).get(share);
      simd(f, 'mul').get(r);
      simd(f, 'mul').set(out);
      if (tail === undefined) f.get(addr).get(out).storeV128();
      else storeLanes(f, addr, out, tail);
    });
  }, stride);
  return f;
}

/**
 * columnSums(x, y, rows, vectors): y = the sums of the rows of x [rows, 4·vectors], each column from +0 over the rows
 * in order, f32x4 adds rounding each step as the sum kernels do: their bits.
 */
function columnSums(): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32, i32]);
  const [x, y, rows, vectors] = [0, 1, 2, 3];
  const [r, j, p, rowBytes] = [f.local(i32), f.local(i32), f.local(i32), f.local(i32)];
  f.get(vectors).i32(16).mul().set(rowBytes);
  f.forRange(j, () => f.i32(0), () => f.get(rowBytes), 16, () => f.get(y).get(j).add().zeroV128().storeV128());
  f.get(x).set(p);
  f.forRange(r, () => f.i32(0), () => f.get(rows), 1, () => {
    f.forRange(j, () => f.i32(0), () => f.get(rowBytes), 16, () => {
      f.get(y).get(j).add().get(y).get(j).add().loadV128().get(p).get(j).add().loadV128();
      simd(f, 'add').storeV128();
    });
    f.bump(p, () => f.get(rowBytes));
  });
  return f;
}

/** The functions, in export order. */
export function elementwiseFunctions(): Record<string, FunctionBuilder> {
  return { relu: relu(), reluGrad: reluGrad(), add: add(), maxPool: maxPool(), maxGrad: maxGrad(), columnSums: columnSums() };
}
