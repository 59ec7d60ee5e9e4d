// The archive keeps beside each archived order the part of it the figures read (the `figures` column); folding those
// parts gives the same figures as folding the whole orders. Checked over a varied set of archived orders (random walks
// through the loop: reassignments, send-backs, reopens, pauses, dissatisfied callbacks, crew reports with and without
// members, flags or location, steps a dispatcher records for the crew, one evaluation, both or none), read from the
// archive as this build writes it and as a build before the column left it, and a row whose part does not pass the
// figures' schema is refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActInput, ArchivedRecord } from '@twinline/board';
import { FiguresFold, crewFigures, memberFigures, ratings } from '@twinline/board/crew-figures';
import { openDatabase } from '@twinline/sql';
import { EVIDENCE_FLAGS, RULES, applyEvent, createOrder, refusal } from '@twinline/workorder';
import type { Action, Actor, OrderDraft, OrderEvent, WorkOrder } from '@twinline/workorder';
import { readArchivedOrder } from '../http/figures';
import { openCentreStorage } from './index';
import type { CentreStorage } from './index';

const CITY = 'fuzhou';
const STATIONS = ['st-fuzhou-gulou', 'st-fuzhou-taijiang'];
const AGENTS: Actor[] = [1, 2, 3].map((n) => ({ userId: `agent${n}.fz`, role: 'agent', centre: 'fuzhou' }));
const LEAD: Actor = { userId: 'lead.fz', role: 'team_lead', centre: 'fuzhou' };
const DISPATCHERS: Actor[] = STATIONS.map((s) => ({
  userId: `disp.${s}`,
  role: 'dispatcher',
  centre: 'fuzhou',
  stationId: s,
}));
/** Steps towards the end of the loop, taken six times as often as the others (so most walks get archived). */
const FORWARD = new Set<Action>(['dispatch', 'take', 'assign', 'accept', 'arrive', 'handle', 'reply', 'archive']);
/** Every step but those of mass outages (merge, restore) and failed callback calls. */
const STEPS = (Object.keys(RULES) as (keyof typeof RULES)[]).filter(
  (a) => a !== 'merge' && a !== 'restore' && a !== 'callback_attempt',
);
const MINUTE = 60_000;

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, pick, chance: (p: number) => next() < p };
}

/** What a step carries: the payload its action needs, and for a crew's own report, evidence of many kinds. */
function input(action: Action, by: Actor, order: WorkOrder, at: number, r: ReturnType<typeof random>): ActInput {
  switch (action) {
    case 'dispatch':
      return { action, stationId: r.pick(STATIONS) };
    case 'assign':
      return { action, crewId: `${order.stationId}-c${1 + Math.floor(r.next() * 3)}` };
    case 'callback': {
      const satisfaction = r.pick(['very_satisfied', 'satisfied', 'neutral', 'dissatisfied'] as const);
      return { action, satisfaction, ...(satisfaction === 'dissatisfied' ? { note: '还是没电' } : {}) };
    }
    case 'send_back':
    case 'escalate':
    case 'reopen':
    case 'pause':
      return { action, reason: '测试原因' };
    case 'evaluate':
      return { action, score: 1 + Math.floor(r.next() * 5), ...(r.chance(0.5) ? { note: `评价 ${at}` } : {}) };
    case 'accept':
    case 'arrive':
    case 'handle':
    case 'reply': {
      if (by.role !== 'crew' || r.chance(0.1)) return { action };
      const members = [1, 2, 3, 1].filter(() => r.chance(0.5)).map((m) => `${order.crewId}-m${m}`);
      return {
        action,
        evidence: {
          serverAt: new Date(at).toISOString(),
          offline: r.chance(0.2),
          ...(r.chance(0.8) ? { location: { lat: 26.08, lng: 119.3, accuracyM: 12 } } : {}),
          photos: [],
          flags: r.chance(0.3) ? [{ code: r.pick(EVIDENCE_FLAGS), detail: '测试' }] : [],
          ...(r.chance(0.8) ? { members } : {}),
        },
      };
    }
    default:
      return { action };
  }
}

/**
 * One order's walk: every step some actor may take now, forward steps more often, until it is archived (and mostly
 * rated). Returns the order as the janitor archives it (the board folds the same events the same way).
 */
function walk(i: number, start: number, r: ReturnType<typeof random>): ArchivedRecord {
  const creator = AGENTS[i % AGENTS.length]!;
  const draft: OrderDraft = {
    type: 'repair',
    channel: 'phone',
    priority: 'urgent',
    region: { city: CITY, county: 'gulou', areaClass: 'urban' },
    address: `福州市鼓楼区统计路 ${i} 号`,
    callerNumber: '13905910000',
    description: '停电',
  };
  let at = start;
  let n = 0;
  const event = (by: Actor, payload: ActInput): OrderEvent => ({
    id: `e-${i}-${++n}`,
    by,
    at: new Date(at).toISOString(),
    ...payload,
  });
  let order = createOrder(`o-${i}`, draft, event(creator, { action: 'create' }));
  for (let step = 0; step < 120; step++) {
    const rated = order.evaluations.centre && order.evaluations.station;
    if (order.state === 'archived' && (rated || r.chance(0.3))) break;
    const crew: Actor[] = order.crewId
      ? [{ userId: order.crewId, role: 'crew', centre: 'fuzhou', stationId: order.stationId }]
      : [];
    // Only the steps the order's state allows are asked about (a refusal is an Error: costly by the thousand).
    const possible = STEPS.filter((x) => RULES[x].from.includes(order.state));
    // The actors in a random order; the first that may do anything does one of its steps.
    const actors = [creator, LEAD, ...DISPATCHERS, ...crew].sort(() => r.next() - 0.5);
    let choices: Action[] = [];
    let by = creator;
    for (const a of actors) {
      choices = possible
        .filter((x) => refusal(order, x, a) === null)
        .flatMap((x) => Array<Action>(FORWARD.has(x) ? 6 : 1).fill(x));
      by = a;
      if (choices.length > 0) break;
    }
    if (choices.length === 0) break;
    const action = r.pick(choices);
    at += (1 + Math.floor(r.next() * 90)) * MINUTE + Math.floor(r.next() * 1000);
    order = applyEvent(order, event(by, input(action, by, order, at, r)));
  }
  return {
    id: order.id,
    city: CITY,
    draft,
    events: order.history,
    comments: [],
    archivedAt: order.stateSince,
    order,
    superseded: [],
  };
}

/** An archive row as the janitor writes it. */
const row = (x: ArchivedRecord) => ({
  id: x.id,
  city: x.city,
  archivedAt: x.archivedAt,
  summary: x.draft.address,
  json: JSON.stringify(x),
});

describe('figures from the archive', () => {
  let dir: string;
  let storage: CentreStorage;
  /** The archived orders, in the order the archive reads them (oldest archive first). */
  let records: ArchivedRecord[];

  /** Every row of the city, checked and folded as the centre's figures do; with the rows as read. */
  async function fromArchive() {
    const fold = new FiguresFold();
    const rows: string[] = [];
    let refused = 0;
    for await (const page of storage.archivedBetween(CITY, 0, Date.now() + 365 * 86_400_000))
      for (const x of page) {
        rows.push(x.order);
        const order = readArchivedOrder(x.order);
        if (order) fold.add(order);
        else refused++;
      }
    return { fold, rows, refused };
  }

  beforeAll(async () => {
    const r = random(95598);
    const start = Date.parse('2026-10-01T00:00:00Z');
    records = Array.from({ length: 240 }, (_, i) => walk(i, start + i * 7 * MINUTE, r))
      .filter((x) => x.order.state === 'archived')
      .sort((a, b) => Date.parse(a.archivedAt) - Date.parse(b.archivedAt));
    dir = mkdtempSync(join(tmpdir(), 'twinline-archive-figures-'));
    storage = await openCentreStorage(dir);
    await storage.archiveOrders(records.map(row));
  });

  afterAll(async () => {
    await storage?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('walks the loop many ways', () => {
    const orders = records.map((x) => x.order);
    const events = orders.flatMap((o) => o.history);
    expect(orders.length).toBeGreaterThan(100);
    expect(orders.filter((o) => o.history.filter((e) => e.action === 'assign').length > 1).length).toBeGreaterThan(5);
    for (const action of ['send_back', 'reopen', 'pause', 'urge', 'escalate'])
      expect(events.some((e) => e.action === action)).toBe(true);
    expect(events.some((e) => e.action === 'callback' && e.satisfaction === 'dissatisfied')).toBe(true);
    expect(events.some((e) => e.action === 'arrive' && e.by.role === 'dispatcher')).toBe(true);
    expect(events.some((e) => e.action === 'arrive' && e.by.role === 'crew' && !e.evidence)).toBe(true);
    expect(events.some((e) => e.evidence && !e.evidence.members)).toBe(true);
    expect(events.some((e) => e.evidence && !e.evidence.location)).toBe(true);
    expect(events.some((e) => e.evidence && e.evidence.flags.length > 0)).toBe(true);
    expect(events.some((e) => new Set(e.evidence?.members).size < (e.evidence?.members?.length ?? 0))).toBe(true);
    expect(orders.some((o) => !o.evaluations.centre && !o.evaluations.station)).toBe(true);
    expect(orders.some((o) => o.evaluations.centre && o.evaluations.station)).toBe(true);
  });

  it('folds the parts it keeps to the same figures as the whole orders, from a fraction of the data', async () => {
    const orders = records.map((x) => x.order);
    const { fold, rows, refused } = await fromArchive();
    expect(refused).toBe(0);
    expect(fold.orders).toBe(orders.length);
    expect(fold.crewFigures()).toEqual(crewFigures(orders));
    expect(fold.memberFigures()).toEqual(memberFigures(orders));
    expect(fold.ratings()).toEqual(ratings(orders));
    expect(fold.crewFigures().size).toBeGreaterThan(3);
    // The parts, not the orders, were read.
    const size = (xs: string[]) => xs.reduce((n, x) => n + x.length, 0);
    expect(size(rows)).toBeLessThan(size(orders.map((o) => JSON.stringify(o))) / 2);
  });

  it('reads the whole order of rows archived before the column, with the same figures; refuses a bad part', async () => {
    const orders = records.map((x) => x.order);
    const db = await openDatabase(storage.file, { integrityCheck: 'none' });
    try {
      await db.run('UPDATE archived_orders SET figures = NULL');
      const old = await fromArchive();
      expect(old.rows.map((x) => JSON.parse(x) as unknown)).toEqual(orders);
      expect(old.refused).toBe(0);
      expect(old.fold.crewFigures()).toEqual(crewFigures(orders));
      expect(old.fold.memberFigures()).toEqual(memberFigures(orders));
      expect(old.fold.ratings()).toEqual(ratings(orders));

      // Written again by this build (the janitor's upsert): the parts again. Then one part altered on disk.
      await storage.archiveOrders(records.slice(0, 3).map(row));
      await db.run(`UPDATE archived_orders SET figures = json_set(figures, '$.history[0].at', 7) WHERE id = ?`, [
        records[0]!.id,
      ]);
      await db.run(`UPDATE archived_orders SET figures = '{"id":' WHERE id = ?`, [records[1]!.id]);
      const mixed = await fromArchive();
      expect(mixed.refused).toBe(2);
      expect(mixed.rows[2]!.length).toBeLessThan(JSON.stringify(orders[2]).length / 2);
      expect(mixed.fold.orders).toBe(orders.length - 2);
      expect(mixed.fold.crewFigures()).toEqual(crewFigures(orders.slice(2)));
      expect(mixed.fold.ratings()).toEqual(ratings(orders.slice(2)));
    } finally {
      await db.close();
    }
  });
});
