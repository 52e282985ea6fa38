import { FunctionBuilder, i32, v128 } from './emit.ts';

/**
 * Packs `lines` lines of an operand, `kc` deep, into panels of `width` lines laid out [panel][p][line]:
 * line l, step p of the source is at src + l·lineStride + p·depthStride (bytes). Lines past the edge are
 * zero, so the micro-kernel never branches on them. A full panel moves as vectors when its lines are
 * adjacent (lineStride = 4: one v128 per 4 lines and step) or each line is contiguous (depthStride = 4:
 * 4×4 blocks loaded along lines and transposed); otherwise one value at a time.
 */
export function pack(width: number): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32, i32, i32, i32]);
  const [src, lineStride, depthStride, lines, kc, dst] = [0, 1, 2, 3, 4, 5];
  const [l0, count, p, l, s, d, dd, width4] = [f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32)];
  const q = [f.local(i32), f.local(i32), f.local(i32), f.local(i32)];
  const r = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  const t = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  const step = width * 4;
  f.i32(width).set(width4);
  f.get(dst).set(d);
  f.forRange(l0, () => f.i32(0), () => f.get(lines), width, () => {
    f.get(lines).get(l0).sub().set(count);
    f.min(count, width4).set(count);
    if (width % 4 !== 0) {
      packStrided();
      return;
    }
    const full = () => f.get(count).i32(width).eq();
    full();
    f.get(lineStride).i32(4).eq().and();
    f.when(packAdjacent, () => {
      full();
      f.get(depthStride).i32(4).eq().and();
      f.when(packTransposed, packStrided);
    });
    f.bump(d, () => f.get(kc).i32(step).mul());
  });
  return f;

  function packAdjacent(): void {
    f.get(src).get(l0).i32(4).mul().add().set(s);
    f.get(d).set(dd);
    f.forRange(p, () => f.i32(0), () => f.get(kc), 1, () => {
      for (let v = 0; v < width / 4; v++) f.get(dd).get(s).loadV128(16 * v).storeV128(16 * v);
      f.bump(s, () => f.get(depthStride));
      f.bump(dd, step);
    });
  }

  // Per group of 4 lines: 4 steps of each line as one v128, transposed into 4 steps of the panel.
  function packTransposed(): void {
    for (let g = 0; g < width / 4; g++) {
      q.forEach((x, i) => f.get(src).get(l0).i32(4 * g + i).add().get(lineStride).mul().add().set(x));
      f.get(d).i32(16 * g).add().set(dd);
      f.i32(0).set(p);
      f.block(() => {
        f.op(0x03, 0x40);
        f.get(kc).get(p).sub().i32(4).ltS().brIf(1);
        q.forEach((x, i) => {
          f.get(x).loadV128().set(r[i]);
          f.bump(x, 16);
        });
        // [r0 r1 r2 r3] rows of lines → columns of steps: interleave pairs, then halves.
        f.get(r[0]).get(r[1]).shuffleF32([0, 4, 1, 5]).set(t[0]);
        f.get(r[0]).get(r[1]).shuffleF32([2, 6, 3, 7]).set(t[1]);
        f.get(r[2]).get(r[3]).shuffleF32([0, 4, 1, 5]).set(t[2]);
        f.get(r[2]).get(r[3]).shuffleF32([2, 6, 3, 7]).set(t[3]);
        f.get(dd).get(t[0]).get(t[2]).shuffleF32([0, 1, 4, 5]).storeV128(0);
        f.get(dd).get(t[0]).get(t[2]).shuffleF32([2, 3, 6, 7]).storeV128(step);
        f.get(dd).get(t[1]).get(t[3]).shuffleF32([0, 1, 4, 5]).storeV128(2 * step);
        f.get(dd).get(t[1]).get(t[3]).shuffleF32([2, 3, 6, 7]).storeV128(3 * step);
        f.bump(dd, 4 * step);
        f.bump(p, 4);
        f.br(0).op(0x0b);
      });
      f.forRange(p, () => f.get(p), () => f.get(kc), 1, () => {
        q.forEach((x, i) => {
          f.get(dd).get(x).loadF32().storeF32(4 * i);
          f.bump(x, 4);
        });
        f.bump(dd, step);
      });
    }
  }

  // One line at a time (reads stride depthStride, writes stride width·4), zeros past the edge.
  function packStrided(): void {
    f.forRange(l, () => f.i32(0), () => f.i32(width), 1, () => {
      f.get(d).get(l).i32(4).mul().add().set(dd);
      f.get(l).get(count).ltS();
      f.when(() => {
        f.get(src).get(l0).get(l).add().get(lineStride).mul().add().set(s);
        f.forRange(p, () => f.i32(0), () => f.get(kc), 1, () => {
          f.get(dd).get(s).loadF32().storeF32();
          f.bump(s, () => f.get(depthStride));
          f.bump(dd, step);
        });
      }, () => {
        f.forRange(p, () => f.i32(0), () => f.get(kc), 1, () => {
          f.get(dd).f32zero().storeF32();
          f.bump(dd, step);
        });
      });
    });
  }
}
