import * as Y from 'yjs';
import { describe, expect, it, vi } from 'vitest';
import { WorkOrderError } from '@twinline/workorder';
import { ZodError } from 'zod';
import {
  act,
  comment,
  createOrder,
  editDraft,
  importOrder,
  observeOrders,
  orderRecord,
  readOrder,
  snapshot,
} from './board';
import { agent, agentXm, cloneDoc, dispatcherA, dispatcherB, draftFor, lead, sync } from './testkit';

const T0 = new Date('2026-11-23T02:00:00Z');

function takenOrder(doc: Y.Doc): string {
  const id = createOrder(doc, draftFor(), agent, { now: T0 });
  act(doc, id, { action: 'dispatch', stationId: dispatcherA.stationId }, agent);
  act(doc, id, { action: 'take' }, dispatcherA);
  return id;
}

describe('createOrder', () => {
  it('writes the draft and a create event, and the order folds to accepted', () => {
    const doc = new Y.Doc();
    const id = createOrder(doc, draftFor(), agent, { now: T0 });
    expect(id).toMatch(/^fuzhou-20261123-[0-9a-z]{10}$/);
    const o = readOrder(doc, id)!;
    expect(o.order.state).toBe('accepted');
    expect(o.order.draft).toEqual(draftFor());
    expect(o.order.history).toHaveLength(1);
    expect(o.order.history[0]).toMatchObject({ action: 'create', by: agent, at: T0.toISOString() });
    expect(o.superseded).toEqual([]);
    expect(o.comments).toEqual([]);
    const raw = doc.getMap('orders').get(id) as Y.Map<unknown>;
    expect([...raw.keys()].sort()).toEqual(['comments', 'draft', 'events']);
    expect((raw.get('draft') as Y.Map<unknown>).get('address')).toBe(draftFor().address);
  });

  it('makes ids that do not collide without coordination', () => {
    const a = new Y.Doc();
    const ids = new Set(Array.from({ length: 500 }, () => createOrder(a, draftFor(), agent, { now: T0 })));
    expect(ids.size).toBe(500);
  });

  it('refuses bad drafts, bad actors and roles that may not create', () => {
    const doc = new Y.Doc();
    expect(() => createOrder(doc, { ...draftFor(), callerNumber: 'call me' }, agent)).toThrow(ZodError);
    expect(() => createOrder(doc, draftFor(), { ...agent, role: 'boss' as never })).toThrow(ZodError);
    expect(() => createOrder(doc, draftFor(), dispatcherA)).toThrow(expect.objectContaining({ code: 'forbidden' }));
    const id = createOrder(doc, draftFor(), agent);
    expect(() => createOrder(doc, draftFor(), agent, { id })).toThrow(WorkOrderError);
    expect(snapshot(doc)).toHaveLength(1);
  });
});

describe('act', () => {
  it('walks the closed loop', () => {
    const doc = new Y.Doc();
    const id = takenOrder(doc);
    act(doc, id, { action: 'assign', crewId: 'crew-1' }, dispatcherA);
    act(doc, id, { action: 'arrive' }, dispatcherA);
    act(doc, id, { action: 'handle', note: '更换保险丝' }, dispatcherA);
    act(doc, id, { action: 'reply', note: '已恢复供电' }, dispatcherA);
    act(doc, id, { action: 'callback', satisfaction: 'satisfied' }, agentXm);
    act(doc, id, { action: 'archive' }, agentXm);
    const o = readOrder(doc, id)!.order;
    expect(o.state).toBe('archived');
    expect(o.crewId).toBe('crew-1');
    expect(o.satisfaction).toBe('satisfied');
    expect(o.history.map((e) => e.action)).toEqual([
      'create',
      'dispatch',
      'take',
      'assign',
      'arrive',
      'handle',
      'reply',
      'callback',
      'archive',
    ]);
  });

  it('throws the typed error and writes nothing when the step is refused', () => {
    const doc = new Y.Doc();
    const id = takenOrder(doc);
    const before = Y.encodeStateVector(doc);
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      throw new Error('did not throw');
    };
    expect(err(() => act(doc, id, { action: 'archive' }, agent))).toMatchObject({ code: 'illegal_transition' });
    expect(err(() => act(doc, id, { action: 'assign', crewId: 'c' }, dispatcherB))).toMatchObject({
      code: 'forbidden',
    });
    expect(err(() => act(doc, id, { action: 'assign' }, dispatcherA))).toMatchObject({ code: 'invalid_payload' });
    expect(err(() => act(doc, id, { action: 'take' }, agent))).toMatchObject({ code: 'forbidden' });
    expect(err(() => act(doc, 'nope', { action: 'urge' }, agent))).toBeInstanceOf(WorkOrderError);
    expect(err(() => act(doc, id, { action: 'explode' as never }, agent))).toBeInstanceOf(ZodError);
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });
});

describe('concurrent work on two replicas', () => {
  it('two dispatchers assigning at once: both events stay, the later one in array order sets the crew', () => {
    const a = new Y.Doc();
    a.clientID = 1;
    const id = takenOrder(a);
    const b = cloneDoc(a, 2);
    act(a, id, { action: 'assign', crewId: 'crew-a' }, dispatcherA);
    act(b, id, { action: 'assign', crewId: 'crew-b' }, { ...dispatcherA, userId: 'disp-a2' });
    sync(a, b);
    expect(snapshot(a)).toEqual(snapshot(b));
    const o = readOrder(a, id)!;
    expect(o.superseded).toEqual([]);
    const assigns = o.order.history.filter((e) => e.action === 'assign');
    expect(assigns).toHaveLength(2);
    expect(o.order.crewId).toBe(assigns[1]!.crewId);
  });

  it('merge (closing the order) against a reassignment: the first in array order applies, the other is superseded', () => {
    const a = new Y.Doc();
    a.clientID = 1;
    const id = takenOrder(a);
    const master = createOrder(a, draftFor(), agent);
    const b = cloneDoc(a, 2);
    act(a, id, { action: 'merge', masterId: master }, lead);
    act(b, id, { action: 'assign', crewId: 'crew-b' }, dispatcherA);
    sync(a, b);
    expect(snapshot(a)).toEqual(snapshot(b));
    const o = readOrder(b, id)!;
    expect(o.superseded).toHaveLength(1);
    const applied = o.order.history.at(-1)!;
    expect(['merge', 'assign']).toContain(applied.action);
    expect(o.superseded[0]!.event.action).toBe(applied.action === 'merge' ? 'assign' : 'merge');
    expect(o.superseded[0]!.code).toBe('illegal_transition');
  });

  it('comments race transitions harmlessly', () => {
    const a = new Y.Doc();
    const id = takenOrder(a);
    const b = cloneDoc(a);
    comment(a, id, '客户说楼道也没电', agent);
    act(b, id, { action: 'send_back', reason: '不属于本站' }, dispatcherA);
    comment(b, id, '已退回', dispatcherA);
    sync(a, b);
    expect(snapshot(a)).toEqual(snapshot(b));
    const o = readOrder(a, id)!;
    expect(o.order.state).toBe('accepted');
    expect(o.comments.map((c) => c.text).sort()).toEqual(['客户说楼道也没电', '已退回'].sort());
  });

  it('draft edits: different fields both win, the same field converges on one writer', () => {
    const a = new Y.Doc();
    const id = createOrder(a, draftFor(), agent);
    const b = cloneDoc(a);
    expect(editDraft(a, id, { address: '五四路 101 号', priority: 'critical' }, agent)).toEqual([
      'address',
      'priority',
    ]);
    editDraft(b, id, { callerName: '林女士', priority: 'normal' }, lead);
    sync(a, b);
    expect(snapshot(a)).toEqual(snapshot(b));
    const d = readOrder(a, id)!.order.draft;
    expect(d.address).toBe('五四路 101 号');
    expect(d.callerName).toBe('林女士');
    expect(['critical', 'normal']).toContain(d.priority);
  });
});

describe('editDraft', () => {
  it('refuses unknown fields, invalid values and moving the order to another city', () => {
    const doc = new Y.Doc();
    const id = createOrder(doc, draftFor(), agent);
    expect(() => editDraft(doc, id, { colour: 'red' } as never, agent)).toThrow(WorkOrderError);
    expect(() => editDraft(doc, id, { address: '' }, agent)).toThrow(WorkOrderError);
    expect(() => editDraft(doc, id, { address: null }, agent)).toThrow(/address/);
    expect(() =>
      editDraft(doc, id, { region: { city: 'xiamen', county: 'siming', areaClass: 'urban' } }, agent),
    ).toThrow(/cannot move/);
    expect(editDraft(doc, id, { region: { city: 'fuzhou', county: 'cangshan', areaClass: 'urban' } }, agent)).toEqual([
      'region',
    ]);
    expect(editDraft(doc, id, { address: draftFor().address }, agent)).toEqual([]);
  });

  it('clears optional fields with null, and says nothing changed when they were empty already', () => {
    const doc = new Y.Doc();
    const id = createOrder(doc, { ...draftFor(), callerName: '林女士', customerAccount: '3500123456' }, agent);
    expect(editDraft(doc, id, { callerName: null, customerAccount: null }, agent)).toEqual([
      'callerName',
      'customerAccount',
    ]);
    const d = readOrder(doc, id)!.order.draft;
    expect(d.callerName).toBeUndefined();
    expect(d.customerAccount).toBeUndefined();
    expect(editDraft(doc, id, { callerName: null }, agent)).toEqual([]);
  });
});

describe('importOrder and observeOrders', () => {
  it('imports a record as given and reports changed ids per transaction', () => {
    const src = new Y.Doc();
    const id = takenOrder(src);
    comment(src, id, '备注', agent);
    const rec = orderRecord(src, id)!;
    const doc = new Y.Doc();
    const seen = vi.fn();
    const stop = observeOrders(doc, seen);
    importOrder(doc, { ...rec, city: 'fuzhou' } as typeof rec);
    expect(readOrder(doc, id)).toEqual(readOrder(src, id));
    expect(seen).toHaveBeenLastCalledWith([id], null);
    act(doc, id, { action: 'urge' }, agent);
    expect(seen).toHaveBeenLastCalledWith([id], null);
    stop();
    comment(doc, id, 'x', agent);
    expect(seen).toHaveBeenCalledTimes(2);
    expect(() => importOrder(doc, rec)).toThrow(WorkOrderError);
    expect(() => importOrder(new Y.Doc(), { ...rec, events: rec.events.slice(1) })).toThrow(WorkOrderError);
  });
});
