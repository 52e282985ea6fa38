// One writer per directory: saves into one directory from two processes and from Promise.all in one take turns,
// loads beside them see one whole version (weights, optimizer state and step of one save), a save never touches
// files another owns, a dead holder's lock is taken over, and a live one makes a save wait, then fail naming it.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fsp, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { FileError, loadModel } from 'semiflow';
import type { Sequential } from 'semiflow';
import { buildModel, versionOf, versionsIn } from './fixtures/save-loop.ts';
import { savedFiles } from './saved-files.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = join(root, 'test/fixtures/save-loop.ts');
const tmp = mkdtempSync(join(tmpdir(), 'semiflow-concurrent-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Hang guard only: nothing below waits for a deadline. */
const GUARD_MS = 600_000;

/** The version a loaded model is, checked whole: its step names it, and weights and optimizer state are that version's, bit for bit. */
function wholeVersion(loaded: Sequential, saved: ReadonlySet<number>): number {
  const k = loaded.optimizerProgress?.step as number;
  expect(saved.has(k), `step ${k} is none of the saved versions`).toBe(true);
  expect(versionsIn(loaded, [k])).toEqual({ weights: k, optimizer: k, step: k });
  return k;
}

/** save-loop.ts saving versions first .. first+count-1 into dir, then ending; resolves with the versions it saved. */
function saver(dir: string, first: number, count: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir, String(first), String(count)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`save-loop.ts ${first} ${count} ended with code ${code}: ${err}`));
      else resolve(out.split('\n').filter((l) => l.startsWith('saved ')).map((l) => Number(l.split(' ')[1])));
    });
  });
}

/** A pid that no process has: one of a process that has ended. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', '']);
  expect(pid).toBeGreaterThan(0);
  return pid as number;
}

const writeLock = (dir: string, g: number, holder: { pid: number; host: string; token: string }): void =>
  writeFileSync(join(dir, `.semiflow.lock.${g}`), JSON.stringify({ ...holder, since: '2026-01-01T00:00:00.000Z' }));

describe('one writer per directory', () => {
  it('two processes save 2 × 12 versions into one directory while this one loads it again and again: every load is one whole version', async () => {
    const dir = join(tmp, 'two-processes');
    const [firstA, firstB, count] = [1, 101, 12];
    const saved = new Set([...Array.from({ length: count }, (_, i) => firstA + i), ...Array.from({ length: count }, (_, i) => firstB + i)]);
    let running = true;
    const children = Promise.all([saver(dir, firstA, count), saver(dir, firstB, count)]).finally(() => { running = false; });
    const seen = new Set<number>();
    let loads = 0;
    while (running) {
      // Before the first save completes there is nothing to load.
      if (!existsSync(join(dir, 'model.json'))) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      seen.add(wholeVersion(await loadModel(dir), saved));
      loads++;
    }
    const [a, b] = await children;
    expect(a).toEqual(Array.from({ length: count }, (_, i) => firstA + i));
    expect(b).toEqual(Array.from({ length: count }, (_, i) => firstB + i));
    // The last save to finish is one of the two last versions, and it is what the directory holds.
    expect([firstA + count - 1, firstB + count - 1]).toContain(wholeVersion(await loadModel(dir), saved));
    expect(savedFiles(dir)).toEqual(['model.json', 'optimizer.bin', 'weights.bin']);
    console.log(`two processes: ${a.length + b.length} saves; ${loads} loads beside them saw ${seen.size} different versions, each whole`);
  }, GUARD_MS);

  it('Promise.all of 16 saves and 16 loads in one process: saves commit in call order, every load is one whole version', async () => {
    const dir = join(tmp, 'one-process');
    const model = buildModel();
    const saved = new Set<number>();
    const jobs: Promise<number | undefined>[] = [];
    const setVersion = (k: number): void => {
      const { weights, progress } = versionOf(model, k);
      model.setWeights(weights);
      model.optimizerProgress = progress;
      saved.add(k);
    };
    // A load needs a saved model to find.
    setVersion(0);
    await model.save(dir, { includeOptimizer: true });
    for (let k = 1; k <= 16; k++) {
      setVersion(k);
      // The save takes the model's bytes at the call.
      jobs.push(model.save(dir, { includeOptimizer: true }).then(() => undefined));
      jobs.push(loadModel(dir).then((loaded) => wholeVersion(loaded, saved)));
      // The next save starts while this one is under way, not in step with it.
      await new Promise((r) => setImmediate(r));
    }
    const loaded = (await Promise.all(jobs)).filter((k): k is number => k !== undefined);
    expect(loaded.length).toBe(16);
    // Saves of one process take turns in call order, so the last call is what remains.
    expect(wholeVersion(await loadModel(dir), saved)).toBe(16);
    expect(savedFiles(dir)).toEqual(['model.json', 'optimizer.bin', 'weights.bin']);
  }, GUARD_MS);

  it('a load that reads weights.bin just before a save renames weights.bin.next into place gets the new version', async () => {
    const [dir, newer] = [join(tmp, 'renaming'), join(tmp, 'renaming-newer')];
    const model = buildModel();
    for (const [k, where] of [[1, dir], [2, newer]] as const) {
      const { weights, progress } = versionOf(model, k);
      model.setWeights(weights);
      model.optimizerProgress = progress;
      await model.save(where, { includeOptimizer: true });
    }
    // A save of version 2 between replacing model.json and renaming: the data still under the staging names.
    for (const name of ['weights.bin', 'optimizer.bin']) copyFileSync(join(newer, name), join(dir, `${name}.next`));
    copyFileSync(join(newer, 'model.json'), join(dir, 'model.json'));
    const readFile = fsp.readFile.bind(fsp);
    const spy = vi.spyOn(fsp, 'readFile').mockImplementation(async (path, ...rest) => {
      const bytes = await readFile(path, ...rest);
      // Right after the loader read version 1's data file, the save renames version 2's into place.
      if (String(path).endsWith('.bin') && existsSync(`${String(path)}.next`)) renameSync(`${String(path)}.next`, String(path));
      return bytes;
    });
    const loaded = await loadModel(dir);
    spy.mockRestore();
    expect(wholeVersion(loaded, new Set([1, 2]))).toBe(2);
  });

  it('a live holder makes a save wait; past lockTimeout it fails with a FileError naming the directory and the holder', async () => {
    const dir = join(tmp, 'held');
    mkdirSync(dir);
    const model = buildModel();
    // The parent of this worker is alive for the whole test.
    writeLock(dir, 7, { pid: process.ppid, host: hostname(), token: 'abc' });
    const error = await model.save(dir, { lockTimeout: 50 }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(FileError);
    expect((error as FileError).message).toBe(`saveloop.save: cannot save into ${dir}: another save (pid ${process.ppid} on this host, since `
      + `2026-01-01T00:00:00.000Z; lock file ${join(dir, '.semiflow.lock.7')}) holds the directory; waited 0.05 s (lockTimeout)`);
    expect((error as FileError).dir).toBe(dir);
    expect((error as FileError).operation).toBe('save');
    // Nothing was written, and the holder's lock is untouched.
    expect(readdirSync(dir).sort()).toEqual(['.semiflow.lock.7']);

    writeLock(dir, 8, { pid: 1234, host: 'other-host', token: 'def' });
    const remote = await model.save(dir, { lockTimeout: 0 }).then(() => undefined, (e: unknown) => e);
    expect((remote as FileError).message).toMatch(/another save \(pid 1234 on host other-host, .*\) holds the directory; waited 0 s \(lockTimeout\); semiflow cannot tell whether a process on another host is alive: if it is not, delete .*\.semiflow\.lock\.8$/);
  });

  it('waiting sleeps between looks: 1 s of waiting reads the directory a few dozen times, not thousands', async () => {
    const dir = join(tmp, 'sleeping');
    mkdirSync(dir);
    writeLock(dir, 1, { pid: process.ppid, host: hostname(), token: 'abc' });
    const readdir = vi.spyOn(fsp, 'readdir');
    await expect(buildModel().save(dir, { lockTimeout: 1000 })).rejects.toThrow(FileError);
    // Pauses double from 1 ms to 50 ms: at most 7 + 19 looks in 1 s (fewer when timers fire late).
    expect(readdir.mock.calls.length).toBeLessThanOrEqual(30);
    expect(readdir.mock.calls.length).toBeGreaterThan(1);
  });

  it('a process that creates a generation from an old listing sees the newer one and withdraws', async () => {
    const dir = join(tmp, 'old-listing');
    const model = buildModel();
    for (let i = 0; i < 3; i++) await model.save(dir);
    expect(readdirSync(dir).filter((n) => n.startsWith('.semiflow.'))).toEqual(['.semiflow.unlocked.3']);
    // The first look sees the directory as it was before the last two saves.
    vi.spyOn(fsp, 'readdir').mockImplementationOnce(async () => ['.semiflow.unlocked.1', 'model.json', 'weights.bin'] as never);
    await model.save(dir);
    vi.restoreAllMocks();
    expect(readdirSync(dir).filter((n) => n.startsWith('.semiflow.'))).toEqual(['.semiflow.unlocked.4']);
  });

  it('the lock of a dead process (or of an earlier process with this pid) is taken over, and its leftovers removed', async () => {
    const model = buildModel();
    for (const [label, pid] of [['dead', deadPid()], ['same-pid', process.pid]] as const) {
      const dir = join(tmp, label);
      mkdirSync(dir);
      writeLock(dir, 3, { pid, host: hostname(), token: 'left-by-a-killed-process' });
      // A claim as a process killed while writing it leaves it: empty, its name telling who (pid, host hash, token).
      writeFileSync(join(dir, `.semiflow.claim.${pid}.${createHash('sha256').update(hostname()).digest('hex').slice(0, 8)}.0123abcd`), '');
      await model.save(dir);
      expect(readdirSync(dir).sort()).toEqual(['.semiflow.unlocked.4', 'model.json', 'weights.bin']);
    }
  });

  it('a save removes the temporaries of its own files that a killed save left, and no other file', async () => {
    const dir = join(tmp, 'temporaries');
    mkdirSync(dir);
    const theirs = ['.report.html.semiflow-1-ab12.tmp', '.notes.json.semiflow-99-cd34.tmp', 'weights.bin.bak'];
    const ours = ['.weights.bin.next.semiflow-1-ab12.tmp', '.model.json.semiflow-42-ef56.tmp'];
    for (const name of [...theirs, ...ours]) writeFileSync(join(dir, name), 'left');
    await buildModel().save(dir);
    expect(savedFiles(dir)).toEqual([...theirs, 'model.json', 'weights.bin'].sort());
  });
});
