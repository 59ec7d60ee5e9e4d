// A year of one region document: ~2,200 orders a month (20,000 a month for the province over nine cities), each
// through the whole closed loop with a comment and sometimes a draft edit, archived a day or two after it opens,
// swept weekly with a 7-day retention. Reports the encoded size of the document at the end of the year.
//
// Writers are modelled as console sessions: every console that loads the document has its own Yjs clientID, and a
// new one each time it is reloaded, so a year brings thousands of clientIDs. That, and the tombstone each removed
// order leaves under its key in the `orders` map, is what stays in the document after the sweep; the run measures both.
import * as Y from 'yjs';
import type { Actor } from '@twinline/workorder';
import { act, comment, createOrder, editDraft, snapshot } from '../board';
import { sweepArchived } from '../retention';
import * as prng from 'lib0/prng';
import type { BenchResult } from '../../../../scripts/bench';

export type YearResult = BenchResult;

const DAY = 86_400_000;
const HOUR = 3_600_000;

interface Options {
  days: number;
  ordersPerMonth: number;
  retentionDays: number;
  /** Console sessions writing to this document per day (agents of both centres, the city's dispatchers). */
  agentSessionsPerDay: number;
  dispatcherSessionsPerDay: number;
  seed: number;
  /** Consoles reload daily and get new clientIDs (realistic); false: the same sessions all year (isolates the cost). */
  freshSessionsDaily: boolean;
  /** Run each simulated day inside one transaction (same document, much faster with many clientIDs). */
  batchDays: boolean;
}

interface Outcome {
  bytes: number;
  liveOrders: number;
  compactBytes: number;
  clients: number;
  orders: number;
  swept: number;
  ms: number;
}

/** A seeded random source (lib0's PRNG), so runs are repeatable. */
const mulberry32 = (seed: number): (() => number) => {
  const gen = prng.create(seed);
  return () => prng.real53(gen);
};

const STATIONS = ['st-fuzhou-gulou', 'st-fuzhou-taijiang', 'st-fuzhou-cangshan', 'st-fuzhou-jinan', 'st-fuzhou-mawei'];
const COUNTIES = ['gulou', 'taijiang', 'cangshan', 'jinan', 'mawei'];

export function simulateYear(o: Options): Outcome {
  const started = performance.now();
  const random = mulberry32(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const doc = new Y.Doc();
  const clientIds = new Set<number>();
  const session = (): number => {
    let id: number;
    do id = Math.floor(random() * 2 ** 31) + 1;
    while (clientIds.has(id));
    clientIds.add(id);
    return id;
  };
  const t0 = Date.parse('2026-01-01T00:00:00+08:00');
  const perDay = (o.ordersPerMonth * 12) / 365;
  type Step = { t: number; client: number; run: () => void };
  let queue: Step[] = [];
  let orders = 0;
  let swept = 0;

  let agents: { client: number; actor: Actor }[] = [];
  let dispatchers: { client: number; station: string; user: string }[] = [];
  for (let day = 0; day < o.days; day++) {
    const dayStart = t0 + day * DAY;
    if (day === 0 || o.freshSessionsDaily) {
      agents = Array.from({ length: o.agentSessionsPerDay }, (_, i) => ({
        client: session(),
        actor: { userId: `agent-${i}`, role: 'agent', centre: i % 2 ? 'xiamen' : 'fuzhou' } satisfies Actor,
      }));
      dispatchers = Array.from({ length: o.dispatcherSessionsPerDay }, (_, i) => ({
        client: session(),
        station: STATIONS[i % STATIONS.length]!,
        user: `disp-${i}`,
      }));
    }
    const count = Math.round(perDay * (0.8 + 0.4 * random()));
    for (let n = 0; n < count; n++) {
      const opened = dayStart + 7 * HOUR + random() * 14 * HOUR;
      const a = pick(agents);
      const county = pick(COUNTIES);
      const station = STATIONS[COUNTIES.indexOf(county)]!;
      const d = pick(dispatchers.filter((x) => x.station === station).concat(dispatchers.slice(0, 1)));
      const dispatcher: Actor = { userId: d.user, role: 'dispatcher', centre: 'fuzhou', stationId: station };
      const callback = pick(agents);
      const id = `fuzhou-${day}-${n}`;
      let t = opened;
      const later = (minutes: number) => (t += minutes * 60_000 * (0.5 + random()));
      const steps: Step[] = [
        {
          t,
          client: a.client,
          run: () => {
            createOrder(
              doc,
              {
                type: 'repair',
                channel: 'phone',
                priority: pick(['normal', 'urgent', 'critical'] as const),
                region: { city: 'fuzhou', county, areaClass: 'urban' },
                address: `福州市${county}区某某路 ${Math.floor(random() * 500)} 号 ${Math.floor(random() * 30)} 栋`,
                callerNumber: `138${String(Math.floor(random() * 1e8)).padStart(8, '0')}`,
                callerName: '陈先生',
                description: '家里突然停电，邻居家也没电，怀疑是线路故障，请尽快派人处理。',
              },
              a.actor,
              { id, now: new Date(t) },
            );
          },
        },
      ];
      const step = (minutes: number, client: number, run: (now: Date) => void) => {
        const at = later(minutes);
        steps.push({ t: at, client, run: () => run(new Date(at)) });
      };
      step(5, a.client, (now) => act(doc, id, { action: 'dispatch', stationId: station }, a.actor, now));
      step(10, d.client, (now) => act(doc, id, { action: 'take' }, dispatcher, now));
      step(5, d.client, (now) =>
        act(doc, id, { action: 'assign', crewId: `${station}-crew-${n % 4}` }, dispatcher, now),
      );
      if (random() < 0.5) step(10, a.client, (now) => comment(doc, id, '客户来电催促，说家里有老人。', a.actor, now));
      if (random() < 0.2) step(5, a.client, () => editDraft(doc, id, { priority: 'critical' }, a.actor));
      step(40, d.client, (now) => act(doc, id, { action: 'arrive' }, dispatcher, now));
      step(60, d.client, (now) =>
        act(doc, id, { action: 'handle', note: '更换熔断器，已恢复供电。' }, dispatcher, now),
      );
      step(15, d.client, (now) => act(doc, id, { action: 'reply', note: '已处理完毕，附现场照片。' }, dispatcher, now));
      step(18 * 60, callback.client, (now) =>
        act(doc, id, { action: 'callback', satisfaction: 'satisfied', note: '客户表示满意。' }, callback.actor, now),
      );
      step(60, callback.client, (now) => act(doc, id, { action: 'archive' }, callback.actor, now));
      queue.push(...steps);
      orders++;
    }
    // Run everything due today, in time order (orders interleave, as they do on a real board).
    const dayEnd = dayStart + DAY;
    const due = queue.filter((s) => s.t < dayEnd).sort((x, y) => x.t - y.t);
    queue = queue.filter((s) => s.t >= dayEnd);
    const runDue = () => {
      for (const s of due) {
        doc.clientID = s.client; // each step is written under its session's clientID
        s.run();
      }
    };
    // One outer transaction per day when batching: the same items and ids, but yjs computes its per-transaction
    // state vectors (O(number of clientIDs) each) once a day instead of once a step.
    if (o.batchDays) doc.transact(runDue);
    else runDue();
    if (day % 7 === 6) swept += sweepArchived(doc, new Date(dayEnd), o.retentionDays * DAY).length;
  }

  const bytes = Y.encodeStateAsUpdate(doc).byteLength;
  const live = snapshot(doc);
  // The same live orders written fresh into a new document: what the board would weigh without any history.
  const fresh = new Y.Doc();
  fresh.clientID = 1;
  const rows = live.map((b) => b.order.id);
  const ordersMap = doc.getMap('orders');
  fresh.transact(() => {
    const target = fresh.getMap('orders');
    for (const id of rows) {
      const src = ordersMap.get(id) as Y.Map<unknown>;
      const m = new Y.Map<unknown>();
      const draft = new Y.Map<unknown>();
      for (const [k, v] of (src.get('draft') as Y.Map<unknown>).entries()) draft.set(k, v);
      const events = new Y.Array<unknown>();
      events.push((src.get('events') as Y.Array<unknown>).toArray());
      const comments = new Y.Array<unknown>();
      comments.push((src.get('comments') as Y.Array<unknown>).toArray());
      m.set('draft', draft);
      m.set('events', events);
      m.set('comments', comments);
      target.set(id, m);
    }
  });
  return {
    bytes,
    liveOrders: live.length,
    compactBytes: Y.encodeStateAsUpdate(fresh).byteLength,
    clients: Y.decodeStateVector(Y.encodeStateVector(doc)).size,
    orders,
    swept,
    ms: performance.now() - started,
  };
}

export default async function run(): Promise<YearResult[]> {
  const base = {
    days: 365,
    ordersPerMonth: 2200,
    retentionDays: 7,
    agentSessionsPerDay: 24,
    dispatcherSessionsPerDay: 10,
    seed: 2026,
    batchDays: true,
  };
  const year = simulateYear({ ...base, freshSessionsDaily: true });
  const fixed = simulateYear({ ...base, freshSessionsDaily: false });
  const kib = (b: number) => Math.round(b / 102.4) / 10;
  const history = year.bytes - year.compactBytes;
  const perClient =
    (year.bytes - year.compactBytes - (fixed.bytes - fixed.compactBytes)) / (year.clients - fixed.clients);
  return [
    {
      name: 'region doc after a year (2,200 orders/month, weekly sweep, 7-day retention): encoded size',
      value: year.bytes,
      unit: 'bytes',
      target: '< 10 MiB',
      met: year.bytes < 10 * 2 ** 20,
      note: `${kib(year.bytes)} KiB; ${year.orders} orders, ${year.swept} swept, ${year.liveOrders} live at year end, ${year.clients} clientIDs (34 console sessions a day); simulated in ${Math.round(year.ms / 1000)} s`,
    },
    {
      name: 'region doc after a year: size per live order',
      value: Math.round(year.bytes / Math.max(1, year.liveOrders)),
      unit: 'bytes/order',
      note: `the same live orders written into a fresh document: ${Math.round(year.compactBytes / Math.max(1, year.liveOrders))} bytes/order (${kib(year.compactBytes)} KiB)`,
    },
    {
      name: 'region doc after a year: history kept beyond the live orders',
      value: history,
      unit: 'bytes',
      note: `never shrinks, grows with every order and console session: about ${Math.round((fixed.bytes - fixed.compactBytes) / fixed.swept)} bytes per swept order (its key tombstone in the orders map; measured with ${fixed.clients} long-lived sessions) plus about ${Math.round(perClient)} bytes per clientID ever seen`,
    },
  ];
}
