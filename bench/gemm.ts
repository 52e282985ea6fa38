// The GEMM micro-benchmark: GFLOP/s of the active matmul kernel at the shapes the two models run,
// and of the plain reference kernel for the ratio. Transposed forms are read in place, as the vjp rules ask.
import { apply } from '../core/dispatch.ts';
import { randomUniform, referenceKernels, setKernel } from 'semiflow';

export interface GemmShape {
  label: string;
  /** op(A) is m×k, op(B) is k×n. */
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
}

const shape = (label: string, m: number, k: number, n: number, transposeA = false, transposeB = false): GemmShape => ({ label, m, k, n, transposeA, transposeB });

/**
 * The products the two models run now, through the matmul primitive. The MLP: dense1 forward (affine's product),
 * its weight gradient, and dense2's g·W2ᵀ (k = 10). The CNN: conv1's forward and its kernel and bias gradients are
 * direct kernels (no product: directConv and directConvGrad), so none of its products is here; conv2's forward
 * (convAffine's product, its A unfolded inside the GEMM's memory) and its two gradients: 15488 = 128·11·11 patches
 * of 3·3·32; dense1 forward on the 1600 flattened features.
 */
export const GEMM_SHAPES: readonly GemmShape[] = [
  shape('MLP dense1 forward', 128, 784, 128),
  shape('MLP dense1 dW = xᵀ·g', 784, 128, 128, true),
  shape('MLP dense2 dx = g·Wᵀ', 128, 10, 128, false, true),
  shape('square 1024²', 1024, 1024, 1024),
  shape('conv2 forward', 15488, 288, 64),
  shape('conv2 dW = colsᵀ·g', 288, 15488, 64, true),
  shape('conv2 dcols = g·Wᵀ', 15488, 64, 288, false, true),
  shape('CNN dense1 forward', 128, 1600, 128),
];

export interface GemmResult {
  label: string;
  operands: string;
  gflops: number;
  /** The plain JS kernel at the same shape, when measured. */
  referenceGflops: number | null;
}

/** Median seconds per call over at least `minReps` calls and `minSeconds` of calls, after one warm-up call. */
function timeCall(fn: () => unknown, minSeconds: number, minReps: number): number {
  fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minReps || performance.now() - start < minSeconds * 1000) {
    const t0 = performance.now();
    fn();
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export function operandsOf({ m, k, n, transposeA, transposeB }: GemmShape): string {
  const a = transposeA ? `[${k}×${m}]ᵀ` : `[${m}×${k}]`;
  const b = transposeB ? `[${n}×${k}]ᵀ` : `[${k}×${n}]`;
  return `${a}·${b}`;
}

/** Runs each shape through the dispatcher (the active kernel), then optionally with the reference kernel swapped in. */
export function runGemm(options: { minSeconds?: number; reference?: boolean } = {}): GemmResult[] {
  const { minSeconds = 0.5, reference = true } = options;
  return GEMM_SHAPES.map((s, i) => {
    const a = randomUniform(s.transposeA ? [s.k, s.m] : [s.m, s.k], { seed: 2 * i + 1 });
    const b = randomUniform(s.transposeB ? [s.n, s.k] : [s.k, s.n], { seed: 2 * i + 2 });
    const flops = 2 * s.m * s.n * s.k;
    const run = (): unknown => apply('matmul', [a, b], { transposeA: s.transposeA, transposeB: s.transposeB });
    const gflops = flops / timeCall(run, minSeconds, 3) / 1e9;
    let referenceGflops: number | null = null;
    if (reference) {
      const restore = setKernel('matmul', referenceKernels.matmul);
      try {
        referenceGflops = flops / timeCall(run, minSeconds / 2, 2) / 1e9;
      } finally {
        restore();
      }
    }
    return { label: s.label, operands: operandsOf(s), gflops, referenceGflops };
  });
}
