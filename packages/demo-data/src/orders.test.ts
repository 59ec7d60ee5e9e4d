import {
  CommentSchema,
  OrderDraftSchema,
  OrderEventSchema,
  STATES,
  foldEvents,
  type WorkOrder,
} from '@twinline/workorder';
import { describe, expect, it } from 'vitest';
import { cityById } from './fujian';
import { stationById } from './org';
import { findAccount } from './people';
import { generateOrders } from './orders';

const CJK = /[\u4e00-\u9fff]/;
const now = new Date('2026-03-02T09:30:00+08:00');
const HOUR = 3_600_000;
const orders = generateOrders({ seed: 42, count: 400, now });
const folded = new Map<string, WorkOrder>(orders.map((o) => [o.id, foldEvents(o.id, o.draft, o.events).order]));

describe('generateOrders', () => {
  it('is deterministic for a seed and different for another', () => {
    expect(generateOrders({ seed: 42, count: 400, now })).toEqual(orders);
    const other = generateOrders({ seed: 43, count: 400, now });
    expect(other).not.toEqual(orders);
    expect(other.map((o) => o.draft.address)).not.toEqual(orders.map((o) => o.draft.address));
    expect(generateOrders({ seed: 7, count: 0, now })).toEqual([]);
  });

  it('makes most orders recent, as on a live board, all within the last two days', () => {
    const now = new Date('2026-11-23T10:00:00+08:00');
    const ages = generateOrders({ seed: 11, count: 2000, now }).map(
      (o) => (now.getTime() - Date.parse(o.events[0]!.at)) / 3_600_000,
    );
    const share = (hours: number) => ages.filter((a) => a < hours).length / ages.length;
    expect(Math.min(...ages)).toBeGreaterThan(0);
    expect(Math.max(...ages)).toBeLessThanOrEqual(48);
    expect(share(1)).toBeGreaterThan(0.2);
    expect(share(6)).toBeGreaterThan(0.4);
    expect(share(6)).toBeLessThan(0.65);
    expect(share(24)).toBeLessThan(0.95);
  });

  it('makes count orders with unique centre-day-number ids', () => {
    expect(orders).toHaveLength(400);
    expect(new Set(orders.map((o) => o.id)).size).toBe(400);
    for (const o of orders) {
      const m = /^(fuzhou|xiamen)-(\d{8})-(\d{4})$/.exec(o.id);
      expect(m, o.id).not.toBeNull();
      expect(m![1]).toBe(o.centre);
      const created = new Date(Date.parse(o.events[0]!.at) + 8 * HOUR).toISOString().slice(0, 10).replaceAll('-', '');
      expect(m![2]).toBe(created);
    }
    // Most orders are taken by the centre that serves their city; a few overflow to the other.
    const own = orders.filter((o) => o.centre === cityById(o.city).centre).length;
    expect(own).toBeGreaterThan(320);
    expect(own).toBeLessThan(400);
  });

  it('gives every order a valid draft in its own city', () => {
    for (const o of orders) {
      const draft = OrderDraftSchema.parse(o.draft);
      expect(draft).toEqual(o.draft);
      const city = cityById(o.city);
      const county = city.counties.find((k) => k.id === draft.region.county);
      expect(county, `${o.id} ${draft.region.county}`).toBeDefined();
      expect(draft.region).toEqual({ city: o.city, county: county!.id, areaClass: county!.areaClass });
      expect(draft.address.startsWith(`福建省${city.zhFull}${county!.zh}`)).toBe(true);
      expect(draft.address).toMatch(/号/);
      expect(draft.description).toMatch(CJK);
      if (draft.callerName !== undefined) expect(draft.callerName).toMatch(CJK);
      expect(
        /^1[3-9][0-9]{9}$/.test(draft.callerNumber) ||
          (draft.callerNumber.startsWith(city.areaCode) && draft.callerNumber.length === 4 + city.landlineDigits),
        draft.callerNumber,
      ).toBe(true);
    }
  });

  it('records event paths that refold through the state machine with nothing superseded', () => {
    for (const o of orders) {
      for (const e of o.events) expect(OrderEventSchema.parse(e)).toEqual(e);
      const { order, superseded } = foldEvents(o.id, o.draft, o.events);
      expect(superseded, o.id).toEqual([]);
      expect(order.history).toHaveLength(o.events.length);
      expect(o.events[0]!.action).toBe('create');
      expect(new Set(o.events.map((e) => e.id)).size).toBe(o.events.length);
    }
  });

  it('uses demo accounts as actors, the order’s own station dispatcher for station steps', () => {
    for (const o of orders) {
      expect(o.events[0]!.by.centre).toBe(o.centre);
      for (const e of [...o.events.map((x) => x.by), ...o.comments.map((c) => c.by)]) {
        const account = findAccount(e.userId);
        expect(account, e.userId).toBeDefined();
        expect(e).toMatchObject({ role: account!.role, centre: account!.centre });
        expect(e.stationId).toBe(account!.stationId);
      }
      for (const e of o.events) {
        if (e.stationId) expect(stationById(e.stationId).city).toBe(o.city);
        if (e.by.role === 'dispatcher') expect(stationById(e.by.stationId!).city).toBe(o.city);
      }
    }
  });

  it('keeps every order’s station in its city (and its county once correctly routed)', () => {
    for (const o of orders) {
      const order = folded.get(o.id)!;
      if (!order.stationId) continue;
      const station = stationById(order.stationId);
      expect(station.city).toBe(o.city);
      // A misrouted order sits at a neighbouring station until it is sent back and re-dispatched (send_back leaves
      // stationId as it was, so a sent-back order still names the station that returned it).
      if (station.county !== o.draft.region.county) expect(['dispatched', 'taken', 'accepted']).toContain(order.state);
      if (order.crewId) expect(order.crewId.startsWith(`${order.stationId}-c`)).toBe(true);
    }
  });

  it('spreads strictly increasing times over the two days before now', () => {
    const nowMs = now.getTime();
    for (const o of orders) {
      const times = o.events.map((e) => Date.parse(e.at));
      expect(times[0]!).toBeGreaterThanOrEqual(nowMs - 48 * HOUR);
      expect(times.at(-1)!).toBeLessThanOrEqual(nowMs);
      for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
      for (const c of o.comments) {
        expect(CommentSchema.parse(c)).toEqual(c);
        expect(c.text).toMatch(CJK);
        expect(Date.parse(c.at)).toBeGreaterThan(times[0]!);
        expect(Date.parse(c.at)).toBeLessThanOrEqual(nowMs);
      }
    }
    expect(Date.parse(orders[0]!.events[0]!.at)).toBeLessThan(nowMs - 40 * HOUR);
  });

  it('is a realistic mix: mostly repairs, mostly open, with urges, escalations, send-backs and comments', () => {
    const byType = new Map<string, number>();
    for (const o of orders) byType.set(o.draft.type, (byType.get(o.draft.type) ?? 0) + 1);
    const repairs = byType.get('repair') ?? 0;
    for (const [type, n] of byType) if (type !== 'repair') expect(n).toBeLessThan(repairs);
    expect(byType.size).toBeGreaterThanOrEqual(6);
    expect(new Set(orders.map((o) => o.draft.channel)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(orders.map((o) => o.draft.priority))).toEqual(new Set(['normal', 'urgent', 'critical']));
    expect(new Set(orders.map((o) => o.city)).size).toBe(9);

    const states = [...folded.values()].map((o) => o.state);
    const open = states.filter((s) => s !== 'called_back' && s !== 'archived').length;
    expect(open).toBeGreaterThanOrEqual(200);
    expect(open).toBeLessThan(380);
    for (const s of STATES.filter((st) => st !== 'merged')) {
      expect(states, s).toContain(s);
    }
    const having = (action: string) => orders.filter((o) => o.events.some((e) => e.action === action)).length;
    expect(having('urge')).toBeGreaterThanOrEqual(5);
    expect(having('escalate')).toBeGreaterThanOrEqual(3);
    expect(having('send_back')).toBeGreaterThanOrEqual(2);
    expect(having('send_back')).toBeLessThan(40);
    expect(orders.filter((o) => o.comments.length > 0).length).toBeGreaterThanOrEqual(5);
  });
});
