// Data-parallel MNIST fit over Gloo between 2 processes started by semiflow-launch: the same weights as 1 process;
// a rank killed mid-training gives the other a DistributedError, and the run resumes from rank 0's last checkpoint.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Proc, launcher, requireGlooAddon } from './gloo-process.ts';

const script = fileURLToPath(new URL('./fixtures/gloo-fit-worker.ts', import.meta.url));
const dirs: string[] = [];
beforeAll(requireGlooAddon);
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'semiflow-gloo-fit-'));
  dirs.push(dir);
  return dir;
}

const launched = (mode: string, dir: string) => new Proc(process.execPath, [launcher, '-n', '2', '--grace-ms', '30000', script, mode, dir]);
const alone = (mode: string, dir: string) => new Proc(process.execPath, ['--import', 'tsx', script, mode, dir]);
const weights = (dir: string, name: string) => new Float32Array(readFileSync(join(dir, `weights-${name}.bin`)).buffer.slice(0));
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** Runs both and checks that they ended well and that rank 0, rank 1 and the lone process hold the same weights. */
async function expectSameWeights(dir: string, two: Proc, one: Proc): Promise<void> {
  const ends = await Promise.all([two.ended, one.ended]);
  for (const end of ends) expect(end.code, end.lines.join('\n')).toBe(0);
  const [r0, r1, solo] = ['0', '1', 'solo'].map((name) => weights(dir, name));
  expect(r0.length).toBe(784 * 32 + 32 + 32 * 10 + 10);
  expect(Buffer.from(r1.buffer).equals(Buffer.from(r0.buffer))).toBe(true);
  expect(maxDiff(r0, solo)).toBeLessThan(1e-6);
}

describe('data-parallel MNIST fit over Gloo', () => {
  it('2 processes at global batch 64 end with the weights of 1 process at 64 (3 epochs, Adam, shuffled)', async () => {
    const dir = tempDir();
    await expectSameWeights(dir, launched('fit', dir), alone('fit', dir));
  }, 120_000);

  it('a rank killed mid-training: the other gets a DistributedError; 2 processes resume from the last checkpoint as 1 would', async () => {
    const dir = tempDir();
    const job = launched('train', dir);
    // Epoch 2's checkpoint is on disk once rank 0 reports the epoch (callbacks run in order and are awaited).
    await job.waitFor(/^\[rank 0\] EPOCH 2 DONE/);
    const pid = Number(/pid=(\d+)/.exec(await job.waitFor(/^\[rank 1\] EPOCH 2 DONE pid=\d+$/))?.[1]);
    process.kill(pid, 'SIGKILL');
    const end = await job.ended;
    expect(end.code).toBe(1);
    expect(end.lines).toContainEqual(expect.stringMatching(/^\[rank 0\] ERROR DistributedError: .*rank 0 of 2: /));
    expect(end.lines).toContain('semiflow-launch: failed: rank 1 failed first; then also rank 0');

    const resumed = launched('resume', dir);
    const from = await resumed.waitFor(/^\[rank 0\] RESUMED FROM epoch-\d+$/);
    expect(Number(/epoch-(\d+)/.exec(from)?.[1])).toBeGreaterThanOrEqual(2);
    await expectSameWeights(dir, resumed, alone('resume', dir));
    expect((await resumed.ended).lines).toContain(from.replace('rank 0', 'rank 1'));
  }, 120_000);
});
