import { describe, expect, expectTypeOf, it } from 'vitest';
import { BridgeError } from '../common/bridge';
import type { BridgeOutput, BridgeReply, TwinlinePreloadApi } from '../common/bridge';
import { createBridgeClient } from './bridge-client';

/** Plays the Electron preload: records calls and answers with canned envelopes. */
function fakePreload(answer: (name: string, payload: unknown) => BridgeReply) {
  const calls: Array<[string, unknown]> = [];
  const preload: TwinlinePreloadApi = {
    invoke: async (name, payload) => {
      calls.push([name, payload]);
      return answer(name, payload) as never;
    },
  };
  return { preload, calls };
}

describe('the renderer bridge client', () => {
  it('uses window.twinline when present (Electron) and validates what comes back', async () => {
    const status = { file: '/data/cache.sqlite', docs: 2, recoveredFrom: '/data/cache.corrupt-x.sqlite' };
    const { preload, calls } = fakePreload((name) =>
      name === 'cache.status' ? { ok: true, result: status } : { ok: true, result: { drafts: 'nope' } },
    );
    const client = createBridgeClient({ preload });
    expect(client.mode).toBe('electron');
    expect(await client.call('cache.status')).toEqual(status);
    expect(calls).toEqual([['cache.status', {}]]);
    // An off-contract answer never reaches the caller typed as if it were fine.
    await expect(client.call('drafts.list')).rejects.toMatchObject({ code: 'bad_output' });
  });

  it('turns error envelopes into BridgeError with the code intact', async () => {
    const { preload } = fakePreload(() => ({ ok: false, error: { code: 'forbidden', message: 'not our window' } }));
    const err = await createBridgeClient({ preload })
      .call('secrets.get', { key: 'token' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect(err).toMatchObject({ code: 'forbidden', message: 'not our window' });
  });

  it('falls back to HTTP when there is no preload, and reports an unreachable host as unavailable', async () => {
    const client = createBridgeClient({
      hostUrl: 'http://127.0.0.1:9/',
      token: 't',
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    expect(client.mode).toBe('browser');
    await expect(client.call('settings.get')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('is typed from the handler map (compile-time checks)', () => {
    const client = createBridgeClient({ preload: fakePreload(() => ({ ok: true, result: {} })).preload });
    expectTypeOf(client.call<'cache.status'>).returns.resolves.toEqualTypeOf<BridgeOutput<'cache.status'>>();
    expectTypeOf<BridgeOutput<'settings.get'>['language']>().toEqualTypeOf<'zh-CN' | 'en'>();
    expectTypeOf<BridgeOutput<'cache.loadDoc'>>().toEqualTypeOf<{ updates: string[] }>();
    // @ts-expect-error: an unknown operation does not type-check
    void client.call('cache.drop', {}).catch(() => undefined);
    // @ts-expect-error: cache.loadDoc needs { doc }
    void client.call('cache.loadDoc').catch(() => undefined);
    const _neverCalled = () =>
      // @ts-expect-error: window.twinline is possibly absent (plain browser)
      window.twinline.invoke('cache.status', {});
  });
});
