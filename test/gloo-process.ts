// Child processes of the Gloo tests: the launcher or a worker, their output gathered line by line, so that a test
// waits for an explicit message from a worker instead of a delay.
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { addonPath } from '../packages/gloo/src/native.ts';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const launcher = fileURLToPath(new URL('../bin/semiflow-launch.mjs', import.meta.url));
export const worker = fileURLToPath(new URL('./fixtures/gloo-worker.ts', import.meta.url));

/** The Gloo tests need the addon: without it they fail with how to build it, never skip. */
export function requireGlooAddon(): void {
  if (!existsSync(addonPath)) throw new Error(`the semiflow-gloo addon is not built (${addonPath}): run \`npm run build:gloo\` (needs libgloo-dev, libhiredis-dev, g++)`);
}

export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: string[];
}

/** A child process whose stdout and stderr lines are kept in arrival order. */
export class Proc {
  readonly lines: string[] = [];
  readonly ended: Promise<Ended>;
  private readonly waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  private readonly child: ChildProcess;

  constructor(command: string, args: string[], options: SpawnOptions = {}) {
    const child = spawn(command, args, { cwd: root, ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        const parts = (pending + chunk).split('\n');
        pending = parts.pop() as string;
        parts.forEach((line) => this.add(line));
      });
    }
    this.ended = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, lines: this.lines })));
    this.child = child;
  }

  /** Stops the process (if still running) and waits until it is gone. */
  async stop(): Promise<Ended> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.ended;
  }

  /** The first line matching `pattern`, already received or still to come; rejects if the process ends first. */
  waitFor(pattern: RegExp): Promise<string> {
    const seen = this.lines.find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return Promise.race([
      new Promise<string>((resolve) => this.waiters.push({ pattern, resolve })),
      this.ended.then((end) => {
        throw new Error(`the process ended (${end.code ?? end.signal}) before printing ${pattern}:\n${end.lines.join('\n')}`);
      }),
    ]);
  }

  private add(line: string): void {
    this.lines.push(line);
    for (const waiter of this.waiters.filter((w) => w.pattern.test(line))) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  }
}

/** `semiflow-launch -n <n> ...args` on the worker fixture. */
export function launch(n: number, args: string[], launcherArgs: string[] = []): Proc {
  return new Proc(process.execPath, [launcher, '-n', String(n), ...launcherArgs, worker, ...args]);
}
