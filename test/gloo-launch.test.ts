// semiflow-launch's contract, without Gloo: the environment each worker gets, output prefixed by rank, a fresh file
// store removed afterwards, the exit code and the failed rank's name, usage errors.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Proc, launcher } from './gloo-process.ts';

const script = fileURLToPath(new URL('./fixtures/launch-env.mjs', import.meta.url));
const run = (...args: string[]) => new Proc(process.execPath, [launcher, ...args]).ended;

/** Each rank's JSON line, by rank. */
function envs(lines: string[]): Record<string, unknown>[] {
  const found = lines.map((line) => /^\[rank (\d+)\] (\{.*\})$/.exec(line)).filter((match) => match !== null);
  const parsed = found.map((match): Record<string, unknown> => ({ ...(JSON.parse(match[2]) as Record<string, unknown>), prefixRank: match[1] }));
  return parsed.sort((a, b) => Number(a.RANK) - Number(b.RANK));
}

describe('semiflow-launch', () => {
  it('starts n workers with RANK, WORLD_SIZE and one fresh file store, prefixes their lines, removes the store', async () => {
    const end = await run('-n', '3', script, '0', 'none');
    expect(end.code, end.lines.join('\n')).toBe(0);
    const got = envs(end.lines);
    expect(got.map((e) => [e.RANK, e.prefixRank, e.WORLD_SIZE])).toEqual([['0', '0', '3'], ['1', '1', '3'], ['2', '2', '3']]);
    const stores = new Set(got.map((e) => e.SEMIFLOW_RENDEZVOUS));
    const prefixes = new Set(got.map((e) => e.SEMIFLOW_RENDEZVOUS_PREFIX));
    expect(stores.size).toBe(1);
    expect(prefixes.size).toBe(1);
    expect(got.every((e) => e.storeExists === true && e.SEMIFLOW_GLOO_IFACE === 'lo')).toBe(true);
    expect(got[0].args).toEqual(['0', 'none']);
    expect(existsSync(String(got[0].SEMIFLOW_RENDEZVOUS).slice('file:'.length))).toBe(false);
  }, 60_000);

  it('passes a given rendezvous and interface through, and exits 1 naming the rank that failed', async () => {
    const end = await run('-n', '2', '--rendezvous', 'redis://10.1.2.3:7000', '--iface', 'eth9', '--grace-ms', '100', script, '7', '1');
    expect(end.code).toBe(1);
    expect(envs(end.lines).map((e) => [e.SEMIFLOW_RENDEZVOUS, e.SEMIFLOW_GLOO_IFACE])).toEqual([['redis://10.1.2.3:7000', 'eth9'], ['redis://10.1.2.3:7000', 'eth9']]);
    expect(end.lines).toContain('semiflow-launch: rank 1 failed (exit code 7); stopping the others in 100 ms');
    expect(end.lines).toContain('semiflow-launch: failed: rank 1 failed first');
  }, 60_000);

  it('refuses a bad worker count or a missing script with its usage and exit code 2', async () => {
    for (const args of [['-n', '0', script], ['-n', '2'], ['--workers', '2', script]]) {
      const end = await run(...args);
      expect(end.code).toBe(2);
      expect(end.lines.join('\n')).toMatch(/^semiflow-launch: .*\nusage: semiflow-launch -n <workers>/);
    }
  }, 60_000);
});
