import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileError } from '../../core/errors.ts';

// One writer per directory. Saves into one directory take turns: within a process through a queue per directory,
// across processes through lock files created exclusively (link(2) fails if the name exists).
// The lock goes through numbered generations, so that no process ever deletes a lock another may hold:
//   .semiflow.lock.<g>      generation g, held; it records {pid, host, token}
//   .semiflow.unlocked.<g>  generation g, released (the holder renamed its lock file)
// Only the newest generation counts. It is free when released, or when its holder died (same host, pid gone):
// then whoever creates .semiflow.lock.<g+1> first takes the directory. A holder deletes the older generations.
// A slow process may still create a generation that was deleted; it then sees a newer one and withdraws.

const LOCK = /^\.semiflow\.lock\.(\d+)$/;
const UNLOCKED = /^\.semiflow\.unlocked\.(\d+)$/;
/**
 * The file a waiting process links to the next lock name: its lock's contents, written once. Its name tells who
 * left it (pid, a hash of the host, token), as a process killed while writing it leaves it empty.
 */
const CLAIM = /^\.semiflow\.claim\.(\d+)\.([0-9a-f]{8})\.([0-9a-f]+)$/;
/** A hash of the host name, computed at the first save: reading the host name at import would need Deno's --allow-sys for every user. */
let hostTag: string | undefined;
const tagOfHost = (): string => (hostTag ??= createHash('sha256').update(hostname()).digest('hex').slice(0, 8));

/** Who holds a directory: a process on a host, and which of its saves (a process may hold several directories). */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  /** When the lock was taken, as an ISO date, for the timeout message. */
  readonly since: string;
}

/** The newest generation, and its holder if it is held. */
interface LockState {
  readonly generation: number;
  readonly holder: LockHolder | 'unreadable' | undefined;
}

/** Tokens of this process's locks and claims now: one with our pid and another token was left by an earlier process with our pid. */
const heldTokens = new Set<string>();
/** The end of the last save queued on each directory (resolved path) in this process. */
const queues = new Map<string, Promise<void>>();

const lockPath = (dir: string, g: number): string => join(dir, `.semiflow.lock.${g}`);
const unlockedPath = (dir: string, g: number): string => join(dir, `.semiflow.unlocked.${g}`);
const generationOf = (name: string): number | undefined => {
  const match = LOCK.exec(name) ?? UNLOCKED.exec(name);
  return match === null ? undefined : Number(match[1]);
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A holder that is gone: on this host, with a pid that no longer runs (or that is ours, with a token we do not hold). */
function isDead(holder: LockHolder): boolean {
  return holder.host === hostname() && deadOnThisHost(holder.pid, holder.token);
}

const deadOnThisHost = (pid: number, token: string): boolean => (pid === process.pid ? !heldTokens.has(token) : !alive(pid));

async function readHolder(path: string): Promise<LockHolder | 'unreadable' | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return Number.isInteger(holder.pid) && typeof holder.host === 'string' && typeof holder.token === 'string' ? holder : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

async function readState(dir: string): Promise<LockState> {
  for (;;) {
    const names = await fs.readdir(dir);
    const generation = Math.max(0, ...names.map((n) => generationOf(n) ?? 0));
    if (generation === 0 || names.includes(`.semiflow.unlocked.${generation}`)) return { generation, holder: undefined };
    const holder = await readHolder(lockPath(dir, generation));
    // Gone between readdir and read: released or replaced; look again.
    if (holder !== undefined) return { generation, holder };
  }
}

/** Whether generation g, just created by us, is the newest and was not used and released before. */
async function stillNewest(dir: string, g: number): Promise<boolean> {
  const names = await fs.readdir(dir);
  return !names.includes(`.semiflow.unlocked.${g}`) && names.every((n) => (generationOf(n) ?? 0) <= g);
}

function timeoutError(dir: string, who: string, holder: LockHolder | 'unreadable' | undefined, g: number, timeoutMs: number): FileError {
  const file = lockPath(dir, g);
  const whom = holder === undefined ? 'another save'
    : holder === 'unreadable' ? `another save (its lock file ${file} is unreadable)`
    : `another save (pid ${holder.pid} on ${holder.host === hostname() ? 'this host' : `host ${holder.host}`}, since ${holder.since}; lock file ${file})`;
  const hint = holder !== 'unreadable' && holder !== undefined && holder.host !== hostname()
    ? `; semiflow cannot tell whether a process on another host is alive: if it is not, delete ${file}` : '';
  return new FileError(`${who}: cannot save into ${dir}: ${whom} holds the directory; waited ${timeoutMs / 1000} s (lockTimeout)${hint}`, dir, 'save');
}

/** Takes the next generation when the newest is free or its holder dead; waits (sleeping, not spinning) otherwise. */
async function acquire(dir: string, me: LockHolder, timeoutMs: number, who: string): Promise<number> {
  const claim = join(dir, `.semiflow.claim.${me.pid}.${tagOfHost()}.${me.token}`);
  const start = Date.now();
  try {
    await fs.writeFile(claim, JSON.stringify(me), { flag: 'wx' });
    for (let pause = 1; ; pause = Math.min(2 * pause, 50)) {
      const { generation, holder } = await readState(dir);
      if (holder === undefined || (holder !== 'unreadable' && isDead(holder))) {
        const g = generation + 1;
        try {
          await fs.link(claim, lockPath(dir, g));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
          continue;
        }
        if (await stillNewest(dir, g)) return g;
        await fs.rm(lockPath(dir, g), { force: true });
        continue;
      }
      const waited = Date.now() - start;
      if (waited >= timeoutMs) throw timeoutError(dir, who, holder, generation, timeoutMs);
      await sleep(Math.min(pause, timeoutMs - waited));
    }
  } finally {
    await fs.rm(claim, { force: true });
  }
}

/** Removes the generations before g and the claims of dead processes on this host. */
async function removeOlder(dir: string, g: number): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    const generation = generationOf(name);
    const claim = CLAIM.exec(name);
    const stale = generation !== undefined ? generation < g : claim !== null && claim[2] === tagOfHost() && deadOnThisHost(Number(claim[1]), claim[3]);
    if (stale) await fs.rm(join(dir, name), { force: true });
  }
}

/**
 * Runs fn while this process holds `dir` (which must exist): after every save queued on it in this process, and
 * while no other process holds it. Waiting longer than timeoutMs for another process throws a FileError naming it.
 */
export async function withDirectoryLock<T>(dir: string, timeoutMs: number, who: string, fn: () => Promise<T>): Promise<T> {
  const key = resolve(dir);
  const previous = queues.get(key) ?? Promise.resolve();
  let done = (): void => {};
  const mine = new Promise<void>((r) => { done = r; });
  const tail = previous.then(() => mine);
  queues.set(key, tail);
  try {
    await previous;
    const me: LockHolder = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), since: new Date().toISOString() };
    // From the claim to the release, so that no lock of this process looks left by a dead one.
    heldTokens.add(me.token);
    try {
      const g = await acquire(dir, me, timeoutMs, who);
      try {
        await removeOlder(dir, g);
        return await fn();
      } finally {
        await fs.rename(lockPath(dir, g), unlockedPath(dir, g));
      }
    } finally {
      heldTokens.delete(me.token);
    }
  } finally {
    done();
    if (queues.get(key) === tail) queues.delete(key);
  }
}
