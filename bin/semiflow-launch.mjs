#!/usr/bin/env node
// semiflow-launch: starts n local workers of one distributed job and sets the contract every worker reads
// (RANK, WORLD_SIZE, SEMIFLOW_RENDEZVOUS, SEMIFLOW_RENDEZVOUS_PREFIX, SEMIFLOW_GLOO_IFACE). When one worker fails,
// the others get a grace period to notice and exit, then are stopped; the exit code is non-zero and names the rank.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const USAGE = `usage: semiflow-launch -n <workers> [--rendezvous file:/dir | redis://host:port] [--iface lo] [--grace-ms 10000] script.(js|ts) [args...]`;

function parse(argv) {
  const options = { n: 0, rendezvous: undefined, iface: 'lo', graceMs: 10_000 };
  let i = 0;
  for (; i < argv.length && argv[i].startsWith('-'); i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '-n' || flag === '--nproc') options.n = Number(value);
    else if (flag === '--rendezvous') options.rendezvous = value;
    else if (flag === '--iface') options.iface = value;
    else if (flag === '--grace-ms') options.graceMs = Number(value);
    else throw new Error(`unknown option ${flag}`);
  }
  if (!Number.isInteger(options.n) || options.n < 1) throw new Error('-n must be a positive integer');
  if (!Number.isFinite(options.graceMs) || options.graceMs < 0) throw new Error('--grace-ms must be a number of milliseconds');
  if (i >= argv.length) throw new Error('no script given');
  return { ...options, script: argv[i], args: argv.slice(i + 1) };
}

let job;
try {
  job = parse(process.argv.slice(2));
} catch (error) {
  console.error(`semiflow-launch: ${error.message}\n${USAGE}`);
  process.exit(2);
}

// A fresh file store per job, so no address of an earlier run is read back.
const storeDir = job.rendezvous === undefined ? mkdtempSync(join(tmpdir(), 'semiflow-rendezvous-')) : undefined;
const rendezvous = job.rendezvous ?? `file:${storeDir}`;
const prefix = `job-${randomBytes(6).toString('hex')}`;
// TypeScript scripts run through tsx (resolved from the working directory, like `npx tsx`).
const nodeArgs = /\.[cm]?tsx?$/.test(job.script) ? ['--import', 'tsx', job.script] : [job.script];

const workers = Array.from({ length: job.n }, (_, rank) => {
  const env = { ...process.env, RANK: String(rank), WORLD_SIZE: String(job.n), SEMIFLOW_RENDEZVOUS: rendezvous, SEMIFLOW_RENDEZVOUS_PREFIX: prefix, SEMIFLOW_GLOO_IFACE: job.iface };
  const child = spawn(process.execPath, [...nodeArgs, ...job.args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stdout }).on('line', (line) => process.stdout.write(`[rank ${rank}] ${line}\n`));
  createInterface({ input: child.stderr }).on('line', (line) => process.stderr.write(`[rank ${rank}] ${line}\n`));
  return { rank, child, exit: new Promise((resolve) => child.on('close', (code, signal) => resolve({ rank, code, signal }))) };
});

let firstFailure;
const stopTimers = [];
function stopAll(signal) {
  for (const { child } of workers) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}
for (const worker of workers) {
  worker.exit.then(({ rank, code, signal }) => {
    if (code === 0 || firstFailure !== undefined) return;
    firstFailure = { rank, code, signal };
    console.error(`semiflow-launch: rank ${rank} failed (${signal ? `signal ${signal}` : `exit code ${code}`}); stopping the others in ${job.graceMs} ms`);
    stopTimers.push(setTimeout(() => stopAll('SIGTERM'), job.graceMs), setTimeout(() => stopAll('SIGKILL'), job.graceMs + 5000));
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(signal));

const results = await Promise.all(workers.map((w) => w.exit));
for (const timer of stopTimers) clearTimeout(timer);
if (storeDir) rmSync(storeDir, { recursive: true, force: true });
if (firstFailure !== undefined) {
  const others = results.filter((r) => r.rank !== firstFailure.rank && r.code !== 0).map((r) => r.rank);
  console.error(`semiflow-launch: failed: rank ${firstFailure.rank} failed first${others.length ? `; then also rank ${others.join(', ')}` : ''}`);
  process.exit(1);
}
