// The Gloo backend between 2 processes started by semiflow-launch: collectives give exact sums, and a rank that
// fails, never joins or dies gives the other a DistributedError and the launcher a non-zero exit naming the rank.
import { beforeAll, describe, expect, it } from 'vitest';
import { launch, requireGlooAddon } from './gloo-process.ts';

beforeAll(requireGlooAddon);

/** The RESULT line each rank printed, parsed, by rank. */
function results(lines: string[]): Record<string, unknown>[] {
  const found = lines.map((line) => /^\[rank \d\] RESULT (.*)$/.exec(line)).filter((match) => match !== null);
  return found.map((match) => JSON.parse(match[1]) as Record<string, unknown>);
}

describe('semiflow-gloo between 2 processes', () => {
  it('all-reduces 4 MB exactly, broadcasts, passes barriers, runs ops in sequence, and gives every rank a DistributedError for differing lengths, operations or roots', async () => {
    const end = await launch(2, ['ops']).ended;
    expect(end.code, end.lines.join('\n')).toBe(0);
    const byRank = results(end.lines).sort((a, b) => Number(a.rank) - Number(b.rank));
    expect(byRank.map((r) => r.rank)).toEqual([0, 1]);
    for (const r of byRank) {
      expect(r.big).toBe(true);
      expect(r.broadcast).toBe(true);
      expect(r.sequence).toEqual([true, true, true, true, true, true]);
      expect(r.lengths).toBe(`rank ${String(r.rank)} of 2: allReduceSum #11 of 1${String(r.rank)} floats failed: the ranks passed arrays of different lengths (from 10 to 11 floats)`);
      const op = r.rank === 0 ? 'barrier #1' : 'allReduceSum #1 of 4 floats';
      expect(r.ops).toBe(`rank ${String(r.rank)} of 2: ${op} failed: the ranks called different operations (allReduceSum and barrier): every rank must call the same ones in the same order`);
      expect(r.roots).toBe(`rank ${String(r.rank)} of 2: broadcast #1 of 4 floats from rank ${String(r.rank)} failed: the ranks gave different roots (from 0 to 1)`);
    }
  }, 60_000);

  it('a rank that never joins: the other gets a DistributedError at rendezvous, the launcher exits non-zero naming it', async () => {
    const job = launch(2, ['absent']);
    await job.waitFor(/^\[rank 1\] NOT JOINING$/);
    const end = await job.ended;
    expect(end.code).toBe(1);
    expect(end.lines).toContainEqual(expect.stringMatching(/^\[rank 0\] ERROR DistributedError: rank 0 of 2: rendezvous through file:.* failed: .*[Tt]imeout/));
    expect(end.lines).not.toContain('[rank 0] JOINED');
    expect(end.lines).toContainEqual(expect.stringMatching(/^semiflow-launch: failed: rank 0 failed first$/));
  }, 60_000);

  it('a rank killed inside the op loop: the other gets a DistributedError, the launcher names the killed rank', async () => {
    const job = launch(2, ['killed'], ['--grace-ms', '30000']);
    const pid = Number(/pid=(\d+)/.exec(await job.waitFor(/^\[rank 1\] IN LOOP pid=\d+$/))?.[1]);
    await job.waitFor(/^\[rank 0\] IN LOOP/);
    process.kill(pid, 'SIGKILL');
    const end = await job.ended;
    expect(end.code).toBe(1);
    expect(end.lines).toContainEqual(expect.stringMatching(/^\[rank 0\] ERROR DistributedError: rank 0 of 2: allReduceSum #\d+ of 65536 floats failed: /));
    expect(end.lines).toContainEqual(expect.stringMatching(/^semiflow-launch: rank 1 failed \(signal SIGKILL\)/));
    expect(end.lines).toContainEqual(expect.stringMatching(/^semiflow-launch: failed: rank 1 failed first; then also rank 0$/));
  }, 60_000);
});
