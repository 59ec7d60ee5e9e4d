// Centre benchmarks: one change made by the centre itself on a city's document of 20,000 orders (as it is made now,
// and with the copy of the document it used to take), relay latency (same centre and across the twins), memory over
// connect/disconnect rounds, and presence traffic with 500 consoles on one document.
import { rmSync } from 'node:fs';
import * as Y from 'yjs';
import {
  act,
  comment,
  createOrder,
  importOrder,
  orderIds,
  pickCrew,
  readCrews,
  readOrder,
  readStations,
} from '@twinline/board';
import { generateOrders } from '@twinline/demo-data/orders';
import type { DemoOrder } from '@twinline/demo-data/orders';
import type { Actor } from '@twinline/workorder';
import { demoRosterUpdate } from '../src/demo';
import { nextStep, viewOf } from '../src/dispatch';
import { createLogger } from '../src/log';
import { createMetrics } from '../src/metrics';
import { SERVER_ORIGIN } from '../src/room';
import type { Room } from '../src/room';
import { Rooms } from '../src/rooms';
import { openCentreStorage } from '../src/storage';
import { connectClient, eventually, login, startTwins, tempDir } from '../test/harness';
import type { CentreProcess, Client } from '../test/harness';
import type { BenchResult } from '../../scripts/bench';
import { pct, round } from '../../scripts/bench-kit';

const lead: Actor = { userId: 'lead.fz', role: 'team_lead', centre: 'fuzhou' };
const draft = {
  type: 'repair' as const,
  channel: 'phone' as const,
  priority: 'normal' as const,
  region: { city: 'fuzhou', county: 'gulou', areaClass: 'urban' as const },
  address: '福州市鼓楼区东街 1 号',
  callerNumber: '059100000000',
  description: '压测工单',
};

async function relayLatency(from: Client, to: Client, n: number): Promise<number[]> {
  const id = createOrder(from.doc, draft, lead);
  await eventually(() => to.doc.getMap('orders').has(id), 'order arrives');
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const arrived = new Promise<void>((res) => to.doc.once('update', () => res()));
    const t0 = performance.now();
    comment(from.doc, id, `第 ${i} 条`, lead);
    await arrived;
    samples.push(performance.now() - t0);
  }
  return samples;
}

async function rss(c: CentreProcess): Promise<number> {
  const text = await (await fetch(`${c.http}/metrics`)).text();
  return Number(/process_resident_memory_bytes\{[^}]*\} (\d+)/.exec(text)?.[1] ?? NaN);
}

/** The change dispatch.ts writes for one order that has just been opened: to its station, taken and assigned. */
function assignment(id: string, centre: Actor) {
  return (doc: Y.Doc) => {
    const crews = readCrews(doc);
    const stations = readStations(doc);
    for (let n = 0; n < 2; n++) {
      const order = readOrder(doc, id)?.order;
      const step = order && nextStep(viewOf(order), 'fuzhou', crews, stations, new Map());
      if (!step || step.action === 'none') break;
      if (step.action === 'dispatch') act(doc, id, { action: 'dispatch', stationId: step.stationId }, centre);
      else {
        if (step.take) act(doc, id, { action: 'take' }, centre);
        act(doc, id, { action: 'assign', crewId: step.crewId }, centre);
        break;
      }
    }
  };
}

/** How Room.serverChange made a change before: on a copy of the whole document, then committing the difference. */
async function onCopy(room: Room, change: (doc: Y.Doc) => void): Promise<void> {
  await room.serial(async () => {
    const scratch = new Y.Doc({ gc: true });
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(room.doc));
    const before = Y.encodeStateVector(scratch);
    change(scratch);
    const diff = Y.encodeStateAsUpdate(scratch, before);
    scratch.destroy();
    if (diff.length > 2) await room.commitAndApply(diff, SERVER_ORIGIN, 'server');
  });
}

/**
 * One automatic assignment (a Room.serverChange, committed to SQLite and relayed) on region/fuzhou holding the demo
 * roster and `orders`; the old way and the new way take turns, each on an order of its own.
 */
async function serverChange(what: string, orders: DemoOrder[], rounds: number): Promise<BenchResult[]> {
  const dir = tempDir('twinline-bench-room-');
  const storage = await openCentreStorage(dir);
  const rooms = new Rooms(
    storage,
    createMetrics('bench'),
    createLogger('bench', 'silent'),
    { awarenessFlushMs: 100, unloadAfterMs: 60_000 },
    () => undefined,
  );
  try {
    const room = await rooms.get('region/fuzhou');
    await room.serial(() => room.commitAndApply(demoRosterUpdate('fuzhou'), SERVER_ORIGIN, 'server')); // as demo.ts
    await room.serverChange((doc) => {
      for (const o of orders) importOrder(doc, o);
    });
    const centre: Actor = { userId: 'system', role: 'admin', centre: 'fuzhou' };
    const crews = readCrews(room.doc);
    const stations = readStations(room.doc);
    // Orders just opened in the county of a station that assigns automatically: dispatched, taken and assigned.
    const open = orderIds(room.doc).filter((id) => {
      const order = readOrder(room.doc, id)?.order;
      const step = order && nextStep(viewOf(order), 'fuzhou', crews, stations, new Map());
      if (!order || step?.action !== 'dispatch' || !stations.get(step.stationId)?.autoAssign) return false;
      const { type, region, address } = order.draft;
      const place = { stationId: step.stationId, type, city: 'fuzhou', county: region.county, address };
      return pickCrew(crews, place, new Map()) !== null;
    });
    if (open.length < 2 * rounds) throw new Error(`only ${open.length} orders wait for automatic assignment`);
    const timed = async (make: (change: (doc: Y.Doc) => void) => Promise<void>, id: string) => {
      const t0 = performance.now();
      await make(assignment(id, centre));
      const ms = performance.now() - t0;
      if (readOrder(room.doc, id)?.order.state !== 'assigned') throw new Error(`order ${id} was not assigned`);
      return ms;
    };
    const copy: number[] = [];
    const live: number[] = [];
    for (let i = 0; i < rounds; i++) {
      copy.push(await timed((change) => onCopy(room, change), open[2 * i]!));
      live.push(await timed((change) => room.serverChange(change), open[2 * i + 1]!));
    }
    const [before, now] = [pct(copy, 50), pct(live, 50)];
    const bytes = Y.encodeStateAsUpdate(room.doc).byteLength;
    console.error(`  server change, ${what}: ${round(before)} ms on a copy, ${round(now)} ms on the live document`);
    const note = `median of ${rounds}; dispatch, take and assign of one order, committed to SQLite; document ${(bytes / 2 ** 20).toFixed(1)} MiB`;
    return [
      {
        name: `server change, ${what}: as before (on a copy of the document)`,
        value: round(before, 1),
        unit: 'ms',
        note,
      },
      {
        name: `server change, ${what}: now (on the live document)`,
        value: round(now, 1),
        unit: 'ms',
        note: `${note}; p95 ${round(pct(live, 95), 1)} ms`,
      },
      {
        name: `server change, ${what}: time before / time now`,
        value: round(before / now, 1),
        unit: 'ratio',
        target: '≥ 10',
        met: before / now >= 10,
      },
    ];
  } finally {
    await rooms.closeAll();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The server change on Fuzhou's document of the demo with 20,000 orders, and on a document of 20,000 orders alone. */
export async function serverChangeRows(rounds = 7): Promise<BenchResult[]> {
  const now = new Date();
  const demo = generateOrders({ seed: 2026, count: 20_000, now }).filter((o) => o.city === 'fuzhou');
  const rows = await serverChange(`Fuzhou of 20,000 demo orders (${demo.length} orders)`, demo, rounds);
  const city = generateOrders({ seed: 2026, count: 110_000, now })
    .filter((o) => o.city === 'fuzhou')
    .slice(0, 20_000);
  if (city.length < 20_000) throw new Error(`only ${city.length} demo orders of Fuzhou`);
  return [...rows, ...(await serverChange('a city of 20,000 orders', city, rounds))];
}

export default async function run(): Promise<BenchResult[]> {
  process.setMaxListeners(0); // y-websocket adds an exit listener per provider under Node
  const { fuzhou, xiamen } = await startTwins({ logLevel: 'info' });
  const results: BenchResult[] = [];
  try {
    const token = await login(fuzhou, 'lead.fz');
    const a = connectClient(fuzhou, 'region/fuzhou', token);
    const b = connectClient(fuzhou, 'region/fuzhou', token);
    const c = connectClient(xiamen, 'region/fuzhou', await login(xiamen, 'lead.xm'));
    await Promise.all([a.synced(), b.synced(), c.synced()]);
    const same = await relayLatency(a, b, 1000);
    results.push(
      { name: 'relay p50, one centre (commit to SQLite, then relay)', value: round(pct(same, 50)), unit: 'ms' },
      { name: 'relay p99, one centre', value: round(pct(same, 99)), unit: 'ms' },
    );
    const twin = await relayLatency(a, c, 500);
    results.push(
      { name: 'relay p50, across the twins', value: round(pct(twin, 50)), unit: 'ms' },
      { name: 'relay p99, across the twins', value: round(pct(twin, 99)), unit: 'ms' },
    );
    for (const x of [a, b, c]) x.destroy();

    // Many consoles, spread over the demo accounts that may open region/fuzhou (a user may hold 16 sockets at most).
    const { DEMO_ACCOUNTS } = await import('@twinline/demo-data/people');
    const tokens = await Promise.all(
      DEMO_ACCOUNTS.filter((u) => u.role !== 'dispatcher' || u.city === 'fuzhou').map((u) => login(fuzhou, u.username)),
    );
    const tokenFor = (i: number) => tokens[i % tokens.length]!;
    console.error(`  relay done; ${tokens.length} accounts logged in`);

    // Memory over a shift: 3 rounds of 300 consoles connecting (with presence) and leaving.
    const rounds: number[] = [];
    for (let r = 0; r < 3; r++) {
      const cs = Array.from({ length: 300 }, (_, i) => {
        const cl = connectClient(fuzhou, 'region/fuzhou', tokenFor(i), new Y.Doc());
        cl.provider.awareness.setLocalStateField('user', { name: `坐席${i}` });
        return cl;
      });
      await Promise.all(cs.map((x) => x.synced()));
      for (const x of cs) x.destroy();
      await new Promise((res) => setTimeout(res, 12_000)); // past the unload delay
      rounds.push(await rss(fuzhou));
      console.error(`  memory round ${r + 1}: ${Math.round(rounds[r]! / 2 ** 20)} MiB`);
    }
    const growth = rounds[2]! / rounds[0]!;
    results.push({
      name: 'centre RSS after round 3 / after round 1 (300 consoles join and leave per round)',
      value: round(growth, 3),
      unit: 'ratio',
      target: '< 1.10',
      met: growth < 1.1,
      note: `RSS ${rounds.map((x) => Math.round(x / 2 ** 20)).join(' / ')} MiB`,
    });

    // Presence: 500 consoles on one document, each changing its presence 10 times a second for 5 s.
    const many = Array.from({ length: 500 }, (_, i) => connectClient(fuzhou, 'region/fuzhou', tokenFor(i)));
    await Promise.all(many.map((x) => x.synced()));
    let received = 0;
    for (const x of many) x.provider.awareness.on('update', () => received++);
    const t0 = Date.now();
    const timer = setInterval(() => {
      for (const [i, x] of many.entries()) x.provider.awareness.setLocalStateField('cursor', { i, t: Date.now() });
    }, 100);
    await new Promise((res) => setTimeout(res, 5000));
    clearInterval(timer);
    const secs = (Date.now() - t0) / 1000;
    const perConsole = received / many.length / secs;
    results.push({
      name: 'presence updates applied per console per second (500 consoles × 10 changes/s)',
      value: round(perConsole, 1),
      unit: 'per s',
      target: '≤ 20 (unbatched relay would be 5,000)',
      met: perConsole <= 20,
      note: 'server batches every 100 ms and rate-limits each socket to 5/s',
    });
    for (const x of many) x.destroy();
  } finally {
    await Promise.all([fuzhou.stop(), xiamen.stop()]);
  }
  // Last, so that its documents (hundreds of MiB in this process) weigh on none of the figures above.
  results.push(...(await serverChangeRows()));
  return results;
}
