// Demo seeding: the documented demo accounts of every role, and (for one centre) a few hundred open orders, which then
// reach the twin by replication like any other change.
import { generateOrders } from '@twinline/demo-data/orders';
import { DEMO_ACCOUNTS } from '@twinline/demo-data/people';
import { importOrder, regionDoc } from '@twinline/board';
import type { CentreConfig } from './config';
import type { CentreStorage } from './storage';
import type { Logger } from './log';
import type { Rooms } from './rooms';

export async function seedDemo(config: CentreConfig, storage: CentreStorage, rooms: Rooms, log: Logger): Promise<void> {
  // Hashing is the slow part (scrypt): run the missing ones side by side on libuv's thread pool.
  const missing = [];
  for (const account of DEMO_ACCOUNTS) if (!(await storage.getAccount(account.username))) missing.push(account);
  await Promise.all(missing.map(({ password, ...account }) => storage.upsertAccount(account, password)));
  const created = missing.length;
  if (created > 0) log.info({ accounts: created }, 'demo accounts seeded');

  if (config.demoOrders === 0 || (await storage.listDocs()).length > 0) return;
  const orders = generateOrders({ seed: config.demoSeed, count: config.demoOrders, now: new Date() });
  const byCity = new Map<string, typeof orders>();
  for (const o of orders) byCity.set(o.city, [...(byCity.get(o.city) ?? []), o]);
  for (const [city, list] of byCity) {
    const room = await rooms.get(regionDoc(city));
    await room.serverChange((doc) => {
      for (const o of list) importOrder(doc, o);
    });
    rooms.release(room);
  }
  log.info({ orders: orders.length, cities: byCity.size }, 'demo orders seeded');
}
