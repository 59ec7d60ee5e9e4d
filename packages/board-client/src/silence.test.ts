// A centre that dies without a TCP reset (power cut, pulled cable): its sockets stay open and simply go quiet. The
// centre's heartbeat keeps a healthy but idle line busy, so only a real silence moves the console to the twin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regionDoc } from '@twinline/board';
import { eventually, login, tcpProxy } from '../../../sync-server/test/harness';
import type { ConnectionEvent } from './connection';
import { consolesOnTwins } from './testkit';

process.setMaxListeners(100);

describe('a silently dead centre', () => {
  const env = consolesOnTwins();
  let proxy: Awaited<ReturnType<typeof tcpProxy>>;

  beforeAll(async () => {
    proxy = await tcpProxy(Number(new URL(env.twins.fuzhou.url).port));
  });
  afterAll(() => proxy.close());

  it('is left for the twin a few seconds after it goes quiet, while a quiet healthy centre is kept', async () => {
    const events: ConnectionEvent[] = [];
    const a = env.open({
      centres: [
        { name: 'fuzhou', url: `ws://127.0.0.1:${proxy.port}` },
        { name: 'xiamen', url: env.twins.xiamen.url },
      ],
      token: await login(env.twins.fuzhou, 'agent2.fz'),
      docs: [regionDoc('fuzhou'), regionDoc('xiamen')],
      random: () => 0.999, // the worst jitter
    });
    a.onEvent((e) => events.push(e));
    await a.whenSynced();

    // Nobody edits for well over the silence limit: the heartbeat alone keeps the console where it is.
    await new Promise((r) => setTimeout(r, 3500));
    expect(a.getState()).toMatchObject({ centre: 'fuzhou', status: 'synced' });
    expect(events.filter((e) => e.type === 'silent')).toEqual([]);

    proxy.freeze();
    const frozenAt = Date.now();
    await eventually(
      () => a.getState().centre === 'xiamen' && a.getState().status === 'synced',
      'synced on the twin',
      10_000,
    );
    const tookMs = Date.now() - frozenAt;
    console.log(`silent centre: left for the twin ${tookMs} ms after it went quiet`);
    expect(events.find((e) => e.type === 'silent')).toMatchObject({ centre: 'fuzhou' });
    expect(a.getState().failedOver).toBe(true);
    // Silence limit (2.1 s) + worst jitter (1 s) + dial and sync, with room for a slow machine.
    expect(tookMs).toBeLessThan(6000);
  });
});
