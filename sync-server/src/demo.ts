// Demo seeding: the documented demo accounts of every role, every station's crews and dispatch settings, and (for one
// centre) a few hundred open orders, which then reach the twin by replication like any other change.
import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import { generateOrders } from '@twinline/demo-data/orders';
import { CREWS, DEMO_ACCOUNTS } from '@twinline/demo-data/people';
import { stationsOfCity } from '@twinline/demo-data';
import { CITY_IDS, importOrder, putCrew, regionDoc, setAutoAssign } from '@twinline/board';
import { SYSTEM_USER } from '@twinline/workorder';
import type { Actor } from '@twinline/workorder';
import type { CentreConfig } from './config';
import type { CentreStorage } from './storage';
import type { Logger } from './log';
import type { Rooms } from './rooms';
import { SERVER_ORIGIN } from './room';

export async function seedDemo(config: CentreConfig, storage: CentreStorage, rooms: Rooms, log: Logger): Promise<void> {
  // Hashing is the slow part (scrypt): run the missing ones side by side on libuv's thread pool.
  const missing = [];
  for (const account of DEMO_ACCOUNTS) if (!(await storage.getAccount(account.username))) missing.push(account);
  await Promise.all(missing.map(({ password, ...account }) => storage.upsertAccount(account, password)));
  const created = missing.length;
  if (created > 0) log.info({ accounts: created }, 'demo accounts seeded');

  // Every station's crews and settings, at every demo start: the same bytes each time and at each centre, so a
  // roster already there (or edited since) takes nothing from it.
  const fresh = (await storage.listDocs()).length === 0;
  if (config.demoRoster)
    for (const city of CITY_IDS) {
      const room = await rooms.get(regionDoc(city));
      try {
        await room.serial(() => room.commitAndApply(demoRosterUpdate(city), SERVER_ORIGIN, 'server'));
      } finally {
        rooms.release(room);
      }
    }

  if (config.demoOrders === 0 || !fresh) return;
  const orders = generateOrders({ seed: config.demoSeed, count: config.demoOrders, now: new Date() });
  const byCity = new Map<string, typeof orders>();
  for (const o of orders) byCity.set(o.city, [...(byCity.get(o.city) ?? []), o]);
  for (const city of CITY_IDS) {
    const room = await rooms.get(regionDoc(city));
    try {
      await room.serverChange((doc) => {
        for (const o of byCity.get(city) ?? []) importOrder(doc, o);
      });
    } finally {
      rooms.release(room);
    }
  }
  log.info({ orders: orders.length, cities: byCity.size, crews: CREWS.length }, 'demo orders seeded');
}

/** When the demo roster was written (fixed, so that every centre writes the very same values). */
export const DEMO_ROSTER_AT = new Date('2026-11-23T08:00:00+08:00');

/**
 * The demo crews of `city`'s stations (@twinline/demo-data/people) and each station's settings: urban stations assign
 * automatically, the others leave it to their dispatcher. Written as the centre (`system`) into a fresh document
 * whose client id is a hash of the content, so the update is the same bytes at every centre and on every run: a
 * second seeding (the twin's, or a centre started afresh) brings nothing new, and never competes with a later edit.
 */
export function demoRosterUpdate(city: string): Uint8Array {
  const system: Actor = { userId: SYSTEM_USER, role: 'admin', centre: 'demo' };
  const stations = stationsOfCity(city);
  const ids = new Set(stations.map((s) => s.id));
  const crews = CREWS.filter((c) => ids.has(c.stationId));
  const doc = new Y.Doc();
  doc.clientID = createHash('sha256')
    .update(JSON.stringify([city, stations, crews]))
    .digest()
    .readUInt32BE(0);
  doc.transact(() => {
    for (const c of crews) {
      const { zh, areas, ...rest } = c;
      putCrew(doc, { ...rest, name: zh, area: { counties: areas, streets: [] } }, system, DEMO_ROSTER_AT);
    }
    for (const s of stations) setAutoAssign(doc, s.id, s.areaClass === 'urban', system, DEMO_ROSTER_AT);
  });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}
