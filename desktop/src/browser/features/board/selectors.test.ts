import { describe, expect, it } from 'vitest';
import { generateOrders } from '@twinline/demo-data/orders';
import { DEFAULT_POLICY, deadlinesFor, foldEvents } from '@twinline/workorder';
import { boardSlice, filterChanged, ordersChanged, searchChanged, sortChanged } from './boardSlice';
import type { BoardState } from './boardSlice';
import { OrderIndex, sortRows } from './orderIndex';
import { DAY_MS, createBoardSelectors, visibleToRole } from './selectors';
import type { BoardSelectors, BoardSliceRoot, Viewer } from './selectors';
import { BOARD_POLICY, formatRemaining, rowSla } from './sla';
import { AGENT, DISPATCHER, OTHER_AGENT, row } from './testkit';
import type { BoardRow } from './types';

const NOW = Date.parse('2026-11-23T12:00:00+08:00');
const LEAD: Viewer = { userId: 'lead.fz', role: 'team_lead' };
const DISP: Viewer = { userId: DISPATCHER.userId, role: 'dispatcher', stationId: 'st-fuzhou-gulou', city: 'fuzhou' };
const ME: Viewer = { userId: AGENT.userId, role: 'agent' };

const dispatchedTo = (station: string, at = '2026-11-23T08:10:00+08:00') => ({
  action: 'dispatch' as const,
  by: AGENT,
  at,
  stationId: station,
});

/** A board state over an index holding `entries`, with that index's selectors beside it. */
type Root = BoardSliceRoot & { sel: BoardSelectors; index: OrderIndex };

function rootWith(entries: BoardRow[], viewer: Viewer | null, patch: Partial<BoardState> = {}): Root {
  const index = new OrderIndex();
  index.apply({ upserts: entries, removed: [] });
  let board = boardSlice.reducer(undefined, ordersChanged(index.version));
  board = { ...board, clock: NOW, ...patch };
  return { board, session: { account: viewer }, sel: createBoardSelectors(index), index };
}

describe('role visibility', () => {
  const mineOld = row('mine-old', { createdAt: '2026-11-20T08:00:00+08:00' });
  const othersOld = row('others-old', { by: OTHER_AGENT, createdAt: '2026-11-20T08:00:00+08:00' });
  const othersNew = row('others-new', { by: OTHER_AGENT, createdAt: '2026-11-23T09:00:00+08:00' });
  const atGulou = row('at-gulou', { steps: [dispatchedTo('st-fuzhou-gulou')] });
  const atTaijiang = row('at-taijiang', { steps: [dispatchedTo('st-fuzhou-taijiang')] });
  const all = [mineOld, othersOld, othersNew, atGulou, atTaijiang];

  it('an agent sees the orders it created plus anything created in the last 24 h', () => {
    const ids = all.filter((e) => visibleToRole(e, ME, NOW)).map((e) => e.id);
    expect(ids).toEqual(['mine-old', 'others-new', 'at-gulou', 'at-taijiang']);
    expect(visibleToRole(othersNew, ME, othersNew.createdAt + DAY_MS)).toBe(false);
  });

  it("a dispatcher sees only its station's orders", () => {
    expect(all.filter((e) => visibleToRole(e, DISP, NOW)).map((e) => e.id)).toEqual(['at-gulou']);
  });

  it('team lead and admin see everything', () => {
    expect(all.every((e) => visibleToRole(e, LEAD, NOW))).toBe(true);
    expect(all.every((e) => visibleToRole(e, { userId: 'admin', role: 'admin' }, NOW))).toBe(true);
  });

  it('the visible list is memoised, counts what the role sees, and is empty when nobody is signed in', () => {
    const root = rootWith(all, ME);
    expect(root.sel.selectVisibleOrders(root)).toBe(root.sel.selectVisibleOrders(root));
    expect(root.sel.selectRoleCount(root)).toBe(4);
    const nobody = rootWith(all, null);
    expect(nobody.sel.selectVisibleIds(nobody)).toEqual([]);
    expect(nobody.sel.selectRoleCount(nobody)).toBe(0);
  });
});

describe('filters and search', () => {
  const a = row('fz-1', {
    draft: { type: 'complaint', address: '福州市台江区八一七中路 1 号', callerNumber: '13911112222' },
  });
  const b = row('xm-2', {
    draft: {
      region: { city: 'xiamen', county: 'siming', areaClass: 'urban' },
      address: '厦门市思明区中山路 5 号',
      description: '电表烧了，冒烟',
    },
    steps: [dispatchedTo('st-xiamen-siming')],
  });
  const c = row('fz-3', { draft: { callerNumber: '059187654321' }, steps: [dispatchedTo('st-fuzhou-gulou')] });
  const ids = (root: Root) => [...root.sel.selectVisibleIds(root)].sort();
  const base = rootWith([a, b, c], LEAD);

  it('filters by type, state, city and station', () => {
    const f = (patch: Parameters<typeof filterChanged>[0]) => ({
      ...base,
      board: boardSlice.reducer(base.board, filterChanged(patch)),
    });
    expect(ids(f({ type: 'complaint' }))).toEqual(['fz-1']);
    expect(ids(f({ state: 'dispatched' }))).toEqual(['fz-3', 'xm-2']);
    expect(ids(f({ city: 'xiamen' }))).toEqual(['xm-2']);
    expect(ids(f({ station: 'st-fuzhou-gulou' }))).toEqual(['fz-3']);
  });

  it('changing the city clears the station filter', () => {
    let board = boardSlice.reducer(base.board, filterChanged({ station: 'st-fuzhou-gulou' }));
    board = boardSlice.reducer(board, filterChanged({ city: 'xiamen' }));
    expect(board.filters).toMatchObject({ city: 'xiamen', station: '' });
  });

  it('searches id, address, caller number and description, all terms, case-insensitive', () => {
    const s = (q: string) => ids({ ...base, board: boardSlice.reducer(base.board, searchChanged(q)) });
    expect(s('XM-2')).toEqual(['xm-2']);
    expect(s('八一七')).toEqual(['fz-1']);
    expect(s('87654321')).toEqual(['fz-3']);
    expect(s('冒烟')).toEqual(['xm-2']);
    expect(s('厦门 冒烟')).toEqual(['xm-2']);
    expect(s('厦门 八一七')).toEqual([]);
    expect(s('   ')).toEqual(['fz-1', 'fz-3', 'xm-2']);
  });

  it('overdue only: orders whose next deadline has passed at the board clock', () => {
    const late = row('late', { createdAt: '2026-11-23T08:00:00+08:00' }); // on site due 08:45
    const fresh = row('fresh', { createdAt: '2026-11-23T11:50:00+08:00' }); // due 12:35
    const root = rootWith([late, fresh], LEAD, {
      filters: { type: '', state: '', city: '', station: '', overdueOnly: true, lane: '' },
    });
    expect(ids(root)).toEqual(['late']);
  });
});

describe('SLA sort', () => {
  it('sorts by the next open deadline, then orders owing nothing; created sort is newest first', () => {
    // Repair, urban: on site within 45 min of acceptance.
    const early = row('early', { createdAt: '2026-11-23T08:00:00+08:00' });
    const late = row('late', { createdAt: '2026-11-23T09:00:00+08:00' });
    // Critical complaint: handle within 24 h * 0.25 = 6 business hours → due 14:00, after the repairs.
    const complaint = row('complaint', {
      createdAt: '2026-11-23T07:59:00+08:00',
      draft: { type: 'complaint', priority: 'critical' },
    });
    const merged = row('merged', {
      createdAt: '2026-11-23T06:00:00+08:00',
      steps: [{ action: 'merge', by: AGENT, at: '2026-11-23T06:05:00+08:00', masterId: 'early' }],
    });
    const list = [merged, complaint, late, early];
    expect(sortRows([...list], 'sla').map((e) => e.id)).toEqual(['early', 'late', 'complaint', 'merged']);
    expect(sortRows([...list], 'created').map((e) => e.id)).toEqual(['late', 'early', 'complaint', 'merged']);
    const root = rootWith(list, LEAD);
    expect(root.sel.selectVisibleIds(root)[0]).toBe('early');
    const byCreated = { ...root, board: boardSlice.reducer(root.board, sortChanged('created')) };
    expect(root.sel.selectVisibleIds(byCreated)[0]).toBe('late');
  });

  it('the board policy (fixed UTC+8) gives the same deadlines as the default Asia/Shanghai policy', () => {
    const orders = generateOrders({ seed: 7, count: 300, now: new Date(NOW) }).map(
      (o) => foldEvents(o.id, o.draft, o.events).order,
    );
    for (const o of orders) {
      const a = deadlinesFor(o, DEFAULT_POLICY).map((d) => [d.kind, Date.parse(d.due), d.metAt && Date.parse(d.metAt)]);
      const b = deadlinesFor(o, BOARD_POLICY).map((d) => [d.kind, Date.parse(d.due), d.metAt && Date.parse(d.metAt)]);
      expect(b).toEqual(a);
    }
  });

  it('counts down from the deadlines the row carries, and a merged order owes nothing', () => {
    const fresh = row('fresh', { createdAt: '2026-11-23T11:50:00+08:00' }); // repair, urban: on site due 12:35
    const status = rowSla(fresh, NOW);
    expect(status.next?.kind).toBe('on_site');
    expect(status.next?.remainingMs).toBe(35 * 60_000);
    expect(rowSla(fresh, Date.parse('2026-11-23T12:40:00+08:00')).overdue).toBe(true);
    const merged = row('merged', {
      createdAt: '2026-11-23T06:00:00+08:00',
      steps: [{ action: 'merge', by: AGENT, at: '2026-11-23T06:05:00+08:00', masterId: 'fresh' }],
    });
    expect(merged.deadlines).toEqual([]);
    expect(rowSla(merged, NOW).next).toBeUndefined();
  });

  it('formats the countdown', () => {
    const w = { d: '天', h: '时' };
    expect(formatRemaining(65_000, w)).toBe('1:05');
    expect(formatRemaining(3_725_000, w)).toBe('1:02:05');
    expect(formatRemaining(-90_000, w)).toBe('-1:30');
    expect(formatRemaining(2 * DAY_MS + 3 * 3600_000, w)).toBe('2天3时');
  });
});

describe('the order index', () => {
  const at = (min: number) => new Date(Date.parse('2026-11-23T06:00:00+08:00') + min * 60_000).toISOString();

  it('a batch replaces only the changed entries; the list is re-read, unchanged entries keep identity', () => {
    const a = row('a');
    const b = row('b');
    const root = rootWith([a, b], LEAD);
    const before = root.sel.selectVisibleOrders(root);
    const b2 = row('b', { steps: [dispatchedTo('st-fuzhou-gulou')] });
    root.index.apply({ upserts: [b2], removed: [] });
    const moved = { ...root, board: boardSlice.reducer(root.board, ordersChanged(root.index.version)) };
    const after = root.sel.selectVisibleOrders(moved);
    expect(after).not.toBe(before);
    expect(root.index.get('a')).toBe(a);
    expect(after).toContain(b2);
    expect(after).not.toContain(b);
    root.index.apply({ upserts: [], removed: ['a'] });
    expect([...root.index.values()]).toEqual([b2]);
  });

  it('keeps every sort order equal to a full sort through random batches of changes and removals', () => {
    // A tiny deterministic generator, so a failure replays.
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const index = new OrderIndex();
    const live = new Map<string, BoardRow>();
    const make = (id: string) => {
      const e = row(id, {
        createdAt: at(rnd(600)),
        draft: rnd(3) === 0 ? { type: 'complaint', priority: 'critical' } : {},
      });
      return e;
    };
    for (let round = 0; round < 60; round++) {
      // Small batches take the splice path, every tenth a big one the rebuild path.
      const size = round % 10 === 9 ? 300 : 1 + rnd(6);
      const upserts: BoardRow[] = [];
      const removed: string[] = [];
      for (let i = 0; i < size; i++) {
        const id = `o${rnd(400)}`;
        if (rnd(5) === 0 && live.has(id) && !upserts.some((u) => u.id === id)) {
          removed.push(id);
          live.delete(id);
        } else if (!removed.includes(id) && !upserts.some((u) => u.id === id)) {
          const e = make(id);
          upserts.push(e);
          live.set(id, e);
        }
      }
      index.apply({ upserts, removed });
      for (const sort of ['sla', 'created'] as const) {
        expect(index.sorted(sort).map((e) => e.id)).toEqual(sortRows([...live.values()], sort).map((e) => e.id));
      }
    }
    expect(index.size).toBe(live.size);
  });

  it('searches 20,000 orders', () => {
    const many: BoardRow[] = [];
    for (let i = 0; i < 20_000; i++) {
      many.push(row(`n${i}`, { draft: { address: `福州市鼓楼区某路${i}号` }, createdAt: '2026-11-23T08:00:00+08:00' }));
    }
    const root = rootWith(many, LEAD);
    expect(root.sel.selectVisibleIds(root)).toHaveLength(20_000);
    const search = { ...root, board: boardSlice.reducer(root.board, searchChanged('某路1999')) };
    expect([...root.sel.selectVisibleIds(search)].sort()).toEqual(
      ['n1999', ...Array.from({ length: 10 }, (_, i) => `n1999${i}`)].sort(),
    );
  });
});

describe('inbox lanes', () => {
  const take = { action: 'take' as const, by: DISPATCHER, at: '2026-11-23T08:20:00+08:00' };
  const urge = (at: string) => ({ action: 'urge' as const, by: AGENT, at, note: '客户再次来电' });
  const fresh = row('fresh', { steps: [dispatchedTo('st-fuzhou-gulou')] });
  const urged = row('urged', {
    steps: [dispatchedTo('st-fuzhou-gulou'), urge('2026-11-23T08:30:00+08:00'), urge('2026-11-23T08:40:00+08:00')],
  });
  // Urged while new, then taken: the urging belonged to the step it was in, so it no longer counts.
  const takenAfterUrge = row('taken', {
    steps: [dispatchedTo('st-fuzhou-gulou'), urge('2026-11-23T08:15:00+08:00'), take],
  });
  const sentBack = row('sent-back', {
    steps: [
      dispatchedTo('st-fuzhou-gulou'),
      { action: 'send_back', by: DISPATCHER, at: '2026-11-23T08:25:00+08:00', reason: '地址属台江区，非本站辖区' },
    ],
  });
  const elsewhere = row('elsewhere', { steps: [dispatchedTo('st-fuzhou-taijiang')] });
  const all = [fresh, urged, takenAfterUrge, sentBack, elsewhere];

  it('counts the station inbox: new and urged orders, the taken one to assign, only its own station', () => {
    const root = rootWith(all, DISP);
    expect(root.sel.selectLaneCounts(root)).toEqual({
      new: 2,
      to_assign: 1,
      in_field: 0,
      to_reply: 0,
      urged: 1,
      paused: 0,
      closed: 0,
    });
    const lane = (l: 'new' | 'urged' | 'to_assign') =>
      root.sel.selectVisibleIds({ ...root, board: boardSlice.reducer(root.board, filterChanged({ lane: l })) });
    expect(lane('new').sort()).toEqual(['fresh', 'urged']);
    expect(lane('urged')).toEqual(['urged']);
    expect(lane('to_assign')).toEqual(['taken']);
    expect(urged.urges).toBe(2);
    expect(takenAfterUrge.urges).toBeUndefined();
  });

  it('shows the agent what a station sent back, with its reason, until it is dispatched again', () => {
    expect(sentBack.sentBack).toMatchObject({ reason: '地址属台江区，非本站辖区', stationId: 'st-fuzhou-gulou' });
    const root = rootWith(all, ME);
    expect(root.sel.selectLaneCounts(root)).toEqual({ returned: 1, callbacks: 0 });
    const again = row('sent-back', {
      steps: [
        dispatchedTo('st-fuzhou-gulou'),
        { action: 'send_back', by: DISPATCHER, at: '2026-11-23T08:25:00+08:00', reason: '非本站辖区' },
        dispatchedTo('st-fuzhou-taijiang', '2026-11-23T08:30:00+08:00'),
      ],
    });
    expect(again.sentBack).toBeUndefined();
  });
});
