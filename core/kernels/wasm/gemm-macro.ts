import { FunctionBuilder, i32, v128 } from './emit.ts';
import { EPILOGUE } from './gemm-kernel.ts';
import type { Blocking } from './gemm-kernel.ts';

/**
 * The macro-kernel: every MR×NR tile of an mc×nc block of C from packed panels of A (ap) and B (bp),
 * kc deep. Each tile keeps MR·NR/4 f32x4 accumulators in locals; per step it loads NR/4 vectors of B,
 * splats MR values of A and updates each accumulator: acc = fma(a, b, acc) with `fma` (relaxed_madd, one
 * rounding where the CPU fuses it), else acc + a·b (two roundings). `first` (the first KC block) stores the
 * sums; later blocks add them to C. Tiles run whole: C must be padded to multiples of MR rows and NR columns.
 * `epilogue` (EPILOGUE, on the last KC block only) then adds the bias row at `bias` (the block's first column,
 * padded like C) to each stored sum, and relu maps it to sum & (sum > 0): the same two roundings and the same
 * bits as the add and relu kernels run on C afterwards, while the tile is still in registers.
 */
export function macro({ mr, nr }: Blocking, fma: boolean): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32, i32, i32, i32, i32, i32, i32, i32]);
  const [ap, bp, c, ldc, mc, nc, kc, first, bias, epilogue] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [jr, ir, pa, pb, end, row] = [f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32)];
  const biasRow = f.local(i32);
  const sum = f.local(v128);
  const vectors = nr / 4;
  const bv = Array.from({ length: vectors }, () => f.local(v128));
  const av = f.local(v128);
  const acc = Array.from({ length: mr }, () => Array.from({ length: vectors }, () => f.local(v128)));
  f.forRange(jr, () => f.i32(0), () => f.get(nc), nr, () => {
    f.forRange(ir, () => f.i32(0), () => f.get(mc), mr, () => {
      f.get(ap).get(ir).get(kc).mul().i32(4).mul().add().set(pa);
      f.get(bp).get(jr).get(kc).mul().i32(4).mul().add().set(pb);
      f.get(pa).get(kc).i32(mr * 4).mul().add().set(end);
      for (const rowAcc of acc) for (const x of rowAcc) f.zeroV128().set(x);
      f.doWhile(() => {
        bv.forEach((x, v) => f.get(pb).loadV128(16 * v).set(x));
        acc.forEach((rowAcc, i) => {
          f.get(pa).splatLoad(4 * i).set(av);
          rowAcc.forEach((x, v) => {
            if (fma) f.get(av).get(bv[v]).get(x).relaxedMaddF32x4().set(x);
            else f.get(x).get(av).get(bv[v]).mulF32x4().addF32x4().set(x);
          });
        });
        f.bump(pa, mr * 4);
        f.bump(pb, nr * 4);
      }, () => f.get(pa).get(end).ltS());
      f.get(c).get(ir).get(ldc).mul().add().get(jr).i32(4).mul().add().set(row);
      f.get(bias).get(jr).i32(4).mul().add().set(biasRow);
      const store = (accumulate: boolean, mode: number) => () => {
        acc.forEach((rowAcc, i) => {
          rowAcc.forEach((x, v) => {
            if (accumulate) f.get(row).loadV128(16 * v).get(x).addF32x4();
            else f.get(x);
            if (mode !== EPILOGUE.none) f.get(biasRow).loadV128(16 * v).addF32x4();
            f.set(sum).get(row).get(sum);
            if (mode === EPILOGUE.biasRelu) f.get(sum).zeroV128().gtF32x4().andV128();
            f.storeV128(16 * v);
          });
          if (i < mr - 1) f.bump(row, () => f.get(ldc));
        });
      };
      const stores = (accumulate: boolean) => () => {
        f.get(epilogue).eqz().when(store(accumulate, EPILOGUE.none), () => {
          f.get(epilogue).i32(EPILOGUE.bias).eq().when(store(accumulate, EPILOGUE.bias), store(accumulate, EPILOGUE.biasRelu));
        });
      };
      f.get(first).when(stores(false), stores(true));
    });
  });
  return f;
}
