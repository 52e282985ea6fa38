import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, flopsOf, formatProfile, grad, matmul, profile, randomNormal, relu, valueAndGrad } from 'semiflow';
import type { ProfileReport, ProfileRow, Tensor } from 'semiflow';

const rowsOf = (report: ProfileReport, prim: string, phase = 'forward'): ProfileRow[] =>
  report.rows.filter((r) => r.prim === prim && r.phase === phase);
const total = (rows: readonly ProfileRow[], key: 'calls' | 'bytes' | 'flops'): number => rows.reduce((s, r) => s + (r[key] ?? 0), 0);

describe('profile', () => {
  const a = randomNormal([4, 3], { seed: 1 });
  const b = randomNormal([3, 5], { seed: 2 });

  it('counts calls, FLOPs (2·m·n·k) and output bytes of each primitive', () => {
    const { result, report } = profile(() => [matmul(a, b), matmul(a, b), matmul(a, b)]);
    expect(result).toHaveLength(3);
    const rows = rowsOf(report, 'matmul');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ calls: 3, flops: 3 * 2 * 4 * 5 * 3, bytes: 3 * 4 * 5 * 4, detail: '[4,3]·[3,5]' });
    expect(report.kernelMs).toBeCloseTo(report.rows.reduce((s, r) => s + r.ms, 0), 9);
    expect(report.otherMs).toBeGreaterThanOrEqual(0);
    expect(report.kernelMs + report.otherMs + report.overheadMs).toBeLessThanOrEqual(report.wallMs + 1e-6);
  });

  it('counts one FLOP per output element for elementwise primitives and one per input element for reductions', () => {
    const { report } = profile(() => a.exp().sum());
    expect(rowsOf(report, 'exp')[0]).toMatchObject({ calls: 1, flops: 12, bytes: 12 * 4 });
    expect(total(rowsOf(report, 'sum'), 'flops')).toBe(12);
    expect(flopsOf('matmul', [[2, 7, 3], [2, 7, 5]], { transposeA: true, transposeB: false }, [2, 3, 5])).toBe(2 * 2 * 3 * 5 * 7);
    expect(flopsOf('permute', [[2, 3]], { perm: [1, 0] }, [3, 2])).toBeNull();
  });

  it('counts no bytes for a kernel that returns its input (reshape)', () => {
    const { report } = profile(() => a.reshape([12]));
    expect(rowsOf(report, 'reshape')[0]).toMatchObject({ calls: 1, bytes: 0, flops: null });
  });

  it('tags the kernels of the backward walk as backward', () => {
    const loss = (w: Tensor): Tensor => relu(matmul(a, w)).sum();
    const { report } = profile(() => valueAndGrad(loss)(b));
    expect(total(rowsOf(report, 'matmul', 'forward'), 'calls')).toBe(1);
    // Only the gradient with respect to w is needed: aᵀ·g, read transposed in place.
    const backward = rowsOf(report, 'matmul', 'backward');
    expect(backward.map((r) => [r.calls, r.detail])).toEqual([[1, '[4,3]ᵀ·[4,5]']]);
  });

  it('records nothing outside a profile, and each profile only its own span', () => {
    matmul(a, b);
    const { report: empty } = profile(() => 1);
    expect(empty.rows).toEqual([]);
    const { report: outer } = profile(() => {
      matmul(a, b);
      const { report: inner } = profile(() => a.exp());
      expect(inner.rows.map((r) => r.prim)).toEqual(['exp']);
    });
    expect(outer.rows.map((r) => r.prim).sort()).toEqual(['exp', 'matmul']);
  });

  it('gives bit-identical results with profiling on', () => {
    const x = randomNormal([8, 6], { seed: 3 });
    const loss = (w: Tensor): Tensor => relu(matmul(x, w)).exp().mean();
    const w = randomNormal([6, 4], { seed: 4 });
    const plain = grad(loss)(w).toArray();
    const { result } = profile(() => grad(loss)(w));
    expect(result.toArray()).toEqual(plain);
  });

  it('profiles an async function until its promise settles', async () => {
    const { result, report } = await profile(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return matmul(a, b).shape;
    });
    expect(result).toEqual([4, 5]);
    expect(total(rowsOf(report, 'matmul'), 'calls')).toBe(1);
    expect(report.wallMs).toBeGreaterThanOrEqual(4);
  });

  it('passes errors through and stops recording', async () => {
    expect(() => profile(() => { throw new RangeError('boom'); })).toThrow('boom');
    await expect(profile(async () => { throw new RangeError('late'); })).rejects.toThrow('late');
    expect(() => profile(42 as unknown as () => void)).toThrow(ConfigError);
  });

  it('formats a table by primitive or by operand shapes', () => {
    const { report } = profile(() => valueAndGrad((w: Tensor) => matmul(a, w).sum())(b));
    const text = formatProfile(report, { title: 'step' });
    expect(text.split('\n')[0]).toBe('step');
    expect(text).toMatch(/^matmul\s+forward\s+1\s/m);
    expect(text).toMatch(/^matmul\s+backward\s+1\s/m);
    expect(text).toContain('other (JS, tape, optimizer)');
    expect(text).toMatch(/^wall\s/m);
    expect(formatProfile(report, { by: 'shape' })).toContain('[4,3]ᵀ·[4,5]');
    expect(formatProfile(report, { top: 1 })).toMatch(/\(\d+ more rows\)/);
    expect(() => formatProfile(report, { by: 'op' as 'prim' })).toThrow(/formatProfile: by must be one of 'prim', 'shape'/);
    expect(() => formatProfile(report, { colour: true } as object)).toThrow(ConfigError);
  });

  it('prints the whole process at exit with SEMIFLOW_PROFILE=1', () => {
    const code = "import { tensor, matmul } from 'semiflow'; const x = tensor([[1, 2], [3, 4]]); matmul(x, x); matmul(x, x); console.log('done');";
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', code], { env: { ...process.env, SEMIFLOW_PROFILE: '1' }, encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('done');
    expect(run.stderr).toContain('SEMIFLOW_PROFILE: the whole process');
    expect(run.stderr).toMatch(/^matmul\s+forward\s+2\s/m);
  });
});
