import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { ValueError } from '../../core/errors.ts';
import { TEMP_NAME, writeFileAtomic } from '../write-atomic.ts';
import { withDirectoryLock } from './dir-lock.ts';
import { asFileError } from './file-error.ts';

// Crash-safe saving of an index file (model.json) and the data files it describes (weights.bin, optimizer.bin)
// under fixed names. Each file is written to a temporary name, fsynced, then renamed, which is atomic on POSIX.
// model.json records each data file's size and SHA-256, so a reader can always tell which bytes belong to it.
// The commit keeps this invariant: model.json's data is in F or in F.next (the next save's staging name).
//   1. settle: if model.json's data is in F.next (a save stopped after step 3), rename F.next → F;
//   2. write every new data file as F.next;   3. replace model.json;   4. rename each F.next → F.
// A crash between any two steps leaves model.json describing files that exist, old or new, never a mixture.

export interface FileDigest {
  readonly bytes: number;
  readonly sha256: string;
}

export const NEXT_SUFFIX = '.next';

export function digest(bytes: Uint8Array): FileDigest {
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const matches = (bytes: Uint8Array, expected: FileDigest): boolean =>
  bytes.length === expected.bytes && digest(bytes).sha256 === expected.sha256;

/** fsync on the directory makes its renames durable; some platforms refuse it on a directory, which is fine there. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open a directory for fsync.
  } finally {
    await handle?.close();
  }
}

async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await fs.readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Creates dir and its missing parents (by hand: Node's recursive mkdir loops forever under /proc). */
async function ensureDirectory(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && dirname(dir) !== dir) {
      await ensureDirectory(dirname(dir));
      await fs.mkdir(dir).catch((again: NodeJS.ErrnoException) => { if (again.code !== 'EEXIST') throw again; });
    } else if (code !== 'EEXIST') {
      throw error;
    }
  }
  // EEXIST from a file of that name surfaces as ENOTDIR at the first use of dir.
}

/** Temporary files of a save that was killed while writing `names` (saves take turns, so no live save owns one). */
async function removeStaleTemporaries(dir: string, names: readonly string[]): Promise<void> {
  const stale = (await fs.readdir(dir)).filter((n) => names.includes(TEMP_NAME.exec(n)?.[1] ?? ''));
  await Promise.all(stale.map((n) => fs.rm(join(dir, n), { force: true })));
}

export interface CommitOptions {
  /** How long to wait for a save of another process holding the directory, in ms. */
  readonly lockTimeout: number;
  /** Who is saving, for error messages (`model.save`). */
  readonly who: string;
}

/**
 * Saves `data` files and then `index` (model.json) into `dir`, keeping the previous save loadable at every instant.
 * `recorded` reads, from the current index, the digests it holds for its data files.
 * Data files of an earlier save that this one does not write (listed in `owned`) are removed after the commit.
 * Saves into one directory take turns (dir-lock.ts); errors of the file system become FileErrors naming dir.
 */
export async function commitSave(
  dir: string,
  data: ReadonlyMap<string, Uint8Array>,
  index: { name: string; bytes: Uint8Array },
  recorded: (indexBytes: Uint8Array) => ReadonlyMap<string, FileDigest>,
  owned: readonly string[],
  options: CommitOptions,
): Promise<void> {
  try {
    await ensureDirectory(dir);
    await withDirectoryLock(dir, options.lockTimeout, options.who, () => commitLocked(dir, data, index, recorded, owned));
  } catch (error) {
    throw await asFileError(error, options.who, 'save', dir);
  }
}

async function commitLocked(
  dir: string,
  data: ReadonlyMap<string, Uint8Array>,
  index: { name: string; bytes: Uint8Array },
  recorded: (indexBytes: Uint8Array) => ReadonlyMap<string, FileDigest>,
  owned: readonly string[],
): Promise<void> {
  await removeStaleTemporaries(dir, [index.name, ...owned.map((n) => n + NEXT_SUFFIX)]);
  const current = await readIfExists(join(dir, index.name));
  if (current !== undefined) {
    for (const [name, expected] of recorded(current)) {
      // Without F.next there is nothing to settle, and F need not be read and hashed.
      const staged = await readIfExists(join(dir, name + NEXT_SUFFIX));
      if (staged === undefined || !matches(staged, expected)) continue;
      const file = await readIfExists(join(dir, name));
      if (file === undefined || !matches(file, expected)) await fs.rename(join(dir, name + NEXT_SUFFIX), join(dir, name));
    }
    await syncDirectory(dir);
  }
  for (const [name, bytes] of data) await writeFileAtomic(join(dir, name + NEXT_SUFFIX), bytes);
  await syncDirectory(dir);
  await writeFileAtomic(join(dir, index.name), index.bytes);
  await syncDirectory(dir);
  for (const name of data.keys()) await fs.rename(join(dir, name + NEXT_SUFFIX), join(dir, name));
  for (const name of owned.filter((n) => !data.has(n))) {
    await fs.rm(join(dir, name), { force: true });
    await fs.rm(join(dir, name + NEXT_SUFFIX), { force: true });
  }
  await syncDirectory(dir);
}

/**
 * The bytes of data file `name` that the index describes: the file itself, or its staged F.next when a save
 * stopped between replacing the index and renaming (or has not renamed yet). Without a digest (a file tfjs wrote) the
 * file is read as it is.
 * Errors of the file system are FileErrors of `who`.
 */
export async function readDataFile(dir: string, name: string, expected: FileDigest | undefined, who: string): Promise<Uint8Array> {
  const path = join(dir, name);
  const read = async (p: string): Promise<Uint8Array | undefined> => {
    try {
      return await readIfExists(p);
    } catch (error) {
      // Named as F even when F.next failed: the staging name is the protocol's business.
      throw await asFileError(error, who, 'load', dir, path);
    }
  };
  const bytes = await read(path);
  if (expected === undefined || (bytes !== undefined && matches(bytes, expected))) {
    if (bytes === undefined) throw new ValueError(`${path}: the file is missing (model.json lists it in its weights manifest)`);
    return bytes;
  }
  const staged = await read(path + NEXT_SUFFIX);
  if (staged !== undefined && matches(staged, expected)) return staged;
  // A save may have renamed F.next to F between the two reads: then F holds what model.json describes.
  const renamed = await read(path);
  if (renamed !== undefined && matches(renamed, expected)) return renamed;
  if (bytes === undefined) throw new ValueError(`${path}: the file is missing (model.json lists it with ${expected.bytes} bytes)`);
  const actual = digest(bytes);
  const what = actual.bytes < expected.bytes ? 'it is truncated'
    : actual.bytes > expected.bytes ? 'it is longer than model.json says'
    : 'its contents differ from what model.json recorded (corrupted, or written by another save)';
  throw new ValueError(`${path}: has ${actual.bytes} bytes with sha256 ${actual.sha256.slice(0, 12)}…, but model.json expects ${expected.bytes} bytes with sha256 ${expected.sha256.slice(0, 12)}…: ${what}`);
}
