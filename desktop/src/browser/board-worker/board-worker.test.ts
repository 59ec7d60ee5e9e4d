// The board worker against real centres: the window's client and the worker's server joined by an in-memory port
// (the same code a Web Worker runs), a bridge that keeps the cache in memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import { createOrder, orderIds, regionDoc } from '@twinline/board';
import type { BoardState } from '@twinline/board-client';
import { connectClient, eventually, login, startTwins } from '../../../../sync-server/test/harness';
import {
  CREW,
  CREW_MEMBERS,
  CREW_STATION,
  assignedOrder,
  rosterCrew,
} from '../../../../sync-server/test/fixtures/crew-orders';
import type { PortLike } from '../../common/port-rpc';
import type { BoardRow } from '../features/board/types';
import { draft } from '../features/board/testkit';
import { connectBoardWorker } from './client';
import type { BoardWorker } from './client';
import { serveBoard } from './serve';

/** Two ends of a message channel that clones what it carries and keeps its order, like postMessage. */
function portPair(): [PortLike, PortLike] {
  const listeners: [((m: unknown) => void)[], ((m: unknown) => void)[]] = [[], []];
  const end = (mine: 0 | 1): PortLike => ({
    post: (m) => {
      const copy = structuredClone(m);
      queueMicrotask(() => listeners[mine === 0 ? 1 : 0].forEach((l) => l(copy)));
    },
    onMessage: (l) => listeners[mine].push(l),
  });
  return [end(0), end(1)];
}

/** The host's cache operations, in memory, with the bridge's base64 strings. */
function memoryBridge() {
  const docs = new Map<string, string[]>();
  const rows = new Map<string, BoardRow>();
  const calls: string[] = [];
  return {
    docs,
    rows,
    calls,
    call: async (name: string, payload?: unknown): Promise<never> => {
      calls.push(name);
      const p = payload as { doc: string; updates?: string[] };
      if (name === 'cache.loadDoc') return { updates: docs.get(p.doc) ?? [] } as never;
      if (name === 'cache.clearDoc') {
        const cleared = docs.get(p.doc)?.length ?? 0;
        docs.delete(p.doc);
        for (const [id, r] of rows) if (r.doc === p.doc) rows.delete(id);
        return { cleared } as never;
      }
      if (name === 'cache.putRows') {
        const q = payload as { upserts: BoardRow[]; removed: string[] };
        for (const r of q.upserts) rows.set(r.id, r);
        for (const id of q.removed) rows.delete(id);
        return {} as never;
      }
      if (name === 'cache.appendUpdates') {
        docs.set(p.doc, [...(docs.get(p.doc) ?? []), ...(p.updates ?? [])]);
        return {} as never;
      }
      throw new Error(`unexpected bridge call ${name}`);
    },
  };
}

type Twins = Awaited<ReturnType<typeof startTwins>>;
const AGENT = {
  userId: 'agent.fz',
  role: 'agent' as const,
  centre: 'fuzhou',
  displayName: '坐席',
};

describe('the board worker', () => {
  let twins: Twins;
  let board: BoardWorker;
  const bridge = memoryBridge();
  const orders = new Map<string, BoardRow>();
  const states: BoardState[] = [];
  const rosterChanges: string[] = [];
  let loaded = 0;

  beforeAll(async () => {
    process.setMaxListeners(0);
    twins = await startTwins();
    const [windowEnd, workerEnd] = portPair();
    serveBoard(workerEnd, { WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket });
    board = connectBoardWorker(windowEnd, bridge, {
      orders: ({ upserts, removed }) => {
        for (const r of upserts) orders.set(r.id, r);
        for (const id of removed) orders.delete(id);
      },
      loaded: () => loaded++,
      reloading: () => undefined,
      customers: () => undefined,
      state: (s) => states.push(s),
      event: () => undefined,
      roster: ({ doc }) => rosterChanges.push(doc),
      presence: () => undefined,
    });
    const token = await login(twins.fuzhou, 'agent.fz');
    await board.call('start', {
      centres: [
        { name: 'fuzhou', url: twins.fuzhou.url },
        { name: 'xiamen', url: twins.xiamen.url },
      ],
      token,
      docs: [regionDoc('fuzhou'), regionDoc('xiamen')],
      account: AGENT,
    });
  }, 90_000);

  afterAll(async () => {
    board?.terminate();
    await Promise.all([twins?.fuzhou.stop(), twins?.xiamen.stop()]);
  });

  it('reports the connection and brings in orders made elsewhere', async () => {
    await eventually(() => states.some((s) => s.status === 'synced'), 'synced', 20_000);
    expect(loaded).toBe(1);
    const token = await login(twins.xiamen, 'agent.xm');
    const other = connectClient(twins.xiamen, regionDoc('xiamen'), token, new Y.Doc());
    await other.synced();
    const id = createOrder(other.doc, draft({ region: { city: 'xiamen', county: 'siming', areaClass: 'urban' } }), {
      userId: 'agent.xm',
      role: 'agent',
      centre: 'xiamen',
    });
    await eventually(() => orders.has(id), 'order from xiamen on the board', 20_000);
    expect(orders.get(id)!.doc).toBe(regionDoc('xiamen'));
    other.destroy();
  });

  it('creates an order and takes steps through the worker; a refused step says why', async () => {
    const created = await board.call('createOrder', { doc: regionDoc('fuzhou'), draft: draft() });
    expect('id' in created).toBe(true);
    const id = (created as { id: string }).id;
    // The worker refolds before it answers: the row is already here, with its SLA deadlines worked out.
    expect(orders.get(id)).toMatchObject({ state: 'accepted', createdBy: 'agent.fz', doc: regionDoc('fuzhou') });
    expect(orders.get(id)?.deadlines.map((d) => d.kind)).toContain('on_site');

    const refused = await board.call('act', { doc: regionDoc('fuzhou'), id, input: { action: 'archive' } });
    expect(refused?.code).toBe('illegal_transition');
    expect(await board.call('comment', { doc: regionDoc('fuzhou'), id, text: '客户已来电确认' })).toBeNull();
    expect(orders.get(id)?.comments).toBe(1);
    // The open order's panel gets the whole order: timeline and comments.
    const full = await board.call('order', { doc: regionDoc('fuzhou'), id });
    expect(full?.comments.map((c) => c.text)).toEqual(['客户已来电确认']);
    expect(full?.order.createdBy).toMatchObject({ userId: 'agent.fz', centre: 'fuzhou' });
    expect(await board.call('order', { doc: regionDoc('fuzhou'), id: 'fuzhou-20991231-nosuchorder' })).toBeNull();

    // Everyone else sees it through the centre.
    const token = await login(twins.xiamen, 'lead.xm');
    const other = connectClient(twins.xiamen, regionDoc('fuzhou'), token, new Y.Doc());
    await other.synced();
    await eventually(() => orderIds(other.doc).includes(id), 'order at xiamen', 20_000);
    other.destroy();
  });

  it("answers a station's roster with each crew's figures and each member's, from who the crew said was on the job", async () => {
    const [lin, chen] = CREW_MEMBERS.map((m) => m.id) as [string, string];
    const lead = connectClient(twins.fuzhou, regionDoc('fuzhou'), await login(twins.fuzhou, 'lead.fz'), new Y.Doc());
    await lead.synced();
    rosterChanges.length = 0; // (the demo roster of the first sync was reported long ago)
    rosterCrew(lead.doc);
    // The window is told the roster changed (its roster panel and assign form read it again).
    await eventually(() => rosterChanges.includes(regionDoc('fuzhou')), 'the roster change reaches the window');
    const id = assignedOrder(lead.doc, { address: '福州市鼓楼区班组路 6 号' });
    // The crew accepts on its phone (the crew page's API), 林 and 陈 on the job.
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${twins.fuzhou.http}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    const dispatcher = await login(twins.fuzhou, 'disp.fuzhou-gulou');
    let url = '';
    await eventually(async () => {
      const res = await post('/api/crew/links', { doc: regionDoc('fuzhou'), orderId: id }, dispatcher);
      if (res.ok) url = ((await res.json()) as { url: string }).url;
      return res.ok;
    }, 'a crew link');
    const { session } = (await (await post('/api/crew/session', { link: url.split('#')[1] })).json()) as {
      session: string;
    };
    expect((await post('/api/crew/accept', { members: [lin, chen] }, session)).status).toBe(200);

    const roster = () => board.call('roster', { doc: regionDoc('fuzhou'), stationId: CREW_STATION });
    await eventually(async () => (await roster()).members[CREW]?.[lin] !== undefined, 'member figures', 20_000);
    const view = await roster();
    expect(view.crews.find((c) => c.id === CREW)?.members.map((m) => m.name)).toEqual(CREW_MEMBERS.map((m) => m.name));
    expect(view.figures[CREW]).toMatchObject({ assigned: 1, load: 1 });
    // 黄 (off duty) was not on the job: no figures of hers.
    expect(Object.keys(view.members[CREW]!).sort()).toEqual([lin, chen]);
    expect(view.members[CREW]![lin]).toMatchObject({ crewId: CREW, memberId: lin, jobs: 1, load: 1, arrivals: 0 });
    expect(view.members[CREW]![lin]!.minutesToAccept).not.toBeNull();
    lead.destroy();
  });

  it('writes what it holds to the cache before it stops', async () => {
    const created = await board.call('createOrder', {
      doc: regionDoc('fuzhou'),
      draft: draft({ address: '最后一单' }),
    });
    expect('id' in created).toBe(true);
    await board.call('stop', undefined);
    const cached = new Y.Doc();
    for (const u of bridge.docs.get(regionDoc('fuzhou')) ?? []) Y.applyUpdate(cached, Buffer.from(u, 'base64'));
    expect(orderIds(cached)).toContain((created as { id: string }).id);
    // And the rows a cold start shows first.
    expect(bridge.rows.get((created as { id: string }).id)).toMatchObject({ address: '最后一单', state: 'accepted' });
  });

  it('relays only cache operations to the host', async () => {
    const [windowEnd, rogue] = portPair();
    connectBoardWorker(windowEnd, bridge, {
      orders() {},
      loaded() {},
      reloading() {},
      customers() {},
      state() {},
      event() {},
      presence() {},
      roster() {},
    });
    const answer = new Promise<unknown>((resolve) => rogue.onMessage(resolve));
    rogue.post({ t: 'req', id: 1, m: 'bridge', p: { name: 'secrets.get', payload: { key: 'twinline.session' } } });
    expect(await answer).toMatchObject({ ok: false, e: expect.stringContaining('may not call secrets.get') });
    expect(bridge.calls).not.toContain('secrets.get');
  });

  it('reloads a document from the centre after the centre refused a write in it', async () => {
    // A cache holding something no centre accepts (an unknown root type: a damaged or tampered cache, or an older
    // build's change): the console's first sync sends it, the centre refuses it.
    const cache = memoryBridge();
    const junk = new Y.Doc();
    junk.getMap('not-the-board').set('x', 1);
    cache.docs.set(regionDoc('fuzhou'), [Buffer.from(Y.encodeStateAsUpdate(junk)).toString('base64')]);
    const reloads: { doc: string; reason: string }[] = [];
    const refused: string[] = [];
    const seen = new Map<string, BoardRow>();
    let loadedCount = 0;
    const [windowEnd, workerEnd] = portPair();
    serveBoard(workerEnd, { WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket });
    const w = connectBoardWorker(windowEnd, cache, {
      orders: ({ upserts }) => upserts.forEach((r) => seen.set(r.id, r)),
      loaded: () => loadedCount++,
      reloading: (p) => reloads.push(p),
      customers: () => undefined,
      state: () => undefined,
      event: (e) => e.type === 'write-refused' && refused.push(e.reason),
      presence: () => undefined,
      roster: () => undefined,
    });
    await w.call('start', {
      centres: [{ name: 'fuzhou', url: twins.fuzhou.url }],
      token: await login(twins.fuzhou, 'lead.fz'),
      docs: [regionDoc('fuzhou')],
      account: { userId: 'lead.fz', role: 'team_lead', centre: 'fuzhou', displayName: '值班长' },
    });
    await eventually(() => reloads.length === 1 && loadedCount >= 2, 'reloaded', 20_000);
    expect(refused[0]).toMatch(/unknown root type/);
    expect(reloads[0]).toMatchObject({ doc: regionDoc('fuzhou') });
    // The cache now holds the centre's document only; the board has the centre's orders and takes new ones.
    await eventually(() => cache.calls.includes('cache.clearDoc'), 'cache cleared');
    const created = await w.call('createOrder', {
      doc: regionDoc('fuzhou'),
      draft: draft({ address: '重新加载之后' }),
    });
    expect('id' in created).toBe(true);
    const id = (created as { id: string }).id;
    expect(seen.get(id)?.address).toBe('重新加载之后');
    const token = await login(twins.xiamen, 'lead.xm');
    const other = connectClient(twins.xiamen, regionDoc('fuzhou'), token, new Y.Doc());
    await other.synced();
    await eventually(
      () => orderIds(other.doc).includes(id),
      'the order made after the reload reaches the twin',
      20_000,
    );
    other.destroy();
    await w.call('stop', undefined);
    const rebuilt = new Y.Doc();
    for (const u of cache.docs.get(regionDoc('fuzhou')) ?? []) Y.applyUpdate(rebuilt, Buffer.from(u, 'base64'));
    expect(rebuilt.share.has('not-the-board')).toBe(false);
    expect(orderIds(rebuilt)).toContain(id);
    expect(refused).toHaveLength(1); // no reload loop
    w.terminate();
  });
});
