// Two "hosts": network namespaces joined by a veth pair (10.77.0.1 and 10.77.0.2), with Redis rendezvous on the
// first; a worker in each all-reduces 4 MB over the veth link. Needs root and iproute2 (as in CI).
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Proc, requireGlooAddon, worker } from './gloo-process.ts';

const ns = [`sf${process.pid}a`, `sf${process.pid}b`];
const address = ['10.77.0.1', '10.77.0.2'];
let redis: Proc | undefined;
let port = 0;

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
});

describe('semiflow-gloo across two network namespaces', () => {
  it('all-reduces 4 MB exactly between a worker in each, rendezvous through Redis on the first; closed, a rank refuses more', async () => {
    const workers = [0, 1].map((rank) => inNs(rank, process.execPath, ['--import', 'tsx', worker, 'sum'], {
      ...process.env, RANK: String(rank), WORLD_SIZE: '2', SEMIFLOW_RENDEZVOUS: `redis://${address[0]}:${port}`, SEMIFLOW_RENDEZVOUS_PREFIX: `hosts-${process.pid}`, SEMIFLOW_GLOO_IFACE: ns[rank],
    }));
    const ends = await Promise.all(workers.map((w) => w.ended));
    for (const [rank, end] of ends.entries()) {
      expect(end.code, end.lines.join('\n')).toBe(0);
      const result = end.lines.find((line) => line.startsWith('RESULT '));
      expect(JSON.parse(result?.slice('RESULT '.length) ?? 'null')).toEqual({ rank, big: true, afterClose: `rank ${rank} of 2: barrier #2 failed: the group is closed` });
    }
  }, 60_000);
});
