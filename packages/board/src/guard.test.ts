import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import type { Actor, OrderEvent } from '@twinline/workorder';
import { act, comment, createOrder, editDraft, readOrder } from './board';
import { checkUpdate } from './guard';
import type { GuardMode } from './guard';
import type { Principal } from './access';
import { sweepArchived } from './retention';
import { putCrew, readCrews, readStations, setAutoAssign } from './roster';
import type { Crew } from './roster';
import { agent, agentXm, cloneDoc, dispatcherA, dispatcherB, draftFor, lead } from './testkit';

const DOC = 'region/fuzhou';
const asPrincipal = (a: Actor, city?: string): Principal => ({
  ...a,
  role: a.role as Principal['role'],
  city: a.role === 'dispatcher' ? (city ?? 'fuzhou') : undefined,
});
const pAgent = asPrincipal(agent);
const pDispA = asPrincipal(dispatcherA);
const pDispB = asPrincipal(dispatcherB);

/** The centre's document with one order dispatched to station A, and a console's replica of it. */
function setup() {
  const server = new Y.Doc();
  const id = createOrder(server, draftFor(), agent);
  act(server, id, { action: 'dispatch', stationId: dispatcherA.stationId }, agent);
  const client = cloneDoc(server);
  return { server, client, id };
}

/** What `client` has that `server` lacks: the update a console sends (live: one transaction; catch_up: sync step 2). */
function diff(server: Y.Doc, client: Y.Doc): Uint8Array {
  return Y.encodeStateAsUpdate(client, Y.encodeStateVector(server));
}

function change(client: Y.Doc, fn: () => unknown): Uint8Array {
  const updates: Uint8Array[] = [];
  const on = (u: Uint8Array) => updates.push(u);
  client.on('update', on);
  fn();
  client.off('update', on);
  return Y.mergeUpdates(updates);
}

/** The update `fn` makes on a fresh replica of `server` (so refused attempts do not pile up on one replica). */
function attempt(server: Y.Doc, fn: (client: Y.Doc) => unknown): Uint8Array {
  const client = cloneDoc(server);
  return change(client, () => fn(client));
}

function verdict(server: Y.Doc, update: Uint8Array, p: Principal, mode: GuardMode = 'live', doc = DOC) {
  const before = Y.encodeStateAsUpdate(server);
  const v = checkUpdate(server, update, p, doc, mode);
  expect(Y.encodeStateAsUpdate(server)).toEqual(before); // never applies anything
  return v;
}

function expectOk(server: Y.Doc, update: Uint8Array, p: Principal, mode: GuardMode = 'live') {
  expect(verdict(server, update, p, mode)).toEqual({ ok: true });
  Y.applyUpdate(server, update);
}

function expectRefused(
  server: Y.Doc,
  update: Uint8Array,
  p: Principal,
  pattern: RegExp,
  mode: GuardMode = 'live',
  doc = DOC,
) {
  const v = verdict(server, update, p, mode, doc);
  expect(v.ok).toBe(false);
  if (!v.ok) expect(v.reason).toMatch(pattern);
}

function rawEvents(doc: Y.Doc, id: string): Y.Array<unknown> {
  return (doc.getMap('orders').get(id) as Y.Map<unknown>).get('events') as Y.Array<unknown>;
}

function rawEvent(by: Actor, action: OrderEvent['action'], extra: Partial<OrderEvent> = {}): OrderEvent {
  return { id: `e-${Math.random().toString(36).slice(2)}`, action, by, at: new Date().toISOString(), ...extra };
}

describe('checkUpdate allows', () => {
  it('an agent opening an order, dispatching it and commenting, each as its own live update', () => {
    const { server, client } = setup();
    let id = '';
    expectOk(
      server,
      change(client, () => (id = createOrder(client, draftFor(), agent))),
      pAgent,
    );
    expectOk(
      server,
      change(client, () => act(client, id, { action: 'dispatch', stationId: 'st-fuzhou-gulou' }, agent)),
      pAgent,
    );
    expectOk(
      server,
      change(client, () => comment(client, id, '请尽快', agent)),
      pAgent,
    );
    expect(readOrder(server, id)!.order.state).toBe('dispatched');
  });

  it("the station's dispatcher taking, assigning and commenting on its order", () => {
    const { server, client, id } = setup();
    expectOk(
      server,
      change(client, () => act(client, id, { action: 'take' }, dispatcherA)),
      pDispA,
    );
    expectOk(
      server,
      change(client, () => act(client, id, { action: 'assign', crewId: 'crew-7' }, dispatcherA)),
      pDispA,
    );
    expectOk(
      server,
      change(client, () => comment(client, id, '已派工', dispatcherA)),
      pDispA,
    );
    expect(readOrder(server, id)!.order.crewId).toBe('crew-7');
  });

  it('draft edits that overwrite values (the overwritten values are deleted), also twice before syncing', () => {
    const { server, client, id } = setup();
    expectOk(
      server,
      change(client, () => editDraft(client, id, { address: '五四路 1 号', priority: 'critical' }, agent)),
      pAgent,
    );
    editDraft(client, id, { address: '五四路 2 号' }, agent);
    editDraft(client, id, { address: '五四路 3 号' }, agent);
    expectOk(server, diff(server, client), pAgent, 'catch_up');
    expect(readOrder(server, id)!.order.draft.address).toBe('五四路 3 号');
  });

  it("clearing an optional draft field (the caller's name) through editDraft", () => {
    const { server, client, id } = setup();
    expect(readOrder(server, id)!.order.draft.callerName).toBeDefined();
    expectOk(
      server,
      change(client, () => editDraft(client, id, { callerName: null }, agent)),
      pAgent,
    );
    expect(readOrder(server, id)!.order.draft.callerName).toBeUndefined();
  });

  it('an offline console sending an order it opened and moved on, in one update', () => {
    const { server, client } = setup();
    const id = createOrder(client, draftFor(), agent);
    act(client, id, { action: 'dispatch', stationId: 'st-fuzhou-gulou' }, agent);
    act(client, id, { action: 'urge' }, agent);
    comment(client, id, 'offline', agent);
    expectOk(server, diff(server, client), pAgent);
  });

  it('appending after events the console has not seen yet (concurrent appends)', () => {
    const { server, client, id } = setup();
    act(server, id, { action: 'urge' }, lead); // another console, already at the centre
    expectOk(
      server,
      change(client, () => act(client, id, { action: 'take' }, dispatcherA)),
      pDispA,
    );
    expect(
      readOrder(server, id)!
        .order.history.map((e) => e.action)
        .sort(),
    ).toEqual(['create', 'dispatch', 'take', 'urge']);
  });

  it("in catch_up, relaying other people's work from the twin centre (refused live)", () => {
    const { server, client, id } = setup();
    const twin = cloneDoc(server);
    act(twin, id, { action: 'take' }, dispatcherA);
    const other = createOrder(twin, draftFor(), agentXm);
    comment(twin, other, 'from xiamen', agentXm);
    Y.applyUpdate(client, diff(client, twin));
    act(client, id, { action: 'urge' }, agent);
    const update = diff(server, client);
    expectRefused(server, update, pAgent, /claims to be by/);
    expectOk(server, update, pAgent, 'catch_up');
    expect(readOrder(server, other)).toBeDefined();
  });

  it("in catch_up, relaying the twin's retention sweep of an archived order (refused live)", () => {
    const { server, id } = setup();
    for (const [action, by, extra] of [
      ['take', dispatcherA, {}],
      ['assign', dispatcherA, { crewId: 'c1' }],
      ['arrive', dispatcherA, {}],
      ['handle', dispatcherA, {}],
      ['reply', dispatcherA, {}],
      ['callback', agent, { satisfaction: 'satisfied' }],
      ['archive', agent, {}],
    ] as const) {
      act(server, id, { action, ...extra }, by, new Date('2026-01-01T00:00:00Z'));
    }
    const twin = cloneDoc(server);
    // An order opened, closed and swept entirely on the twin while this centre was away: it arrives already collected.
    const gone = createOrder(twin, draftFor(), agentXm, { now: new Date('2026-01-01T00:00:00Z') });
    for (const [action, by, extra] of [
      ['dispatch', agentXm, { stationId: dispatcherA.stationId }],
      ['take', dispatcherA, {}],
      ['assign', dispatcherA, { crewId: 'c1' }],
      ['arrive', dispatcherA, {}],
      ['handle', dispatcherA, {}],
      ['reply', dispatcherA, {}],
      ['callback', agentXm, { satisfaction: 'satisfied' }],
      ['archive', agentXm, {}],
    ] as const) {
      act(twin, gone, { action, ...extra }, by, new Date('2026-01-01T01:00:00Z'));
    }
    expect(
      sweepArchived(twin, new Date('2026-02-01T00:00:00Z'), 7 * 86_400_000)
        .map((r) => r.id)
        .sort(),
    ).toEqual([gone, id].sort());
    const client = cloneDoc(twin);
    const update = diff(server, client);
    expectRefused(server, update, pAgent, /deletes order/);
    expectOk(server, update, pAgent, 'catch_up');
    expect(readOrder(server, id)).toBeUndefined();
  });

  it('an update that changes nothing, even from someone who may not write', () => {
    const { server, client } = setup();
    expect(verdict(server, diff(server, client), pAgent)).toEqual({ ok: true });
    expect(verdict(server, Y.encodeStateAsUpdate(client), pAgent, 'catch_up')).toEqual({ ok: true });
  });
});

describe('checkUpdate refuses', () => {
  it('a forged author in live mode', () => {
    const { server, id } = setup();
    expectRefused(
      server,
      attempt(server, (client) => act(client, id, { action: 'urge' }, lead)),
      pAgent,
      /claims to be by team_lead lead-1/,
    );
    expectRefused(
      server,
      attempt(server, (client) => comment(client, id, 'x', agentXm)),
      pAgent,
      /claims to be by agent agent-9/,
    );
    const created = attempt(server, (client) => createOrder(client, draftFor(), lead));
    expectRefused(server, created, pAgent, /claims to be by/);
  });

  it("a dispatcher acting on another station's order, or claiming another station", () => {
    const { server, id } = setup();
    expectRefused(
      server,
      attempt(server, (client) => rawEvents(client, id).push([rawEvent(dispatcherB, 'take')])),
      pDispB,
      /never dispatched to station st-fuzhou-taijiang/,
    );
    expectRefused(
      server,
      attempt(server, (client) => rawEvents(client, id).push([rawEvent({ ...dispatcherA, userId: 'disp-b' }, 'take')])),
      pDispB,
      /claims station st-fuzhou-gulou/,
    );
    const noStation = { ...dispatcherA, stationId: undefined };
    expectRefused(
      server,
      attempt(server, (client) => rawEvents(client, id).push([rawEvent(noStation, 'urge')])),
      pDispA,
      /must name its station/,
    );
  });

  it('a role taking an action the rules do not give it, even in catch_up', () => {
    const { server, id } = setup();
    expectRefused(
      server,
      attempt(server, (client) => rawEvents(client, id).push([rawEvent(agent, 'take')])),
      pAgent,
      /role agent may not take/,
      'catch_up',
    );
    expectRefused(
      server,
      attempt(server, (client) => rawEvents(client, id).push([rawEvent(agent, 'create')])),
      pAgent,
      /may only open a new order/,
    );
  });

  it('deleting an event, a comment, a draft field or an order', () => {
    const { server, id } = setup();
    comment(server, id, 'keep me', agent);
    const part = (client: Y.Doc, key: string) => (client.getMap('orders').get(id) as Y.Map<unknown>).get(key);
    expectRefused(
      server,
      attempt(server, (c) => rawEvents(c, id).delete(1)),
      pAgent,
      /deletes an event of order/,
    );
    expectRefused(
      server,
      attempt(server, (c) => rawEvents(c, id).delete(1)),
      pAgent,
      /deletes an event of order/,
      'catch_up',
    );
    expectRefused(
      server,
      attempt(server, (c) => (part(c, 'comments') as Y.Array<unknown>).delete(0)),
      pAgent,
      /deletes a comment/,
    );
    expectRefused(
      server,
      attempt(server, (c) => (part(c, 'draft') as Y.Map<unknown>).delete('address')),
      pAgent,
      /required draft field address/,
    );
    expectRefused(
      server,
      attempt(server, (c) => c.getMap('orders').delete(id)),
      pAgent,
      /deletes order/,
    );
    expectRefused(
      server,
      attempt(server, (c) => c.getMap('orders').delete(id)),
      pAgent,
      /deletes order/,
      'catch_up',
    ); // not archived
    expectRefused(
      server,
      attempt(server, (c) => (c.getMap('orders').get(id) as Y.Map<unknown>).set('events', new Y.Array())),
      pAgent,
      /already has its events/,
    );
  });

  it('an order written over an existing id', () => {
    const { server, id } = setup();
    const other = new Y.Doc();
    createOrder(other, draftFor(), agent, { id });
    expectRefused(server, Y.encodeStateAsUpdate(other), pAgent, /already exists/);
  });

  it('a root type other than orders, and wrong content types', () => {
    const { server, id } = setup();
    expectRefused(
      server,
      attempt(server, (client) => client.getMap('evil').set('x', 1)),
      pAgent,
      /unknown root type "evil"/,
    );
    expectRefused(
      server,
      attempt(server, (client) => client.getText('orders').insert(0, 'x')),
      pAgent,
      /keyed entries|must be a Y.Map/,
    );
    const draft = (client: Y.Doc) => (client.getMap('orders').get(id) as Y.Map<unknown>).get('draft') as Y.Map<unknown>;
    expectRefused(
      server,
      attempt(server, (client) => draft(client).set('description', new Y.Text('hi'))),
      pAgent,
      /one plain value/,
    );
    expectRefused(
      server,
      attempt(server, (client) => draft(client).set('colour', 'red')),
      pAgent,
      /no field "colour"/,
    );
    expectRefused(
      server,
      attempt(server, (client) => draft(client).set('callerNumber', 'not a number')),
      pAgent,
      /callerNumber is invalid/,
    );
    expectRefused(
      server,
      attempt(server, (client) =>
        draft(client).set('region', { city: 'xiamen', county: 'siming', areaClass: 'urban' }),
      ),
      pAgent,
      /for xiamen, not fuzhou/,
    );
    expectRefused(
      server,
      attempt(server, (client) => rawEvents(client, id).insert(0, [rawEvent(agent, 'urge')])),
      pAgent,
      /before the create event/,
    );
    const m = new Y.Map();
    expectRefused(
      server,
      attempt(server, (client) => rawEvents(client, id).push([m])),
      pAgent,
      /hold plain values/,
    );
  });

  it('garbage event JSON', () => {
    const { server, id } = setup();
    expectRefused(
      server,
      attempt(server, (client) => rawEvents(client, id).push(['{"action":"take"'])),
      pAgent,
      /is invalid/,
    );
    expectRefused(
      server,
      attempt(server, (client) => rawEvents(client, id).push([{ action: 'urge', by: agent }])),
      pAgent,
      /is invalid: id/,
    );
    expectRefused(
      server,
      attempt(server, (client) => rawEvents(client, id).push([{ ...rawEvent(agent, 'urge'), at: 'yesterday' }])),
      pAgent,
      /is invalid: at/,
    );
  });

  it('a new order without its create event or draft', () => {
    const { server } = setup();
    const bare = attempt(server, (client) => {
      const m = new Y.Map<unknown>();
      m.set('draft', new Y.Map());
      m.set('events', new Y.Array());
      m.set('comments', new Y.Array());
      client.getMap('orders').set('fuzhou-x', m);
    });
    expectRefused(server, bare, pAgent, /lacks draft fields/);
  });

  it('writes to a document the principal may not write, and unknown documents', () => {
    const { server } = setup();
    const update = attempt(server, (client) => createOrder(client, draftFor(), agent));
    const xiamenDispatcher: Principal = {
      userId: 'd',
      role: 'dispatcher',
      centre: 'xiamen',
      stationId: 's',
      city: 'xiamen',
    };
    expectRefused(server, update, xiamenDispatcher, /may not write region\/fuzhou/);
    expectRefused(server, update, pAgent, /unknown document/, 'live', 'region/taipei');
  });

  it('updates that depend on content the centre does not have, and undecodable bytes', () => {
    const { server, client, id } = setup();
    change(client, () => act(client, id, { action: 'urge' }, agent)); // lost on the way
    const second = change(client, () => act(client, id, { action: 'urge' }, agent));
    expectRefused(server, second, pAgent, /neither this centre nor the update has/);
    expectRefused(server, new Uint8Array([1, 2, 3, 4, 5]), pAgent, /malformed update/);
  });
});

describe('mass outages in the board document', () => {
  const outage = {
    cause: 'fault' as const,
    area: { counties: ['gulou'], streets: ['五四路'], servicePoints: [] },
    expectedRestoreAt: '2026-11-23T18:00:00+08:00',
  };
  const outageDraft = () => ({ ...draftFor(), type: 'outage' as const, outage });

  it("a station declares its city's outage, restores it, and the orders merged under it go to callback", () => {
    const { server, id: child } = setup();
    let master = '';
    expectOk(
      server,
      attempt(server, (c) => (master = createOrder(c, outageDraft(), dispatcherA))),
      pDispA,
    );
    expect(readOrder(server, master)?.order).toMatchObject({ state: 'accepted', stationId: dispatcherA.stationId });
    expectOk(
      server,
      attempt(server, (c) => act(c, child, { action: 'merge', masterId: master }, dispatcherA)),
      pDispA,
    );
    // Another station may not restore it; its own station restores it and the merged order with it.
    expectRefused(
      server,
      attempt(server, (c) => rawEvents(c, master).push([rawEvent(dispatcherB, 'restore')])),
      pDispB,
      /never dispatched to station/,
    );
    expectOk(
      server,
      attempt(server, (c) =>
        c.transact(() => {
          act(c, master, { action: 'restore', note: '已恢复供电' }, dispatcherA);
          act(c, child, { action: 'restore' }, dispatcherA);
        }),
      ),
      pDispA,
    );
    expect(readOrder(server, master)?.order.state).toBe('archived');
    expect(readOrder(server, child)?.order.state).toBe('replied');
  });

  it('refuses an outage by an agent, an order half outage, and turning an order into an outage', () => {
    const { server, id } = setup();
    // An agent's console cannot declare one (the console never offers it; a forged one is refused).
    const byAgent = attempt(server, (c) => {
      const order = new Y.Map<unknown>();
      const draft = new Y.Map<unknown>();
      for (const [k, v] of Object.entries(outageDraft())) draft.set(k, v);
      order.set('draft', draft);
      order.set('events', Y.Array.from([rawEvent(agent, 'create')]));
      order.set('comments', new Y.Array());
      c.getMap('orders').set('fuzhou-20261123-forgedout1', order);
    });
    expectRefused(server, byAgent, pAgent, /role agent may not create outage orders/);
    // A repair order carrying a declaration, and an outage without one.
    expectRefused(
      server,
      attempt(server, (c) => editDraftRaw(c, id, 'outage', outage)),
      pAgent,
      /is not an outage/,
    );
    expectRefused(
      server,
      attempt(server, (c) => editDraftRaw(c, id, 'type', 'outage')),
      pAgent,
      /cannot change to or from outage/,
    );
    expect(() => editDraft(cloneDoc(server), id, { type: 'outage' }, agent)).toThrow(/to or from outage/);
  });
});

function editDraftRaw(doc: Y.Doc, id: string, key: string, value: unknown): void {
  ((doc.getMap('orders').get(id) as Y.Map<unknown>).get('draft') as Y.Map<unknown>).set(key, value);
}

describe('crews and station settings in the board document', () => {
  const crewOf = (id: string, stationId: string, extra: Partial<Crew> = {}): Omit<Crew, 'updatedAt' | 'updatedBy'> => ({
    id,
    stationId,
    name: '抢修一班',
    kind: 'repair',
    skills: ['line', 'low_voltage'],
    area: { counties: ['gulou'], streets: [] },
    onDuty: true,
    members: [{ id: `${id}-m1`, name: '陈师傅', phone: '13905910001', onDuty: true }],
    ...extra,
  });
  const crewsOf = (doc: Y.Doc) => doc.getMap<unknown>('crews');
  const stationA = dispatcherA.stationId!;
  const stationB = dispatcherB.stationId!;
  const pLead = asPrincipal(lead);
  /** The centre's document with one crew of each station, written by a team lead. */
  function rosterSetup() {
    const { server, id } = setup();
    putCrew(server, crewOf('st-fuzhou-gulou-c1', stationA), lead);
    putCrew(server, crewOf('st-fuzhou-taijiang-c1', stationB, { area: { counties: ['taijiang'], streets: [] } }), lead);
    return { server, id };
  }

  it("a station's dispatcher keeps its own crews and setting; a team lead any station's; last writer wins", () => {
    const { server } = rosterSetup();
    expectOk(
      server,
      attempt(server, (c) => putCrew(c, crewOf('st-fuzhou-gulou-c2', stationA, { kind: 'service' }), dispatcherA)),
      pDispA,
    );
    expectOk(
      server,
      attempt(server, (c) => putCrew(c, crewOf('st-fuzhou-gulou-c1', stationA, { onDuty: false }), dispatcherA)),
      pDispA,
    );
    expectOk(
      server,
      attempt(server, (c) => setAutoAssign(c, stationA, true, dispatcherA)),
      pDispA,
    );
    expectOk(
      server,
      attempt(server, (c) => setAutoAssign(c, stationB, true, lead)),
      pLead,
    );
    // Twice before syncing (the first value arrives already overwritten), then a crew removed by its station.
    const client = cloneDoc(server);
    setAutoAssign(client, stationA, false, dispatcherA);
    setAutoAssign(client, stationA, true, dispatcherA);
    expectOk(server, diff(server, client), pDispA);
    expectOk(
      server,
      attempt(server, (c) => crewsOf(c).delete('st-fuzhou-gulou-c2')),
      pDispA,
    );
    expect(readCrews(server).map((c) => [c.id, c.onDuty, c.updatedBy])).toEqual([
      ['st-fuzhou-gulou-c1', false, 'disp-a'],
      ['st-fuzhou-taijiang-c1', true, 'lead-1'],
    ]);
    expect([...readStations(server).values()].map((s) => [s.stationId, s.autoAssign])).toEqual([
      [stationA, true],
      [stationB, true],
    ]);
  });

  it("refuses an agent, another station's dispatcher, and a dispatcher taking a crew from another station", () => {
    const { server } = rosterSetup();
    const raw = (c: Y.Doc, crew: Omit<Crew, 'updatedAt' | 'updatedBy'>, by: Actor) =>
      crewsOf(c).set(crew.id, { ...crew, updatedAt: new Date().toISOString(), updatedBy: by.userId });
    expectRefused(
      server,
      attempt(server, (c) => raw(c, crewOf('st-fuzhou-gulou-c9', stationA), agent)),
      pAgent,
      /role agent may not change a station's crews/,
    );
    expectRefused(
      server,
      attempt(server, (c) => raw(c, crewOf('st-fuzhou-gulou-c9', stationA), dispatcherB)),
      pDispB,
      /a dispatcher of st-fuzhou-taijiang may not change st-fuzhou-gulou/,
    );
    expectRefused(
      server,
      attempt(server, (c) =>
        c.getMap('stations').set(stationA, {
          stationId: stationA,
          autoAssign: true,
          updatedAt: new Date().toISOString(),
          updatedBy: dispatcherB.userId,
        }),
      ),
      pDispB,
      /station settings st-fuzhou-gulou: a dispatcher of st-fuzhou-taijiang/,
    );
    // Gulou's dispatcher rewriting Taijiang's crew as its own: the crew belongs to Taijiang.
    expectRefused(
      server,
      attempt(server, (c) => raw(c, crewOf('st-fuzhou-taijiang-c1', stationA), dispatcherA)),
      pDispA,
      /may not change st-fuzhou-taijiang/,
    );
    expectRefused(
      server,
      attempt(server, (c) => crewsOf(c).delete('st-fuzhou-gulou-c1')),
      pDispB,
      /deletes crew st-fuzhou-gulou-c1: a dispatcher of st-fuzhou-taijiang/,
    );
    expectRefused(
      server,
      attempt(server, (c) => crewsOf(c).delete('st-fuzhou-gulou-c1')),
      pAgent,
      /deletes crew st-fuzhou-gulou-c1: role agent/,
    );
    expect(readCrews(server).map((c) => c.id)).toEqual(['st-fuzhou-gulou-c1', 'st-fuzhou-taijiang-c1']);
  });

  it('refuses a forged author, a wrong key or city, an invalid crew and anything but one plain value', () => {
    const { server } = rosterSetup();
    const value = { ...crewOf('st-fuzhou-gulou-c3', stationA), updatedAt: new Date().toISOString() };
    expectRefused(
      server,
      attempt(server, (c) => crewsOf(c).set(value.id, { ...value, updatedBy: lead.userId })),
      pDispA,
      /claims to be by lead-1, but the connection is dispatcher disp-a/,
    );
    expectRefused(
      server,
      attempt(server, (c) => crewsOf(c).set('st-fuzhou-gulou-c4', { ...value, updatedBy: 'disp-a' })),
      pDispA,
      /crew st-fuzhou-gulou-c3 is stored under another key, st-fuzhou-gulou-c4/,
    );
    const xiamen = { ...value, id: 'st-xiamen-siming-c1', stationId: 'st-xiamen-siming', updatedBy: 'lead-1' };
    expectRefused(
      server,
      attempt(server, (c) => crewsOf(c).set(xiamen.id, xiamen)),
      pLead,
      /is for station st-xiamen-siming, not a station of fuzhou/,
    );
    const badPhone = {
      ...value,
      updatedBy: 'disp-a',
      members: [{ id: 'm', name: '陈', phone: 'call me', onDuty: true }],
    };
    expectRefused(
      server,
      attempt(server, (c) => crewsOf(c).set(value.id, badPhone)),
      pDispA,
      /crew st-fuzhou-gulou-c3 is invalid: members.0.phone/,
    );
    expectRefused(
      server,
      attempt(server, (c) => crewsOf(c).set(value.id, new Y.Map())),
      pDispA,
      /must be one plain value, got a YMap/,
    );
    expectRefused(
      server,
      attempt(server, (c) => c.getArray('stations').push([{ stationId: stationA }])),
      pDispA,
      /the stations map takes only keyed entries/,
    );
  });

  it("in catch_up, relaying others' roster changes from the twin (refused live), but not one's own beyond one's station", () => {
    const { server } = rosterSetup();
    const twin = cloneDoc(server);
    putCrew(twin, crewOf('st-fuzhou-taijiang-c2', stationB, { kind: 'service' }), lead);
    setAutoAssign(twin, stationB, true, dispatcherB);
    crewsOf(twin).delete('st-fuzhou-gulou-c1');
    const relayed = diff(server, twin);
    expectRefused(server, relayed, pAgent, /claims to be by|role agent/);
    expectOk(server, relayed, pAgent, 'catch_up');
    expect(readCrews(server).map((c) => c.id)).toEqual(['st-fuzhou-taijiang-c1', 'st-fuzhou-taijiang-c2']);
    // A dispatcher's own offline change to another station's crew is refused also when it comes as catch-up.
    const own = cloneDoc(server);
    crewsOf(own).set('st-fuzhou-taijiang-c1', {
      ...crewOf('st-fuzhou-taijiang-c1', stationB, { onDuty: false }),
      updatedAt: new Date().toISOString(),
      updatedBy: dispatcherA.userId,
    });
    expectRefused(server, diff(server, own), pDispA, /a dispatcher of st-fuzhou-gulou may not change/, 'catch_up');
  });

  it('an update carrying an order step and a roster change together is judged part by part', () => {
    const { server, id } = rosterSetup();
    expectOk(
      server,
      attempt(server, (c) =>
        c.transact(() => {
          act(c, id, { action: 'take' }, dispatcherA);
          act(c, id, { action: 'assign', crewId: 'st-fuzhou-gulou-c1' }, dispatcherA);
          putCrew(c, crewOf('st-fuzhou-gulou-c1', stationA, { onDuty: false }), dispatcherA);
        }),
      ),
      pDispA,
    );
    expect(readOrder(server, id)!.order.crewId).toBe('st-fuzhou-gulou-c1');
    expectRefused(
      server,
      attempt(server, (c) =>
        c.transact(() => {
          act(c, id, { action: 'urge' }, agent);
          putCrew(c, crewOf('st-fuzhou-gulou-c1', stationA), lead);
        }),
      ),
      pAgent,
      /claims to be by lead-1/,
    );
  });
});

describe("crew events carry their centre's seal", () => {
  const crew: Actor = { userId: 'st-fuzhou-gulou-c1', role: 'crew', centre: 'xiamen', stationId: 'st-fuzhou-gulou' };
  const evidence = {
    serverAt: '2026-11-23T02:00:00.000Z',
    offline: false,
    location: { lat: 26.1, lng: 119.3, accuracyM: 12 },
    distanceM: 5200,
    photos: [{ id: 'ph-1', sha256: 'a'.repeat(64), bytes: 1000 }],
    flags: [{ code: 'too_far' as const, detail: '位置距工单地址 5.2 公里 / 5.2 km from the address' }],
  };

  /** A stand-in for the centres' HMAC (the board holds no keys): it remembers what it sealed, under which seal. */
  function fakeSeal() {
    const sealed = new Map<string, string>();
    const body = (orderId: string, e: OrderEvent) =>
      JSON.stringify([orderId, { ...e, evidence: e.evidence && { ...e.evidence, sig: undefined } }]);
    return {
      seal: (orderId: string) => (e: OrderEvent) => {
        const sig = sealed.size.toString(16).padStart(64, '0');
        sealed.set(sig, body(orderId, e));
        return { ...e, evidence: { ...e.evidence!, sig } };
      },
      verify: (orderId: string, e: OrderEvent) =>
        e.evidence?.sig !== undefined && sealed.get(e.evidence.sig) === body(orderId, e),
    };
  }

  /** The centre's document with one order assigned to `crew`, the twin's replica, and the seal both centres share. */
  function crewSetup() {
    const { server, id } = setup();
    act(server, id, { action: 'take' }, dispatcherA);
    act(server, id, { action: 'assign', crewId: crew.userId }, dispatcherA);
    return { server, twin: cloneDoc(server), id, keys: fakeSeal() };
  }

  const check = (
    server: Y.Doc,
    update: Uint8Array,
    mode: GuardMode,
    verifyCrewEvent?: ReturnType<typeof fakeSeal>['verify'],
  ) => {
    const before = Y.encodeStateAsUpdate(server);
    const v = checkUpdate(server, update, pLead, DOC, mode, { verifyCrewEvent });
    expect(Y.encodeStateAsUpdate(server)).toEqual(before);
    return v;
  };
  const pLead = asPrincipal(lead);

  it('a crew step the twin centre recorded and sealed, relayed by a console in catch_up, passes (refused live)', () => {
    const { server, twin, id, keys } = crewSetup();
    act(twin, id, { action: 'accept', evidence }, crew, new Date(), keys.seal(id));
    act(twin, id, { action: 'arrive', evidence }, crew, new Date(), keys.seal(id));
    const console_ = cloneDoc(twin); // what a console got from the twin before it failed over
    const update = diff(server, console_);
    expect(check(server, update, 'live', keys.verify)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/claims to be by crew/),
    });
    expect(check(server, update, 'catch_up', keys.verify)).toEqual({ ok: true });
    Y.applyUpdate(server, update);
    expect(readOrder(server, id)!.order.state).toBe('on_site');
    // Already in the document, it is not judged again: the console syncing once more changes nothing.
    expect(check(server, Y.encodeStateAsUpdate(console_), 'catch_up', keys.verify)).toEqual({ ok: true });
  });

  it('an unsigned crew arrive relayed in catch_up is refused (it passed before the centres sealed crew steps)', () => {
    const { server, twin, id } = crewSetup();
    act(twin, id, { action: 'arrive', evidence: { ...evidence, distanceM: 20, flags: [] } }, crew);
    const update = diff(server, twin);
    const v = check(server, update, 'catch_up', () => true);
    expect(v).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/crew st-fuzhou-gulou-c1's arrive event .* carries no centre seal/),
    });
    expect(check(server, update, 'catch_up')).toEqual({ ok: true }); // no verifier: judged like any event
  });

  it("a station's own step with made-up evidence is refused, live and relayed: only a centre records evidence", () => {
    const { server, twin, id } = crewSetup();
    const station = cloneDoc(server);
    act(station, id, { action: 'arrive', evidence: { ...evidence, distanceM: 20, flags: [] } }, dispatcherA);
    const update = diff(server, station);
    const v = checkUpdate(server, update, asPrincipal(dispatcherA), DOC, 'live', { verifyCrewEvent: () => false });
    expect(v).toMatchObject({ ok: false, reason: expect.stringMatching(/dispatcher .* carries no centre seal/) });
    expect(check(server, update, 'catch_up', () => false)).toMatchObject({ ok: false });
    // The same step without evidence is the station's to take, as before.
    act(twin, id, { action: 'arrive' }, dispatcherA);
    expect(
      checkUpdate(server, diff(server, twin), asPrincipal(dispatcherA), DOC, 'live', { verifyCrewEvent: () => false }),
    ).toEqual({ ok: true });
  });

  it('a sealed crew event changed afterwards (distance, flags) or sealed for another order is refused', () => {
    const { server, twin, id, keys } = crewSetup();
    const genuine = act(twin, id, { action: 'arrive', evidence }, crew, new Date(), keys.seal(id));
    const forged: [string, OrderEvent][] = [
      ['distance', { ...genuine, evidence: { ...genuine.evidence!, distanceM: 40 } }],
      ['flags removed', { ...genuine, evidence: { ...genuine.evidence!, flags: [] } }],
      ['by another crew', { ...genuine, by: { ...crew, userId: 'st-fuzhou-gulou-c2' } }],
    ];
    for (const [what, event] of forged) {
      const update = attempt(server, (c) => rawEvents(c, id).push([event]));
      const v = check(server, update, 'catch_up', keys.verify);
      expect(v.ok, what).toBe(false);
      if (!v.ok) expect(v.reason, what).toMatch(/has a centre seal that does not match it/);
    }
    const other = createOrder(server, draftFor(), agent);
    act(server, other, { action: 'dispatch', stationId: dispatcherA.stationId }, agent);
    act(server, other, { action: 'take' }, dispatcherA);
    act(server, other, { action: 'assign', crewId: crew.userId }, dispatcherA);
    const moved = attempt(server, (c) => rawEvents(c, other).push([genuine]));
    expect(check(server, moved, 'catch_up', keys.verify)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/does not match/),
    });
  });

  it('a sealed crew event copied a second time onto its order is refused', () => {
    const { server, twin, id, keys } = crewSetup();
    const genuine = act(twin, id, { action: 'arrive', evidence }, crew, new Date(), keys.seal(id));
    Y.applyUpdate(server, diff(server, twin));
    const replay = attempt(server, (c) => rawEvents(c, id).push([genuine]));
    expect(check(server, replay, 'catch_up', keys.verify)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/is on the order already/),
    });
    // Both copies new to this centre, in one relayed update.
    const next = crewSetup();
    const first = act(next.twin, next.id, { action: 'arrive', evidence }, crew, new Date(), next.keys.seal(next.id));
    const console_ = cloneDoc(next.twin);
    rawEvents(console_, next.id).push([first]);
    expect(check(next.server, diff(next.server, console_), 'catch_up', next.keys.verify)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/is on the order already/),
    });
  });
});
