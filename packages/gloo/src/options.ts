import { ConfigError } from 'semiflow';
import type { ConnectArgs } from './native.ts';

/** How the ranks of one job find each other. */
export interface GlooOptions {
  /** This process's rank, 0 … size − 1. */
  rank: number;
  /** The number of processes in the job. */
  size: number;
  /** The rendezvous store every rank can reach: `redis://host:port` or `file:/shared/directory`. */
  store: string;
  /** Keys of this job in the store; a store shared by several jobs needs a prefix per job (default 'semiflow'). */
  prefix?: string;
  /** The network interface whose address this rank listens on (e.g. 'eth0'); or else */
  iface?: string;
  /** the host name or address this rank listens on. Neither: the address the machine's host name resolves to. */
  hostname?: string;
  /** How long rendezvous and each collective wait for the other ranks before failing (default 30 000 ms). */
  timeoutMs?: number;
}

const KEYS = ['rank', 'size', 'store', 'prefix', 'iface', 'hostname', 'timeoutMs'];

function integer(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`connectGloo: ${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

function text(value: unknown, name: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || value === '') throw new ConfigError(`connectGloo: ${name} must be a non-empty string, got ${String(value)}`);
  return value;
}

/** Checks the options and splits the store address into what the addon takes. */
export function connectArgs(options: GlooOptions): ConnectArgs {
  if (options === null || typeof options !== 'object') throw new ConfigError('connectGloo: options must be an object');
  const unknown = Object.keys(options).filter((key) => !KEYS.includes(key));
  if (unknown.length > 0) throw new ConfigError(`connectGloo: unknown option '${unknown[0]}'; valid options are ${KEYS.join(', ')}`);
  const size = integer(options.size, 'size', 1, 65536);
  const rank = integer(options.rank, 'rank', 0, size - 1);
  const timeoutMs = integer(options.timeoutMs ?? 30_000, 'timeoutMs', 1, 2 ** 31 - 1);
  if (options.iface !== undefined && options.hostname !== undefined) throw new ConfigError('connectGloo: give iface or hostname, not both');
  const base = { rank, size, prefix: text(options.prefix, 'prefix') || 'semiflow', iface: text(options.iface, 'iface'), hostname: text(options.hostname, 'hostname'), timeoutMs };
  const store = text(options.store, 'store');
  const redis = /^redis:\/\/([^:/]+)(?::(\d+))?\/?$/.exec(store);
  if (redis) return { ...base, storeKind: 'redis', storeHost: redis[1], storePort: integer(Number(redis[2] ?? 6379), 'the redis port', 1, 65535), storePath: '' };
  if (store.startsWith('file:') && store.length > 5) return { ...base, storeKind: 'file', storeHost: '', storePort: 0, storePath: store.slice(5) };
  throw new ConfigError(`connectGloo: store must be 'redis://host:port' or 'file:/path', got '${store}'`);
}
