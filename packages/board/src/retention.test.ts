import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import type { Actor } from '@twinline/workorder';
import { act, comment, createOrder, observeOrders, readOrder, snapshot } from './board';
import { RETENTION_ORIGIN, archivedOrders, sweepArchived } from './retention';
import { agent, cloneDoc, dispatcherA, draftFor, sync } from './testkit';

const DAY = 86_400_000;
const at = (day: number) => new Date(Date.parse('2026-11-01T00:00:00Z') + day * DAY);

function closedOrder(doc: Y.Doc, archivedOn: number): string {
  const id = createOrder(doc, draftFor(), agent, { now: at(archivedOn) });
  const steps: [Parameters<typeof act>[2], Actor][] = [
    [{ action: 'dispatch', stationId: dispatcherA.stationId }, agent],
    [{ action: 'take' }, dispatcherA],
    [{ action: 'assign', crewId: 'crew-1' }, dispatcherA],
    [{ action: 'arrive' }, dispatcherA],
    [{ action: 'handle' }, dispatcherA],
    [{ action: 'reply' }, dispatcherA],
    [{ action: 'callback', satisfaction: 'satisfied' }, agent],
    [{ action: 'archive' }, agent],
  ];
  for (const [input, by] of steps) act(doc, id, input, by, at(archivedOn));
  comment(doc, id, '客户满意', agent, at(archivedOn));
  return id;
}

describe('retention', () => {
  it('lists archived orders as plain records, and sweeps only those past retention, in one retention transaction', () => {
    const doc = new Y.Doc();
    const old = closedOrder(doc, 0);
    const recent = closedOrder(doc, 9);
    const reopened = closedOrder(doc, 0);
    act(doc, reopened, { action: 'reopen', reason: '又停电了' }, agent, at(1));
    const open = createOrder(doc, draftFor(), agent, { now: at(0) });

    expect(archivedOrders(doc).map((r) => r.id)).toEqual([old, recent].sort());
    const rec = archivedOrders(doc).find((r) => r.id === old)!;
    expect(rec).toMatchObject({
      id: old,
      city: 'fuzhou',
      archivedAt: at(0).toISOString(),
      draft: draftFor(),
      superseded: [],
    });
    expect(rec.events).toHaveLength(9);
    expect(rec.comments.map((c) => c.text)).toEqual(['客户满意']);
    expect(rec.order.state).toBe('archived');
    expect(JSON.parse(JSON.stringify(rec))).toEqual(rec); // plain data, fit for the SQL archive

    const replica = cloneDoc(doc);
    const origins: unknown[] = [];
    observeOrders(doc, (_ids, origin) => origins.push(origin));
    const swept = sweepArchived(doc, at(10), 7 * DAY);
    expect(swept.map((r) => r.id)).toEqual([old]);
    expect(origins).toEqual([RETENTION_ORIGIN]);
    expect(readOrder(doc, old)).toBeUndefined();
    expect(snapshot(doc).map((o) => o.order.id)).toEqual([open, recent, reopened].sort());
    expect(sweepArchived(doc, at(10), 7 * DAY)).toEqual([]);

    sync(doc, replica);
    expect(snapshot(replica)).toEqual(snapshot(doc));
    expect(sweepArchived(doc, at(30), 7 * DAY).map((r) => r.id)).toEqual([recent]);
  });

  it('two centres sweeping the same order independently converge', () => {
    const a = new Y.Doc();
    const id = closedOrder(a, 0);
    const b = cloneDoc(a);
    comment(b, id, '归档后的备注', agent, at(2)); // races the sweep: lands in a deleted order
    expect(sweepArchived(a, at(8), 7 * DAY)).toHaveLength(1);
    expect(sweepArchived(b, at(8), 7 * DAY)).toHaveLength(1);
    sync(a, b);
    expect(snapshot(a)).toEqual([]);
    expect(snapshot(b)).toEqual([]);
    expect(Y.encodeStateVector(a)).toEqual(Y.encodeStateVector(b));
  });
});
