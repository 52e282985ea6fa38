// semiflow-gloo's options and environment, checked before the addon is loaded or any rank is contacted.
import { describe, expect, it } from 'vitest';
import { ConfigError } from 'semiflow';
import { communicatorFromEnv, connectGloo } from '../packages/gloo/index.ts';
import { connectArgs } from '../packages/gloo/src/options.ts';

describe('semiflow-gloo options', () => {
  it('splits redis and file stores and fills the defaults', () => {
    expect(connectArgs({ rank: 1, size: 2, store: 'redis://10.0.0.1:7000', iface: 'eth0' })).toEqual({
      rank: 1, size: 2, storeKind: 'redis', storeHost: '10.0.0.1', storePort: 7000, storePath: '', prefix: 'semiflow', iface: 'eth0', hostname: '', timeoutMs: 30_000,
    });
    expect(connectArgs({ rank: 0, size: 1, store: 'redis://store', prefix: 'job7', hostname: 'a.local', timeoutMs: 500 })).toMatchObject({ storeHost: 'store', storePort: 6379, prefix: 'job7', hostname: 'a.local', timeoutMs: 500 });
    expect(connectArgs({ rank: 0, size: 2, store: 'file:/tmp/rdv' })).toMatchObject({ storeKind: 'file', storePath: '/tmp/rdv' });
  });

  it('refuses bad options with a ConfigError that names them, before loading the addon', async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ rank: 2, size: 2, store: 'file:/x' }, /rank must be an integer in \[0, 1\], got 2/],
      [{ rank: 0, size: 0, store: 'file:/x' }, /size must be an integer in \[1, 65536\], got 0/],
      [{ rank: 0, size: 2, store: 'tcp://host:1' }, /store must be 'redis:\/\/host:port' or 'file:\/path', got 'tcp:\/\/host:1'/],
      [{ rank: 0, size: 2, store: 'redis://h:99999' }, /the redis port must be an integer in \[1, 65535\], got 99999/],
      [{ rank: 0, size: 2, store: 'file:/x', iface: 'lo', hostname: 'h' }, /give iface or hostname, not both/],
      [{ rank: 0, size: 2, store: 'file:/x', timeoutMs: 0 }, /timeoutMs must be an integer/],
      [{ rank: 0, size: 2, store: 'file:/x', timeout: 5 }, /unknown option 'timeout'; valid options are rank, size, store, prefix, iface, hostname, timeoutMs/],
      [{ rank: 0, size: 2, store: 'file:/no/such/semiflow/dir' }, /^connectGloo: the rendezvous directory \/no\/such\/semiflow\/dir does not exist$/],
    ];
    for (const [options, message] of bad) {
      const error = await connectGloo(options as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('communicatorFromEnv names the missing variable of the launch contract', async () => {
    const error = await communicatorFromEnv({}, { RANK: '0', WORLD_SIZE: '2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^communicatorFromEnv: SEMIFLOW_RENDEZVOUS is not set; start the script with semiflow-launch/);
  });
});
