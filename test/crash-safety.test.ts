// Crash safety of model.save under SIGKILL: a child process (fixtures/save-loop.ts) saves version after version of
// a model into one directory and is killed at a seeded random instant, again and again; after every kill the
// directory must load as the last completed save or the one in flight, whole: weights and optimizer state of one
// version, bit for bit. Each next child saves on top of whatever the killed one left behind.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng, loadModel } from 'semiflow';
import { writeFileAtomic } from '../models/write-atomic.ts';
import { clock, versionsIn } from './fixtures/save-loop.ts';
import { savedFiles } from './saved-files.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = join(root, 'test/fixtures/save-loop.ts');
const tmp = mkdtempSync(join(tmpdir(), 'semiflow-crash-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const LANES = 2;
const KILLS_PER_LANE = 16;
const SEED = 2024;

/** What the parent saw of one child: the last versions it started and finished saving. */
interface Run {
  lastSaving: number;
  lastSaved: number;
}

/**
 * Runs save-loop.ts from version `first` and SIGKILLs it `u` save durations after the start of a save (the first
 * save once the directory holds a checkpoint), by the child's own clock; at once if that instant has passed when the
 * line arrives (a loaded machine delivers it late). `durations` gathers the child's save times over all runs. Aimed at
 * the save itself, not at the work between saves, whose share of the time varies with the machine's load. Resolves
 * once the child is gone and its output read.
 */
function killedRun(dir: string, first: number, u: number, durations: number[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir, String(first)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Run = { lastSaving: first - 1, lastSaved: first - 1 };
    let pending = '';
    let stderr = '';
    let killAt: NodeJS.Timeout | undefined;
    let armed = false;
    let savingSince = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() as string;
      for (const line of lines) {
        const [what, k, time] = line.split(' ');
        if (what === 'saved') {
          run.lastSaved = Number(k);
          durations.push(Number(time) - savingSince);
        }
        if (what !== 'saving') continue;
        run.lastSaving = Number(k);
        savingSince = Number(time);
        // Only once the directory holds a checkpoint: before the first save ever completes there is nothing to keep.
        if (armed || durations.length === 0 || run.lastSaved < 1) continue;
        armed = true;
        const wait = savingSince + u * median(durations) - clock();
        if (wait > 0) killAt = setTimeout(() => child.kill('SIGKILL'), wait);
        else child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killAt);
      if (signal !== 'SIGKILL') reject(new Error(`save-loop.ts ended by itself (code ${code}): ${stderr}`));
      else resolve(run);
    });
  });
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1];

describe('SIGKILL in the middle of model.save, many times over', () => {
  it('a temporary file that a killed process left is no obstacle to a later process with the same pid (as in a fresh container)', async () => {
    const dir = join(tmp, 'same-pid');
    mkdirSync(dir);
    // What a process with this pid left when it was killed after its first 50 atomic writes.
    for (let n = 1; n <= 50; n++) writeFileSync(join(dir, `.report.html.semiflow-${process.pid}-${n}.tmp`), 'stale');
    for (let n = 0; n < 3; n++) await writeFileAtomic(join(dir, 'report.html'), `page ${n}`);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toBe('page 2');
  });

  // Its own timeout, a guard against a hang only: 32 child start-ups take minutes on a loaded machine.
  it(`${LANES * KILLS_PER_LANE} kills at random points: the directory always loads as the last completed save or the one in flight, whole`, { timeout: 900_000 }, async () => {
    const rng = new Rng(SEED);
    const delays = Array.from({ length: LANES * KILLS_PER_LANE }, () => 1.5 * rng.next());
    const durations: number[] = [];
    const stats = { kills: 0, midSave: 0, newVersion: 0, leftovers: 0 };

    const lane = async (index: number): Promise<void> => {
      const dir = join(tmp, `lane-${index}`);
      let next = 1;
      for (let i = 0; i < KILLS_PER_LANE; i++) {
        const run = await killedRun(dir, next, delays[index * KILLS_PER_LANE + i], durations);
        const inFlight = run.lastSaving > run.lastSaved;
        const loaded = await loadModel(dir);
        const candidates = inFlight ? [run.lastSaved, run.lastSaving] : [run.lastSaved];
        const found = versionsIn(loaded, candidates);
        expect(found.weights, `kill ${i} of lane ${index}: the weights are none of versions ${candidates}`).toBeDefined();
        expect(found, `kill ${i} of lane ${index}: weights, optimizer state and step of one version`).toEqual({ weights: found.weights, optimizer: found.weights, step: found.weights });
        stats.kills++;
        if (inFlight) stats.midSave++;
        if (found.weights === run.lastSaving && inFlight) stats.newVersion++;
        if (readdirSync(dir).some((name) => name.endsWith('.next') || name.endsWith('.tmp'))) stats.leftovers++;
        next = (found.weights as number) + 1;
      }
      // A save over the last kill's leftovers cleans them up.
      const loaded = await loadModel(dir);
      await loaded.save(dir, { includeOptimizer: true });
      expect(savedFiles(dir)).toEqual(['model.json', 'optimizer.bin', 'weights.bin']);
      expect(versionsIn(await loadModel(dir), [next - 1]).weights).toBe(next - 1);
    };
    await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i)));

    console.log(`crash safety: ${stats.kills} kills, ${stats.midSave} mid-save (${stats.newVersion} of them already loaded as the new version), `
      + `${stats.leftovers} left staging or temporary files; a save takes ${Math.round(median(durations))} ms`);
    expect(stats.midSave).toBeGreaterThan(stats.kills / 2);
  });
});
