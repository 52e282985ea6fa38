import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { FileError, SemiflowError } from '../../core/errors.ts';

// The operating system's errors of a save or a load, told in terms of the model's directory. The OS message is not
// repeated: it names the file of the failed call, which may be a temporary one; it stays reachable as `cause`.

const isOsError = (error: unknown): error is NodeJS.ErrnoException =>
  error instanceof Error && !(error instanceof SemiflowError) && typeof (error as NodeJS.ErrnoException).code === 'string';

/** The nearest of `path` and its ancestors that exists and is not a directory. */
async function fileInTheWay(path: string): Promise<string | undefined> {
  for (let p = path; ; p = dirname(p)) {
    const stat = await fs.stat(p).catch(() => undefined);
    if (stat !== undefined && !stat.isDirectory()) return p;
    if (stat !== undefined || dirname(p) === p) return undefined;
  }
}

async function reason(error: NodeJS.ErrnoException, dir: string, path: string): Promise<string> {
  const code = error.code as string;
  switch (code) {
    case 'ENOTDIR':
    case 'EEXIST': {
      const file = await fileInTheWay(path);
      return file === undefined ? `a part of the path is not a directory (${code})` : `${file} is a file, not a directory (${code})`;
    }
    case 'ENOENT':
      if (error.syscall === 'mkdir') return `the file system cannot create a directory there (${code} in mkdir)`;
      // A save names dir itself: it was there when the save began.
      return path === dir ? `the directory was removed during the save (${code})` : `${path} does not exist (${code})`;
    case 'EISDIR': return `${path} is a directory, not a file (${code})`;
    case 'EACCES':
    case 'EPERM': return `permission denied (${code} in ${error.syscall ?? 'a file-system call'})`;
    case 'EROFS': return `the file system is read-only (${code})`;
    case 'ENOSPC': return `no space left on the device (${code})`;
    case 'EDQUOT': return `the disk quota is used up (${code})`;
    case 'EMFILE':
    case 'ENFILE': return `too many open files (${code})`;
    default: return `${code} in ${error.syscall ?? 'a file-system call'}`;
  }
}

/**
 * `error` as a FileError naming `dir`, the operation and the reason, if it is an error of the operating system;
 * any other error unchanged. `path` is the file a load was reading (its name is no temporary one); a save passes dir.
 */
export async function asFileError(error: unknown, who: string, operation: 'save' | 'load', dir: string, path = dir): Promise<unknown> {
  if (!isOsError(error)) return error;
  const what = operation === 'save' ? `cannot save into ${dir}` : `cannot load ${dir}`;
  return new FileError(`${who}: ${what}: ${await reason(error, dir, path)}`, dir, operation, { cause: error });
}
