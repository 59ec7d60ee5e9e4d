// The console cache: loads before anything else, then appends every later update in small batches.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CACHE_ORIGIN, MemoryCache, persistDoc } from './cache';
import type { BoardCache } from './cache';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('persistDoc', () => {
  it('loads cached updates with origin "cache" and caches every later update, batched', async () => {
    const cache = new MemoryCache();
    const first = new Y.Doc();
    const p1 = persistDoc(first, 'region/fuzhou', cache);
    await p1.loaded;
    for (let i = 0; i < 20; i++) first.getMap('m').set(`k${i}`, i);
    await sleep(120);
    expect(cache.writes).toBe(1); // twenty updates in one batch
    first.getMap('m').set('late', true);
    await p1.destroy();
    expect(cache.writes).toBe(2);
    first.getMap('m').set('after-destroy', true);
    await sleep(80);
    expect(cache.writes).toBe(2);

    const again = new Y.Doc();
    const origins: unknown[] = [];
    again.on('update', (_u: Uint8Array, origin: unknown) => origins.push(origin));
    const p2 = persistDoc(again, 'region/fuzhou', cache);
    await p2.loaded;
    expect(again.getMap('m').toJSON()).toEqual({
      ...Object.fromEntries([...Array(20)].map((_, i) => [`k${i}`, i])),
      late: true,
    });
    expect(origins).toEqual([CACHE_ORIGIN]); // one transaction, and not written back
    await p2.flush();
    expect(cache.writes).toBe(2);
    await p2.destroy();
  });

  it('keeps a batch the cache refused and writes it on the next flush', async () => {
    let fail = true;
    const inner = new MemoryCache();
    const flaky: BoardCache = {
      loadDoc: (d) => inner.loadDoc(d),
      appendUpdates: (d, u) => (fail ? Promise.reject(new Error('disk full')) : inner.appendUpdates(d, u)),
    };
    const doc = new Y.Doc();
    const errors: unknown[] = [];
    const p = persistDoc(doc, 'region/xiamen', flaky, { onError: (e) => errors.push(e) });
    await p.loaded;
    doc.getText('t').insert(0, 'abc');
    await sleep(100);
    expect(errors).toHaveLength(1);
    fail = false;
    doc.getText('t').insert(3, 'def');
    await p.flush();
    const restored = new Y.Doc();
    await persistDoc(restored, 'region/xiamen', inner).loaded;
    expect(restored.getText('t').toString()).toBe('abcdef');
    await p.destroy();
  });

  it('caches updates made before the load finished', async () => {
    const cache = new MemoryCache();
    const seed = new Y.Doc();
    seed.getMap('m').set('old', 1);
    await cache.appendUpdates('d', [Y.encodeStateAsUpdate(seed)]);
    const doc = new Y.Doc();
    const p = persistDoc(doc, 'd', cache);
    doc.getMap('m').set('early', 2);
    await p.loaded;
    await p.destroy();
    const restored = new Y.Doc();
    await persistDoc(restored, 'd', cache).loaded;
    expect(restored.getMap('m').toJSON()).toEqual({ old: 1, early: 2 });
  });
});
