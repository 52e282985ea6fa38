// File-system errors of save and load are FileErrors that name the model's directory, the operation and the reason,
// with the OS error as `cause`, and never a temporary file. The tests run as root too, where permissions do not stop
// writes: a read-only directory is /sys/kernel (sysfs refuses new files even to root), where Linux has it, and
// /proc is a file system where no directory can be created.
import { promises as fsp, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Dense, FileError, Sequential, loadModel } from 'semiflow';

const tmp = mkdtempSync(join(tmpdir(), 'semiflow-fs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function model(): Sequential {
  const m = new Sequential({ name: 'net', seed: 1 });
  m.add(new Dense(3, { inputShape: [2] }));
  return m;
}

async function failure(run: () => Promise<unknown>): Promise<FileError> {
  const error = await run().then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(FileError);
  const message = (error as FileError).message;
  // No temporary, staging or lock file is ever the culprit.
  expect(message).not.toMatch(/\.tmp|\.next|\.semiflow\./);
  return error as FileError;
}

const causeCode = (error: FileError): string | undefined => (error.cause as NodeJS.ErrnoException | undefined)?.code;

describe('save: file-system errors name the model directory', () => {
  it('the path is a file', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'not a directory');
    const error = await failure(() => model().save(file));
    expect(error.message).toBe(`net.save: cannot save into ${file}: ${file} is a file, not a directory (ENOTDIR)`);
    expect([error.dir, error.operation, causeCode(error)]).toEqual([file, 'save', 'ENOTDIR']);
  });

  it('the path lies under a file', async () => {
    const file = join(tmp, 'under');
    writeFileSync(file, 'not a directory');
    const dir = join(file, 'models', 'net');
    const error = await failure(() => model().save(dir));
    expect(error.message).toBe(`net.save: cannot save into ${dir}: ${file} is a file, not a directory (ENOTDIR)`);
    expect(causeCode(error)).toBe('ENOTDIR');
  });

  it('the directory of an earlier save was replaced by a file', async () => {
    const dir = join(tmp, 'replaced');
    await model().save(dir);
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'now a file');
    const error = await failure(() => model().save(dir));
    expect(error.message).toBe(`net.save: cannot save into ${dir}: ${dir} is a file, not a directory (ENOTDIR)`);
  });

  it.runIf(existsSync('/sys/kernel'))('a read-only directory, and a new directory inside one (sysfs, read-only even to root)', async () => {
    const existing = await failure(() => model().save('/sys/kernel'));
    expect(existing.message).toBe('net.save: cannot save into /sys/kernel: permission denied (EACCES in open)');
    expect(causeCode(existing)).toBe('EACCES');
    const fresh = await failure(() => model().save('/sys/kernel/semiflow-net'));
    expect(fresh.message).toBe('net.save: cannot save into /sys/kernel/semiflow-net: permission denied (EPERM in mkdir)');
  });

  it.runIf(existsSync('/proc/self'))('a directory where none can be created (/proc, where Node\'s own recursive mkdir loops forever)', async () => {
    const error = await failure(() => model().save('/proc/semiflow-net/a'));
    expect(error.message).toBe('net.save: cannot save into /proc/semiflow-net/a: the file system cannot create a directory there (ENOENT in mkdir)');
  });

  it('a full disk while writing weights.bin names the directory, not the temporary file that failed', async () => {
    const dir = join(tmp, 'full');
    const open = fsp.open.bind(fsp);
    vi.spyOn(fsp, 'open').mockImplementation(async (path, ...rest) => {
      if (String(path).includes('weights.bin')) {
        throw Object.assign(new Error(`ENOSPC: no space left on device, open '${String(path)}'`), { code: 'ENOSPC', syscall: 'open', path });
      }
      return open(path, ...rest);
    });
    const error = await failure(() => model().save(dir));
    expect(error.message).toBe(`net.save: cannot save into ${dir}: no space left on the device (ENOSPC)`);
    expect((error.cause as Error).message).toMatch(/weights\.bin\.next\.semiflow-\d+-[0-9a-f]+\.tmp/);
    vi.restoreAllMocks();
    // The failed save released the directory: the next one goes through.
    await model().save(dir);
    expect((await loadModel(dir)).layers.length).toBe(2);
  });
});

describe('load: file-system errors name the model directory', () => {
  it('the directory is a file, is missing, or holds a directory where a file should be', async () => {
    const file = join(tmp, 'load-file');
    writeFileSync(file, 'x');
    const notDir = await failure(() => loadModel(file));
    expect(notDir.message).toBe(`loadModel: cannot load ${file}: ${file} is a file, not a directory (ENOTDIR)`);
    expect([notDir.dir, notDir.operation, causeCode(notDir)]).toEqual([file, 'load', 'ENOTDIR']);

    const missing = join(tmp, 'missing');
    expect((await failure(() => loadModel(missing))).message).toBe(`loadModel: cannot load ${missing}: ${join(missing, 'model.json')} does not exist (ENOENT)`);

    const dir = join(tmp, 'weights-dir');
    await model().save(dir);
    rmSync(join(dir, 'weights.bin'));
    mkdirSync(join(dir, 'weights.bin'));
    const isDir = await failure(() => loadModel(dir));
    expect(isDir.message).toBe(`loadModel: cannot load ${dir}: ${join(dir, 'weights.bin')} is a directory, not a file (EISDIR)`);
    // model.loadWeights names the model.
    expect((await failure(() => model().loadWeights(dir))).message).toBe(`net.loadWeights: cannot load ${dir}: ${join(dir, 'weights.bin')} is a directory, not a file (EISDIR)`);
  });
});
