import { ConfigError } from 'semiflow';
import { GlooCommunicator } from './gloo-communicator.ts';
import type { GlooOptions } from './options.ts';

/**
 * The launcher's contract, which any job runner (Kubernetes, Slurm, a shell loop) can set as well:
 * RANK, WORLD_SIZE, SEMIFLOW_RENDEZVOUS (redis://host:port or file:/shared/dir), and optionally
 * SEMIFLOW_GLOO_IFACE (the interface to listen on), SEMIFLOW_RENDEZVOUS_PREFIX (one per job sharing a store) and
 * SEMIFLOW_TIMEOUT_MS.
 */
export async function communicatorFromEnv(overrides: Partial<GlooOptions> = {}, env: NodeJS.ProcessEnv = process.env): Promise<GlooCommunicator> {
  const need = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new ConfigError(`communicatorFromEnv: ${name} is not set; start the script with semiflow-launch or set RANK, WORLD_SIZE and SEMIFLOW_RENDEZVOUS`);
    return value;
  };
  const options: GlooOptions = { rank: Number(need('RANK')), size: Number(need('WORLD_SIZE')), store: need('SEMIFLOW_RENDEZVOUS') };
  if (env.SEMIFLOW_GLOO_IFACE) options.iface = env.SEMIFLOW_GLOO_IFACE;
  if (env.SEMIFLOW_RENDEZVOUS_PREFIX) options.prefix = env.SEMIFLOW_RENDEZVOUS_PREFIX;
  if (env.SEMIFLOW_TIMEOUT_MS) options.timeoutMs = Number(env.SEMIFLOW_TIMEOUT_MS);
  return GlooCommunicator.connect({ ...options, ...overrides });
}
