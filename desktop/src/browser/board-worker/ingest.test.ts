import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { act, createOrder } from '@twinline/board';
import { OrderIngest } from './ingest';
import type { IngestBatch } from './ingest';
import { AGENT, draft } from '../features/board/testkit';

describe('order ingest', () => {
  let ingest: OrderIngest | null = null;
  afterEach(() => ingest?.stop());

  it('refolds only the ids a transaction changed, batched, and reports removals', () => {
    const doc = new Y.Doc();
    const a = createOrder(doc, draft(), AGENT, { id: 'a' });
    createOrder(doc, draft(), AGENT, { id: 'b' });
    const batches: IngestBatch[] = [];
    ingest = new OrderIngest({ docs: new Map([['region/fuzhou', doc]]), emit: (b) => batches.push(b) });
    ingest.flush();
    expect(batches[0]!.upserts.map((e) => e.order.id).sort()).toEqual(['a', 'b']);
    expect(batches[0]!.upserts[0]!.doc).toBe('region/fuzhou');
    expect(Object.isFrozen(batches[0]!.upserts[0])).toBe(true);

    act(doc, a, { action: 'dispatch', stationId: 'st-fuzhou-gulou' }, AGENT);
    act(doc, a, { action: 'urge' }, AGENT);
    ingest.flush();
    expect(batches).toHaveLength(2);
    expect(batches[1]!.upserts.map((e) => [e.order.id, e.order.state, e.order.urgeCount])).toEqual([
      ['a', 'dispatched', 1],
    ]);

    doc.transact(() => doc.getMap('orders').delete('b'));
    ingest.flush();
    expect(batches[2]).toEqual({ upserts: [], removed: ['b'] });
    ingest.flush();
    expect(batches).toHaveLength(3);
  });

  it('follows updates arriving from another replica', async () => {
    const here = new Y.Doc();
    const there = new Y.Doc();
    const batches: IngestBatch[] = [];
    ingest = new OrderIngest({ docs: new Map([['region/fuzhou', here]]), emit: (b) => batches.push(b), batchMs: 5 });
    createOrder(there, draft({ address: '远端地址' }), AGENT, { id: 'remote' });
    Y.applyUpdate(here, Y.encodeStateAsUpdate(there));
    await new Promise((r) => setTimeout(r, 20));
    expect(batches.map((b) => b.upserts.map((e) => e.order.draft.address))).toEqual([['远端地址']]);
  });
});
