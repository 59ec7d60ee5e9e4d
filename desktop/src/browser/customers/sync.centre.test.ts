// CustomerSync and the screen-pop lookup against real centre processes (seeded customer directories) and a real
// host (its SQLite customer cache through the handler map): a first download, a failover to a twin whose directory
// and version numbers differ, and a cache miss answered by the centre.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CITY_IDS } from '@twinline/board';
import type { Customer } from '@twinline/customers';
import { customerAt, generateCustomers } from '@twinline/demo-data/customers';
import { login, startCentreProcess, tempDir } from '../../../../sync-server/test/harness';
import type { CentreProcess } from '../../../../sync-server/test/harness';
import { openCentreStorage } from '../../../../sync-server/src/storage';
import { createBridgeClient } from '../bridge-client';
import type { BridgeClient } from '../bridge-client';
import { hostKit } from '../../node/host/testkit';
import type { Host } from '../../node/host/host';
import { lookupCaller } from './screenPop';
import { CustomerSync } from './sync';
import type { CustomerSyncProgress } from './sync';

const SEED = 95598;
const COUNT = 3000;
const demo: Customer[] = [...generateCustomers({ seed: SEED, count: COUNT })];
const gone = demo[0]!;
const renamed: Customer = { ...demo[1]!, name: '林改名' };
const twinOnly = customerAt(SEED, COUNT + 7);

let home: CentreProcess;
let twin: CentreProcess;
let token: string;
const kit = hostKit();
const syncs: CustomerSync[] = [];

beforeAll(async () => {
  // The twin's directory: the same customers written in another order (so its versions differ), plus changes.
  const twinDir = tempDir('twinline-xiamen-');
  const storage = await openCentreStorage(twinDir);
  await storage.customers.upsert(demo.slice(COUNT / 2));
  await storage.customers.upsert(demo.slice(0, COUNT / 2));
  await storage.customers.remove([gone.account]);
  await storage.customers.upsert([renamed, twinOnly]);
  await storage.close();
  [home, twin] = await Promise.all([
    startCentreProcess({ name: 'fuzhou', flags: ['--demo-customers', String(COUNT)] }),
    startCentreProcess({ name: 'xiamen', dataDir: twinDir, flags: ['--demo-customers', String(COUNT)] }),
  ]);
  await home.waitForLog((l) => l.msg === 'demo customer directory seeded', 30_000);
  token = await login(home, 'agent.fz');
});

afterAll(async () => {
  await Promise.all(syncs.map((s) => s.stop()));
  await kit.cleanup();
  for (const c of [home, twin]) {
    await c?.stop();
    if (c) rmSync(c.dataDir, { recursive: true, force: true });
  }
});

/** The renderer's bridge client over the host's dispatcher (what Electron's preload relays). */
const clientOf = (host: Host): BridgeClient =>
  createBridgeClient({ preload: { invoke: (name, payload) => host.dispatch(name, payload) as never } });

function until(sync: CustomerSync, pred: (p: CustomerSyncProgress) => boolean, ms = 30_000) {
  return vi.waitFor(
    () => {
      const p = sync.progress;
      if (!pred(p)) throw new Error(`not yet: ${JSON.stringify({ ...p, cities: undefined })}`);
      return p;
    },
    { timeout: ms, interval: 20 },
  );
}

const caughtUpAt = (centre: string) => (p: CustomerSyncProgress) =>
  p.centre === centre && p.state === 'idle' && p.citiesDone === p.citiesTotal;

const accountsFor = async (bridge: BridgeClient, phone: string) =>
  (await bridge.call('customers.byPhone', { phone })).customers.map((c) => c.account);

describe('the customer cache kept by CustomerSync from real centres', () => {
  it('downloads the directory, then fails over to the twin and resyncs there in the background', async () => {
    const host = await kit.open(kit.dir());
    const bridge = clientOf(host);
    const sync = new CustomerSync({
      bridge,
      token,
      cities: CITY_IDS,
      centre: { name: 'fuzhou', http: home.http },
      pageSize: 400,
      pauseMs: 0,
      retry: { firstMs: 100, maxMs: 400 },
    });
    syncs.push(sync);
    sync.start();
    const first = await until(sync, caughtUpAt('fuzhou'));
    expect(first.rows).toBe(COUNT);
    let status = await bridge.call('customers.status', {});
    expect(status.customers).toBe(COUNT);
    expect(status.cities.every((c) => c.cursors.length === 1 && c.cursors[0]!.centre === 'fuzhou')).toBe(true);
    expect(await accountsFor(bridge, gone.phones[0]!)).toContain(gone.account);
    const pop = await lookupCaller({ bridge }, demo[1]!.phones[0]!);
    expect(pop).toMatchObject({ source: 'cache' });
    expect(pop.customers).toContainEqual(demo[1]);

    // The home centre dies: the sync backs off, then the board (the lead's wiring) moves it to the twin.
    await home.stop();
    sync.syncNow();
    await until(sync, (p) => p.state === 'backoff' && /fetch failed|ECONNREFUSED/i.test(p.lastError ?? ''));
    // Lookups keep answering from the cache meanwhile.
    expect(await accountsFor(bridge, demo[2]!.phones[0]!)).toContain(demo[2]!.account);
    sync.setCentre({ name: 'xiamen', http: twin.http });
    const atTwin = await until(sync, caughtUpAt('xiamen'));
    expect(Object.values(atTwin.cities).every((c) => c.initial)).toBe(true); // a full download: no twin cursor yet

    status = await bridge.call('customers.status', {});
    // The twin's removal, change and new customer are in; the home cursors are kept for the way back.
    expect(await accountsFor(bridge, gone.phones[0]!)).not.toContain(gone.account);
    expect((await bridge.call('customers.byPhone', { phone: renamed.phones[0]! })).customers).toContainEqual(renamed);
    expect(await accountsFor(bridge, twinOnly.phones[0]!)).toContain(twinOnly.account);
    expect(status.customers).toBe(COUNT);
    for (const city of status.cities)
      expect(city.cursors.map((c) => c.centre).sort(), city.city).toEqual(['fuzhou', 'xiamen']);
    // Each centre's cursor is its own numbering: the twin's, for a city, is the newest version its delta has.
    const xiamenDelta = await fetch(`${twin.http}/api/customers/delta?city=xiamen&since=0&limit=5000`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((r) => r.json() as Promise<{ nextVersion: number }>);
    const cursor = status.cities.find((c) => c.city === 'xiamen')!.cursors.find((c) => c.centre === 'xiamen')!;
    expect(cursor.version).toBe(xiamenDelta.nextVersion);
    expect(cursor.caughtUpAt).toBeGreaterThan(0);
  });

  it('asks the centre when the cache has nobody, and caches what it finds', async () => {
    const host = await kit.open(kit.dir());
    const bridge = clientOf(host);
    const centre = () => ({ name: 'xiamen', http: twin.http, token });
    const pop = await lookupCaller({ bridge, centre }, `+86 ${twinOnly.phones[0]!}`);
    expect(pop).toMatchObject({ source: 'centre', phone: twinOnly.phones[0] });
    expect(pop.customers).toContainEqual(twinOnly);
    await vi.waitFor(async () => expect(await accountsFor(bridge, twinOnly.phones[0]!)).toEqual([twinOnly.account]));
    const again = await lookupCaller({ bridge, centre }, twinOnly.phones[0]!);
    expect(again.source).toBe('cache');
    expect((await bridge.call('customers.status', {})).cities.flatMap((c) => c.cursors)).toEqual([]);
  });
});
