// Runs one measurement as a child process and reads its `RESULT {json}` line, the protocol of the baselines.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Job {
  /** What the progress line and an error call it, e.g. 'tfjs-wasm cnn'. */
  label: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: Readonly<Record<string, string>>;
  timeoutS: number;
}

export type JobOutcome =
  | { ok: true; result: Record<string, unknown>; peakRssMb: number | null; wallS: number }
  | { ok: false; error: string; wallS: number };

/** GNU time reports the child's peak RSS the same way for node and python; without it, RSS is what the child says. */
const GNU_TIME = '/usr/bin/time';

/** The last `RESULT {json}` line of a child's stdout. */
export function parseResult(stdout: string): Record<string, unknown> | null {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('RESULT '));
  if (line === undefined) return null;
  const parsed: unknown = JSON.parse(line.slice('RESULT '.length));
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
}

const lastLines = (text: string, n: number): string => text.trimEnd().split('\n').slice(-n).join('\n');

export function runJob(job: Job): Promise<JobOutcome> {
  const started = performance.now();
  const rssDir = existsSync(GNU_TIME) ? mkdtempSync(join(tmpdir(), 'semiflow-bench-')) : null;
  const rssFile = rssDir === null ? null : join(rssDir, 'rss');
  const [command, args] = rssFile === null ? [job.command, job.args] : [GNU_TIME, ['-f', '%M', '-o', rssFile, job.command, ...job.args]];
  // Its own process group, so that a timeout ends the measured process too, not only GNU time.
  const child = spawn(command, args, { cwd: job.cwd, env: { ...process.env, ...job.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const killGroup = (): void => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, job.timeoutS * 1000);
  // A detached child does not get the terminal's Ctrl-C, so pass it on.
  const interrupted = (): void => {
    killGroup();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  return new Promise((resolve) => {
    const finish = (outcome: JobOutcome): void => {
      clearTimeout(timer);
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      if (rssDir !== null) rmSync(rssDir, { recursive: true, force: true });
      resolve(outcome);
    };
    child.on('error', (error) => finish({ ok: false, error: `${job.label}: could not start ${job.command}: ${error.message}`, wallS: 0 }));
    child.on('close', (code) => {
      const wallS = (performance.now() - started) / 1000;
      const fail = (why: string): void => finish({ ok: false, error: `${job.label}: ${why}\n${lastLines(stderr, 15)}`, wallS });
      if (timedOut) return fail(`stopped after the ${job.timeoutS} s time limit`);
      let result: Record<string, unknown> | null;
      try {
        result = parseResult(stdout);
      } catch (error) {
        return fail(`its RESULT line is not JSON (${String(error)})`);
      }
      if (result === null) return fail(`exited with code ${code} without a RESULT line`);
      if (result.fatal !== undefined || result.error !== undefined) return fail(String(result.fatal ?? result.error));
      const kb = rssFile !== null && existsSync(rssFile) ? Number.parseInt(readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '', 10) : NaN;
      const reported = typeof result.peak_rss_mb === 'number' ? result.peak_rss_mb : null;
      finish({ ok: true, result, peakRssMb: Number.isFinite(kb) ? kb / 1024 : reported, wallS });
    });
  });
}
