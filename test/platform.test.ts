// The platform seam in Node: a caller that may not block (as a page's main thread) spins for the GEMM threads'
// last pieces and gets the same bits; without shared-memory threads products run on the calling thread, and
// backendInfo says which. Each case restores the platform and the GEMM settings it changed.
import { afterEach, describe, expect, it } from 'vitest';
import { backendInfo, configureGemm } from 'semiflow';
import { fastMatmul, gemmReady } from '../core/kernels/fast/matmul.ts';
import { platform, setPlatform } from '../core/platform.ts';

const saved = { ...platform };
afterEach(() => setPlatform(saved));

const a = Float32Array.from({ length: 96 * 80 }, (_, i) => Math.sin(i));
const b = Float32Array.from({ length: 80 * 72 }, (_, i) => Math.cos(i));
const product = () => new Uint32Array(fastMatmul([a, b], [[96, 80], [80, 72]], { transposeA: false, transposeB: false }, { shape: [96, 72], dtype: 'float32' }).buffer);

/** The product's bits with the GEMM set to `threads` threads for every size. */
async function bitsOn(threads: number): Promise<Uint32Array> {
  const restore = configureGemm({ threads, threadMinFlops: 0 });
  try {
    await gemmReady();
    return product();
  } finally {
    restore();
  }
}

describe('the platform seam', () => {
  it('a caller that may not block spins for the workers and gets the bits of one thread', async () => {
    const one = await bitsOn(1);
    setPlatform({ canBlock: false });
    for (let i = 0; i < 20; i++) expect(await bitsOn(2)).toEqual(one);
  });

  it('without shared-memory threads, products run on the calling thread and backendInfo says so', async () => {
    const one = await bitsOn(1);
    setPlatform({ startThread: null, name: 'browser' });
    expect(await bitsOn(2)).toEqual(one);
    expect(backendInfo()).toMatchObject({ platform: 'browser', simd: true, threads: 1 });
    expect(backendInfo().why).toMatch(/^one thread: the page is not cross-origin isolated/);
    setPlatform({ name: 'generic' });
    expect(backendInfo().why).toBe('one thread: this engine cannot start threads that share memory');
  });

  it('in Node, worker_threads are the GEMM threads', () => {
    expect(platform).toMatchObject({ name: 'node', canBlock: true });
    expect(backendInfo().why).toMatch(/^\d+ threads? \(worker_threads;/);
  });
});
