// Figures over a period (GET /api/figures) at a centre whose archive holds a year of one city's closed orders
// (20,000, then 100,000: each with its whole loop, crew reports with evidence and members, and both evaluations)
// and whose live board holds the city's open orders: the answer's time with the live board alone, for the last 30
// days and the last 366 days, and the centre's memory while it folds a year. Then the archive's part of the last 30
// days with each order read whole, as before the archive's `figures` column (the path this build replaced), against
// the column, as a ratio.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as Y from 'yjs';
import { FiguresFold, act, archivedOrders, createOrder, importOrder, regionDoc } from '@twinline/board';
import type { ArchivedRecord } from '@twinline/board';
import { stationsOfCity } from '@twinline/demo-data';
import { generateOrders } from '@twinline/demo-data/orders';
import { crewsOfStation } from '@twinline/demo-data/people';
import { openDatabase } from '@twinline/sql';
import type { Actor } from '@twinline/workorder';
import { TokenService } from '../src/auth';
import { startCentre } from '../src/centre';
import { readArchivedOrder } from '../src/http/figures';
import { CENTRE_DB_FILE, openCentreStorage } from '../src/storage';
import { Archive } from '../src/storage/archive';
import { tempDir } from '../test/harness';
import type { BenchResult } from '../../scripts/bench';
import { round } from '../../scripts/bench-kit';

const CITY = 'fuzhou';
/** Archived orders in the year; 0: the live board alone. */
const SIZES = [0, 20_000, 100_000];
const TEMPLATES = 400;
const DAY = 86_400_000;
const SECRET = 'figures-bench-secret-0123456789';

/** Closed orders of the city through the whole loop, folded and copied as the janitor copies them. */
function templates(n: number, now: number): ArchivedRecord[] {
  const doc = new Y.Doc();
  const stations = stationsOfCity(CITY)
    .slice(0, 6)
    .map((s) => ({ station: s, crews: crewsOfStation(s.id) }));
  for (let i = 0; i < n; i++) {
    const { station, crews } = stations[i % stations.length]!;
    const crew = crews[i % crews.length]!;
    const members = crew.members.map((m) => m.id);
    const agent: Actor = { userId: `agent${(i % 6) + 1}.fz`, role: 'agent', centre: 'fuzhou' };
    const dispatcher: Actor = { userId: `disp.${CITY}-${station.county}`, role: 'dispatcher', centre: 'fuzhou' };
    const crewActor: Actor = { userId: crew.id, role: 'crew', centre: 'fuzhou', stationId: station.id };
    const t = now - 3 * DAY + i * 60_000;
    const at = (min: number) => new Date(t + min * 60_000);
    const evidence = (min: number, on: string[], far = false) => ({
      serverAt: at(min).toISOString(),
      offline: false,
      location: { lat: station.lat, lng: station.lng, accuracyM: 12 },
      photos: [],
      flags: far ? [{ code: 'too_far' as const, detail: '5.2 km' }] : [],
      members: on,
    });
    const id = createOrder(
      doc,
      {
        type: 'repair',
        channel: 'phone',
        priority: 'urgent',
        region: { city: CITY, county: station.county, areaClass: station.areaClass },
        address: `福州市测试路 ${i} 号`,
        callerNumber: '13905910000',
        description: '家中停电，邻居也停了',
      },
      agent,
      { now: at(0) },
    );
    const d = { ...dispatcher, stationId: station.id };
    act(doc, id, { action: 'dispatch', stationId: station.id }, agent, at(1));
    act(doc, id, { action: 'take' }, d, at(3));
    act(doc, id, { action: 'assign', crewId: crew.id }, d, at(5));
    act(doc, id, { action: 'accept', evidence: evidence(9, members.slice(0, 1)) }, crewActor, at(9));
    act(doc, id, { action: 'arrive', evidence: evidence(40, members, i % 7 === 0) }, crewActor, at(40));
    act(doc, id, { action: 'handle', note: '更换熔断器', evidence: evidence(95, members) }, crewActor, at(95));
    act(doc, id, { action: 'reply', note: '已恢复供电', evidence: evidence(100, members) }, crewActor, at(100));
    act(doc, id, { action: 'callback', satisfaction: 'satisfied' }, agent, at(200));
    act(doc, id, { action: 'archive' }, agent, at(201));
    act(doc, id, { action: 'evaluate', score: 1 + (i % 5), note: '到场及时' }, agent, at(210));
    act(doc, id, { action: 'evaluate', score: 1 + (i % 4), ...(i % 3 ? {} : { note: '地址不清' }) }, d, at(220));
  }
  const out = archivedOrders(doc);
  doc.destroy();
  return out;
}

const ISO = /"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"/g;

/**
 * Archive rows `from`..`to`-1: the templates again under new ids, archived over the year before `now` (row i at a
 * stride through the year, so the first 20,000 of 100,000 are spread over the whole year too).
 */
function rows(pool: ArchivedRecord[], from: number, to: number, total: number, now: number) {
  const out = [];
  for (let i = from; i < to; i++) {
    const r = pool[i % pool.length]!;
    const archivedMs = now - 365 * DAY + Math.floor(((((i * 7919) % total) + 0.5) / total) * 365 * DAY);
    const shift = archivedMs - Date.parse(r.archivedAt);
    const id = `${r.id}-${i}`;
    const json = JSON.stringify(r)
      .replaceAll(`"${r.id}"`, `"${id}"`)
      .replace(ISO, (_, s: string) => `"${new Date(Date.parse(s) + shift).toISOString()}"`);
    out.push({
      id,
      city: CITY,
      archivedAt: new Date(archivedMs).toISOString(),
      summary: `${id} ${r.draft.address} ${r.draft.callerNumber} ${r.draft.description}`,
      json,
    });
  }
  return out;
}

async function timed(url: string, token: string): Promise<{ ms: number; archived: number; live: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { orders: { archived: number; live: number }; error?: string };
  if (!res.ok) throw new Error(`figures: ${res.status} ${body.error}`);
  return { ms: performance.now() - t0, ...body.orders };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export default async function run(): Promise<BenchResult[]> {
  const dir = tempDir('twinline-bench-figures-');
  const results: BenchResult[] = [];
  const now = Date.now();
  try {
    const pool = templates(TEMPLATES, now);
    // The live board: the city's open orders of 20,000 demo orders over the province.
    const live = new Y.Doc();
    for (const o of generateOrders({ seed: 95598, count: 20_000, now: new Date(now) }))
      if (o.city === CITY) importOrder(live, o);
    const storage = await openCentreStorage(dir);
    await storage.appendUpdate(regionDoc(CITY), Y.encodeStateAsUpdate(live));
    const liveOrders = live.getMap('orders').size;
    live.destroy();
    await storage.close();

    let written = 0;
    for (const size of SIZES) {
      const s = await openCentreStorage(dir);
      const t0 = performance.now();
      for (let i = written; i < size; i += 2000)
        await s.archiveOrders(rows(pool, i, Math.min(size, i + 2000), SIZES.at(-1)!, now));
      console.error(`  archived ${size} orders in ${Math.round(performance.now() - t0)} ms`);
      await s.close();
      written = size;

      const centre = await startCentre({
        name: 'fuzhou',
        port: 0,
        dataDir: dir,
        tokenSecret: SECRET,
        peerSecret: SECRET,
        janitorEveryMs: 3_600_000,
        escalationEveryMs: 0,
        dispatchEveryMs: 0,
        logLevel: 'warn',
      });
      try {
        const token = await new TokenService(SECRET, 3600).issue({
          userId: 'lead.fz',
          role: 'team_lead',
          centre: 'fuzhou',
        });
        const to = now + 60_000;
        const url = (days: number) =>
          `http://127.0.0.1:${centre.port}/api/figures?${new URLSearchParams({
            city: CITY,
            from: new Date(to - days * DAY).toISOString(),
            to: new Date(to).toISOString(),
          })}`;
        /** The first call (it loads the board document), then the median of 5 with the centre's RSS watched. */
        const measure = async (days: number) => {
          const first = await timed(url(days), token);
          const rssBefore = process.memoryUsage().rss;
          const samples: number[] = [];
          let peak = rssBefore;
          for (let i = 0; i < 5; i++) {
            const watch = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
            samples.push((await timed(url(days), token)).ms);
            clearInterval(watch);
          }
          const counted =
            `${first.archived.toLocaleString('en')} archived + ${first.live.toLocaleString('en')} live orders of ` +
            `${liveOrders.toLocaleString('en')} on the board counted`;
          return { first, ms: median(samples), counted, rss: round((peak - rssBefore) / 2 ** 20, 0) };
        };
        const report = (r: BenchResult) => {
          results.push(r);
          console.error(`  ${r.name}: ${r.value} ${r.unit} (${r.note})`);
        };
        for (const days of size === 0 ? [30] : [30, 366]) {
          const { first, ms, counted, rss } = await measure(days);
          // A month answers while the panel opens; a year within 0.1 ms per archived order (10 s for 100,000).
          const target = days === 30 ? 1_000 : size / 10;
          report({
            name:
              size === 0
                ? `figures, last ${days} days, the live board alone (no archive)`
                : `figures, last ${days} days, ${size.toLocaleString('en')} archived orders in the year`,
            value: Math.round(ms),
            unit: 'ms',
            target: `< ${target.toLocaleString('en')}`,
            met: ms < target,
            note: `median of 5; ${counted}; first call ${Math.round(first.ms)} ms; RSS +${rss} MiB at most while folding`,
          });
        }
      } finally {
        await centre.close();
      }
    }
    results.push(...(await wholeOrColumn(join(dir, CENTRE_DB_FILE), now + 60_000)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/**
 * The archive's part of the last 30 days' answer (what the centre does for it: read a page, check, fold) from the
 * figures column, and with each order read whole as before the column (the same rows copied to another city with the
 * column NULL, as a build before it left them), in turns so both see the same load on a shared machine.
 */
async function wholeOrColumn(file: string, to: number): Promise<BenchResult[]> {
  const db = await openDatabase(file, { integrityCheck: 'none' });
  try {
    const from = to - 30 * DAY;
    const { changes } = await db.run(
      `INSERT INTO archived_orders (id, city, archived_at, archived_ms, summary, json, figures)
       SELECT id || '-whole', 'xiamen', archived_at, archived_ms, summary, json, NULL FROM archived_orders
       WHERE city = ? AND archived_ms >= ? AND archived_ms < ? ORDER BY archived_ms, seq`,
      [CITY, from, to],
    );
    await db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    const archive = await Archive.open(db);
    const fold = async (city: string) => {
      const t0 = performance.now();
      const figures = new FiguresFold();
      let refused = 0;
      for await (const page of archive.archivedBetween(city, from, to))
        for (const row of page) {
          const order = readArchivedOrder(row.order);
          if (order) figures.add(order);
          else refused++;
        }
      const answer = JSON.stringify([figures.crewFigures(), figures.memberFigures(), figures.ratings()], (_, v) =>
        v instanceof Map ? [...v] : (v as unknown),
      );
      if (refused > 0) throw new Error(`${refused} archived orders refused`);
      return { ms: performance.now() - t0, answer, orders: figures.orders };
    };
    const [whole, column] = [await fold('xiamen'), await fold(CITY)];
    if (whole.answer !== column.answer || whole.orders !== changes)
      throw new Error('the figures column and the whole orders disagree');
    const times = { whole: [] as number[], column: [] as number[] };
    for (let i = 0; i < 5; i++) {
      times.whole.push((await fold('xiamen')).ms);
      times.column.push((await fold(CITY)).ms);
    }
    const [a, b] = [median(times.whole), median(times.column)];
    const of = `${changes.toLocaleString('en')} archived orders of the last 30 days`;
    return [
      {
        name: `archive part of the last 30 days (read, check, fold), ${of}, each read whole (as before the figures column)`,
        value: Math.round(a),
        unit: 'ms',
        note: 'median of 5, in turns with the next row, in the bench process',
      },
      {
        name: `archive part of the last 30 days (read, check, fold), ${of}, from the figures column`,
        value: Math.round(b),
        unit: 'ms',
        note: 'median of 5, in turns with the previous row; the same figures as read whole',
      },
      {
        name: 'archive part of the last 30 days: each order read whole / from the figures column',
        value: round(a / b, 1),
        unit: 'x',
        note: `${Math.round(a)} ms / ${Math.round(b)} ms, the two rows above`,
      },
    ];
  } finally {
    await db.close();
  }
}
