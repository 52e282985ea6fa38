import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The temporary names writeFileAtomic uses (and older versions' counters), so a later save can remove what a killed
 * one left; group 1 is the name of the target file.
 */
export const TEMP_NAME = /^\.(.+)\.semiflow-\d+-[0-9a-f]+\.tmp$/;

/**
 * Writes `data` to `path` through a temporary file in the same directory: fsync, then rename over the target,
 * which is atomic on POSIX, so a reader sees the old file or the new one, never half of one. On failure the
 * temporary file is removed and the target is untouched.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  // Random, not a counter: a killed process's leftover must not collide with a later process of the same pid
  // (pids repeat, in containers especially), which O_EXCL would turn into EEXIST.
  const temp = join(dirname(path), `.${basename(path)}.semiflow-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}
