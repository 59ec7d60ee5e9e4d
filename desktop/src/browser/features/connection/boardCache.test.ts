import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { persistDoc } from '@twinline/board-client';
import type { BridgeInput, BridgeName, BridgeOutput } from '../../../common/bridge';
import {
  MAX_BATCH_BASE64,
  MAX_BATCH_COUNT,
  MAX_UPDATE_BASE64,
  createBridgeCache,
  fromBase64,
  packBatches,
  toBase64,
} from './boardCache';

/** A fake bridge keeping the cache in memory, recording the calls. */
function fakeBridge() {
  const docs = new Map<string, string[]>();
  const calls: { name: string; payload: unknown }[] = [];
  return {
    docs,
    calls,
    async call<N extends BridgeName>(name: N, payload?: BridgeInput<N>): Promise<BridgeOutput<N>> {
      calls.push({ name, payload });
      if (name === 'cache.loadDoc') {
        const { doc } = payload as BridgeInput<'cache.loadDoc'>;
        return { updates: [...(docs.get(doc) ?? [])] } as BridgeOutput<N>;
      }
      if (name === 'cache.appendUpdates') {
        const { doc, updates } = payload as BridgeInput<'cache.appendUpdates'>;
        docs.set(doc, [...(docs.get(doc) ?? []), ...updates]);
        return {} as BridgeOutput<N>;
      }
      throw new Error(`unexpected ${name}`);
    },
  };
}

describe('bridge BoardCache adapter', () => {
  it('round-trips bytes through base64, including large and binary-heavy arrays', () => {
    const bytes = new Uint8Array(200_000).map((_, i) => (i * 7919) % 256);
    expect(fromBase64(toBase64(bytes))).toEqual(bytes);
    expect(toBase64(new Uint8Array([0, 255, 1]))).toBe('AP8B');
  });

  it('returns [] for a document never cached and the stored updates in order otherwise', async () => {
    const bridge = fakeBridge();
    const cache = createBridgeCache(bridge);
    expect(await cache.loadDoc('region/fuzhou')).toEqual([]);
    await cache.appendUpdates('region/fuzhou', [new Uint8Array([1, 2, 3, 4]), new Uint8Array([5, 6, 7, 8])]);
    await cache.appendUpdates('region/fuzhou', [new Uint8Array([9, 9, 9, 9])]);
    const loaded = await cache.loadDoc('region/fuzhou');
    expect(loaded.map((u) => [...u])).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 9, 9, 9],
    ]);
    expect(bridge.calls.filter((c) => c.name === 'cache.appendUpdates')).toHaveLength(2);
  });

  it('restores a Yjs document through persistDoc (what BoardConnection does)', async () => {
    const bridge = fakeBridge();
    const cache = createBridgeCache(bridge);
    const a = new Y.Doc();
    const pa = persistDoc(a, 'region/xiamen', cache);
    await pa.loaded;
    a.getMap('orders').set('o1', 'hello');
    a.getMap('orders').set('o2', '你好');
    await pa.flush();
    const b = new Y.Doc();
    const pb = persistDoc(b, 'region/xiamen', cache);
    await pb.loaded;
    expect(b.getMap('orders').toJSON()).toEqual({ o1: 'hello', o2: '你好' });
    await pa.destroy();
    await pb.destroy();
  });

  it('splits appends into calls within the bridge limits and skips an update too large to cache', async () => {
    expect(packBatches(Array.from({ length: 2500 }, () => 'AAAA')).map((b) => b.length)).toEqual([
      MAX_BATCH_COUNT,
      MAX_BATCH_COUNT,
      500,
    ]);
    const big = 'A'.repeat(Math.floor(MAX_BATCH_BASE64 / 2) + 1);
    expect(packBatches([big, big, 'AAAA']).map((b) => b.length)).toEqual([1, 2]);

    const bridge = fakeBridge();
    const skipped: number[] = [];
    const cache = createBridgeCache(bridge, { onSkipped: (_doc, bytes) => skipped.push(bytes) });
    const tooBig = new Uint8Array(Math.ceil((MAX_UPDATE_BASE64 / 4) * 3) + 3);
    await cache.appendUpdates('region/putian', [tooBig, new Uint8Array([1, 2, 3])]);
    expect(skipped).toEqual([tooBig.length]);
    expect(bridge.docs.get('region/putian')).toEqual(['AQID']);
    // nothing to write: no call at all
    await cache.appendUpdates('region/putian', [new Uint8Array()]);
    expect(bridge.calls.filter((c) => c.name === 'cache.appendUpdates')).toHaveLength(1);
  });
});
