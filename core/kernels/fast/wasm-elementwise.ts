import { allocateOutput } from '../../buffer-pool.ts';
import type { TypedArray } from '../../dtype.ts';
import type { Kernel, KernelOutput } from '../kernel.ts';
import { elementwiseRuntime, heapOf, operandBytes } from '../wasm/elementwise-runtime.ts';
import type { ElementwiseExports } from '../wasm/elementwise-runtime.ts';
import { fastElementwise } from './elementwise.ts';
import { pool2x2Runs, runsOf } from './layout.ts';
import { fastMaxGrad } from './max-grad.ts';
import { fastMax, fastSum } from './reduce.ts';
import { fastMaxPool } from './max-pool.ts';
import { sizeOf } from '../../shape.ts';
import { wasmResidentMaxPool2x2 } from '../wasm/pool-job.ts';
import { onThreads } from './matmul.ts';
import { fastRelu } from './relu.ts';

/**
 * float32 relu, reluGrad, same-shape add, 2×2 max pooling (max over the windows' axes or maxPool, and maxGrad) and the
 * sum of the rows of a matrix (a bias gradient) in WebAssembly SIMD: the inputs
 * are copied into the module's memory with `set`, one f32x4 loop runs, the output is copied out with `set`. The JS
 * loops run at ~1.3 ns per float32; the copies and the SIMD loop take a fraction of that. Same bits as the JS kernels
 * (see elementwise-module.ts); anything else goes to them. A 2×2 maxPool of a convolution's output still in the
 * GEMM module's memory pools it there instead, on the GEMM's threads (wasm/pool-job.ts).
 */

/** Smaller arrays stay in JS: the call and copies cost about as much as they save (even at ~1000, ≥ 1.3× from ~2048). */
export const WASM_MIN_ELEMENTS = 2048;

/** Copies `inputs` into the module's memory one after another, runs `run` on their byte offsets and the output's, and copies n values out. */
function runWasm(inputs: readonly Float32Array[], n: number, run: (fns: ElementwiseExports, offsets: number[]) => void): Float32Array | undefined {
  const rt = elementwiseRuntime();
  if (rt === null) return undefined;
  const offsets: number[] = [];
  let end = 0;
  for (const x of [...inputs, undefined]) {
    offsets.push(end);
    end += operandBytes(x === undefined ? n : x.length);
  }
  const heap = heapOf(rt, end);
  if (heap === undefined) return undefined;
  inputs.forEach((x, k) => heap.set(x, offsets[k] >> 2));
  run(rt.fns, offsets);
  const y = allocateOutput('float32', n) as Float32Array;
  const at = offsets[inputs.length] >> 2;
  y.set(heap.subarray(at, at + n));
  return y;
}

const vectors = (n: number) => Math.ceil(n / 4);

export const wasmRelu = (x: Float32Array) => runWasm([x], x.length, (fns, [a, y]) => fns.relu(a, a, y, vectors(x.length)));
export const wasmReluGrad = (x: Float32Array, g: Float32Array) => runWasm([x, g], x.length, (fns, [a, b, y]) => fns.reluGrad(a, b, y, vectors(x.length)));
export const wasmAdd = (a: Float32Array, b: Float32Array) => runWasm([a, b], a.length, (fns, [p, q, y]) => fns.add(p, q, y, vectors(a.length)));

/** max over the 2s of x [A, 2, B, 2, C] into [A, B, C]. */
export const wasmPool2x2Max = (x: Float32Array, A: number, B: number, C: number) =>
  runWasm([x], A * B * C, (fns, [p, y]) => fns.maxPool(p, y, A, B, C, 8 * B * C));

/**
 * 2×2 max pooling at stride 2 of x [N, H, W, C] into [N, ⌊H/2⌋, ⌊W/2⌋, C], reading the rows and columns of whole
 * windows in place: window rows W·C floats apart (an odd width's last column skipped), and for an odd height one
 * call per image (its last row skipped), so no cropped copy first.
 */
export function wasmMaxPool2x2(x: Float32Array, [images, height, width, channels]: readonly number[]): Float32Array | undefined {
  const [oh, ow] = [height >> 1, width >> 1];
  const stride = 4 * width * channels;
  return runWasm([x], images * oh * ow * channels, (fns, [p, y]) => {
    if (height % 2 === 0) fns.maxPool(p, y, images * oh, ow, channels, stride);
    else for (let n = 0; n < images; n++) fns.maxPool(p + n * height * stride, y + 4 * n * oh * ow * channels, oh, ow, channels, stride);
  });
}

/** maxGrad of x [A, 2, B, 2, C] with its max y and cotangent g [A, B, C]. */
export const wasmPool2x2MaxGrad = (x: Float32Array, y: Float32Array, g: Float32Array, A: number, B: number, C: number) =>
  runWasm([x, y, g], x.length, (fns, [p, q, r, dx]) => fns.maxGrad(p, q, r, dx, A, B, C, 8 * B * C));

/** The sums of the rows of x [rows, cols], cols a multiple of 4. */
export const wasmColumnSums = (x: Float32Array, rows: number, cols: number) =>
  runWasm([x], cols, (fns, [p, y]) => fns.columnSums(p, y, rows, cols / 4));

/** Float32Arrays all, a float32 output of at least WASM_MIN_ELEMENTS. */
function inWasm(inputs: readonly TypedArray[], out: KernelOutput, n: number): inputs is readonly Float32Array[] {
  return out.dtype === 'float32' && n >= WASM_MIN_ELEMENTS && inputs.every((x) => x instanceof Float32Array);
}

export const wasmElementwiseKernels = {
  relu: ((inputs, shapes, params, out) => {
    const [x] = inputs;
    return (inWasm(inputs, out, x.length) && wasmRelu(inputs[0])) || fastRelu.relu(inputs, shapes, params, out);
  }) satisfies Kernel<'relu'>,
  reluGrad: ((inputs, shapes, params, out) => {
    const [x, g] = inputs;
    return (inWasm(inputs, out, x.length) && g.length === x.length && wasmReluGrad(inputs[0], inputs[1])) || fastRelu.reluGrad(inputs, shapes, params, out);
  }) satisfies Kernel<'reluGrad'>,
  add: ((inputs, shapes, params, out) => {
    const [a, b] = inputs;
    return (inWasm(inputs, out, a.length) && b.length === a.length && wasmAdd(inputs[0], inputs[1])) || fastElementwise.add(inputs, shapes, params, out);
  }) satisfies Kernel<'add'>,
  sum: ((inputs, shapes, params, out) => {
    const runs = inWasm(inputs, out, inputs[0].length) ? runsOf(shapes[0], out.shape) : [];
    const [rows, cols] = runs.length === 2 && runs[0].spread ? [runs[0].size, runs[1].size] : [0, 0];
    return (cols % 4 === 0 && rows > 0 && wasmColumnSums(inputs[0] as Float32Array, rows, cols)) || fastSum(inputs, shapes, params, out);
  }) satisfies Kernel<'sum'>,
  max: ((inputs, shapes, params, out) => {
    const pool = inWasm(inputs, out, inputs[0].length) ? pool2x2Runs(runsOf(shapes[0], out.shape)) : undefined;
    return (pool && wasmPool2x2Max(inputs[0] as Float32Array, ...pool)) || fastMax(inputs, shapes, params, out);
  }) satisfies Kernel<'max'>,
  maxPool: ((inputs, shapes, params, out) => {
    const { kernel, strides } = params;
    const pairs = [...kernel, ...strides].every((k) => k === 2);
    if (!pairs || !inWasm(inputs, out, sizeOf(out.shape))) return fastMaxPool(inputs, shapes, params, out);
    const x = inputs[0];
    const inPlace = onThreads(`maxPool ${shapes[0].join(' ')}`, x.length, (pool, threads) => wasmResidentMaxPool2x2(x, shapes[0], pool, threads));
    return inPlace ?? wasmMaxPool2x2(x, shapes[0]) ?? fastMaxPool(inputs, shapes, params, out);
  }) satisfies Kernel<'maxPool'>,
  maxGrad: ((inputs, shapes, params, out) => {
    const pool = inWasm(inputs, out, inputs[0].length) ? pool2x2Runs(runsOf(shapes[0], shapes[1])) : undefined;
    const [x, y, g] = inputs as Float32Array[];
    return (pool && wasmPool2x2MaxGrad(x, y, g, ...pool)) || fastMaxGrad(inputs, shapes, params, out);
  }) satisfies Kernel<'maxGrad'>,
};
