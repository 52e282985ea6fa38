// Two "hosts": network namespaces joined by a veth pair (10.77.0.1 and 10.77.0.2), with Redis rendezvous on the
// first; a worker in each all-reduces 4 MB over the veth link, then the two train MNIST together. Needs root and
// iproute2 (as in CI).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Proc, requireGlooAddon, worker } from './gloo-process.ts';

const ns = [`sf${process.pid}a`, `sf${process.pid}b`];
const address = ['10.77.0.1', '10.77.0.2'];
let redis: Proc | undefined;
let port = 0;
const dir = mkdtempSync(join(tmpdir(), 'semiflow-gloo-hosts-'));
const fitWorker = fileURLToPath(new URL('./fixtures/gloo-fit-worker.ts', import.meta.url));

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const inNs = (i: number, command: string, args: string[], env: NodeJS.ProcessEnv = process.env) => new Proc('ip', ['netns', 'exec', ns[i], command, ...args], { env });

/** A TCP port nobody listens on here (the namespaces start with none in use). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => resolve(free));
    });
  });
}

beforeAll(async () => {
  requireGlooAddon();
  if (process.getuid?.() !== 0) throw new Error('the network-namespace test needs root (ip netns add), as CI has');
  ip('link', 'add', ns[0], 'type', 'veth', 'peer', 'name', ns[1]);
  for (const i of [0, 1]) {
    ip('netns', 'add', ns[i]);
    ip('link', 'set', ns[i], 'netns', ns[i]);
    ip('-n', ns[i], 'addr', 'add', `${address[i]}/24`, 'dev', ns[i]);
    ip('-n', ns[i], 'link', 'set', ns[i], 'up');
    ip('-n', ns[i], 'link', 'set', 'lo', 'up');
  }
  port = await freePort();
  redis = inNs(0, 'redis-server', ['--port', String(port), '--bind', address[0], '--save', '', '--appendonly', 'no', '--protected-mode', 'no']);
  await redis.waitFor(/Ready to accept connections/);
}, 60_000);

afterAll(async () => {
  await redis?.stop();
  // Deleting a namespace deletes its end of the veth pair and so the pair; the link deletion covers a failed setup.
  for (const name of ns) spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  spawnSync('ip', ['link', 'del', ns[0]], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
});

/** The launcher's contract for rank `rank` on its host, rendezvous through Redis on the first. */
const hostEnv = (rank: number, prefix: string): NodeJS.ProcessEnv => ({
  ...process.env, RANK: String(rank), WORLD_SIZE: '2', SEMIFLOW_RENDEZVOUS: `redis://${address[0]}:${port}`, SEMIFLOW_RENDEZVOUS_PREFIX: `${prefix}-${process.pid}`, SEMIFLOW_GLOO_IFACE: ns[rank],
});

describe('semiflow-gloo across two network namespaces', () => {
  it('all-reduces 4 MB exactly between a worker in each, rendezvous through Redis on the first; closed, a rank refuses more', async () => {
    const workers = [0, 1].map((rank) => inNs(rank, process.execPath, ['--import', 'tsx', worker, 'sum'], hostEnv(rank, 'hosts')));
    const ends = await Promise.all(workers.map((w) => w.ended));
    for (const [rank, end] of ends.entries()) {
      expect(end.code, end.lines.join('\n')).toBe(0);
      const result = end.lines.find((line) => line.startsWith('RESULT '));
      expect(JSON.parse(result?.slice('RESULT '.length) ?? 'null')).toEqual({ rank, big: true, afterClose: `rank ${rank} of 2: barrier #2 failed: the group is closed` });
    }
  }, 60_000);

  it('train MNIST together (3 epochs, Adam, shuffled): both hosts end with the weights of one process at the same global batch', async () => {
    const hosts = [0, 1].map((rank) => inNs(rank, process.execPath, ['--import', 'tsx', fitWorker, 'fit', dir], hostEnv(rank, 'fit')));
    const solo = new Proc(process.execPath, ['--import', 'tsx', fitWorker, 'fit', dir]);
    for (const end of await Promise.all([...hosts, solo].map((w) => w.ended))) expect(end.code, end.lines.join('\n')).toBe(0);
    const [r0, r1, one] = ['0', '1', 'solo'].map((name) => new Float32Array(readFileSync(join(dir, `weights-${name}.bin`)).buffer.slice(0)));
    expect(r0.length).toBe(784 * 32 + 32 + 32 * 10 + 10);
    expect(Buffer.from(r1.buffer).equals(Buffer.from(r0.buffer))).toBe(true);
    expect(r0.reduce((m, v, i) => Math.max(m, Math.abs(v - one[i])), 0)).toBeLessThan(1e-6);
    // They met through Redis on the first host: the rendezvous left their addresses there under the run's prefix.
    const keys = execFileSync('ip', ['netns', 'exec', ns[0], 'redis-cli', '-h', address[0], '-p', String(port), '--scan', '--pattern', `fit-${process.pid}*`], { encoding: 'utf8' });
    expect(keys.trim().split('\n').length).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
