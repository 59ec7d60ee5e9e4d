// CustomerSync against a fake centre (fake fetch) and a fake bridge: paging from the stored cursor, resuming,
// back-off, 401/403, and failover to a twin whose versions differ.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Customer } from '@twinline/customers';
import { generateCustomers } from '@twinline/demo-data/customers';
import { BridgeError } from '../../common/bridge';
import { CustomerSync } from './sync';
import type { CustomerSyncOptions, CustomerSyncProgress } from './sync';
import { FakeCentre, FakeCustomerBridge, fetchFor } from './testkit';

const demo: Customer[] = [...generateCustomers({ seed: 95598, count: 600 })];
const CITIES = ['xiamen', 'fuzhou', 'quanzhou'];
const inCities = demo.filter((c) => CITIES.includes(c.region.city));
const ofCity = (city: string) => demo.filter((c) => c.region.city === city);

const FUZHOU = { name: 'fuzhou', http: 'http://127.0.0.1:4401' };
const XIAMEN = { name: 'xiamen', http: 'http://127.0.0.1:4402' };

const syncs: CustomerSync[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(syncs.splice(0).map((s) => s.stop()));
});

function makeSync(opts: Partial<CustomerSyncOptions> & Pick<CustomerSyncOptions, 'bridge' | 'fetch'>) {
  const sync = new CustomerSync({
    token: 'good-token',
    cities: CITIES,
    pageSize: 50,
    pauseMs: 0,
    intervalMs: 60_000,
    random: () => 1,
    ...opts,
  });
  syncs.push(sync);
  return sync;
}

/** Resolves with the first progress that satisfies `pred` (or the current one). */
function until(sync: CustomerSync, pred: (p: CustomerSyncProgress) => boolean): Promise<CustomerSyncProgress> {
  if (pred(sync.progress)) return Promise.resolve(sync.progress);
  return new Promise((resolve) => {
    const off = sync.onProgress((p) => {
      if (!pred(p)) return;
      off();
      resolve(p);
    });
  });
}

const caughtUp = (p: CustomerSyncProgress) => p.state === 'idle' && p.citiesDone === p.citiesTotal;

describe('CustomerSync', () => {
  it('downloads every readable city page by page, one request at a time, and says how far it is', async () => {
    const centre = new FakeCentre('fuzhou', FUZHOU.http);
    centre.upsert(demo);
    const bridge = new FakeCustomerBridge();
    const sync = makeSync({ bridge, fetch: fetchFor(centre), centre: FUZHOU });
    const seen: CustomerSyncProgress[] = [];
    sync.onProgress((p) => seen.push(p));
    sync.start();
    const done = await until(sync, caughtUp);

    expect(bridge.customers.size).toBe(inCities.length);
    expect([...bridge.customers.values()]).toEqual(expect.arrayContaining(inCities));
    expect(done.rows).toBe(inCities.length);
    expect(done.centre).toBe('fuzhou');
    for (const city of CITIES) {
      expect(done.cities[city]).toMatchObject({ done: true, initial: true, rows: ofCity(city).length });
      expect(done.cities[city]!.cached).toBe(ofCity(city).length);
      const newest = Math.max(
        ...[...centre.records.values()].filter((r) => r.region.city === city).map((r) => r.version),
      );
      expect(bridge.cursor('fuzhou', city)).toBe(newest);
      expect(done.cities[city]!.version).toBe(newest);
    }
    // Pages of 50, each from where the last ended; never two requests at once.
    const xiamenSince = centre.requests.filter((r) => r.city === 'xiamen').map((r) => r.since);
    expect(xiamenSince[0]).toBe(0);
    expect(xiamenSince.length).toBe(Math.floor(ofCity('xiamen').length / 50) + 1);
    expect(centre.requests.every((r) => r.limit === 50 && r.token === 'good-token')).toBe(true);
    expect(centre.maxInFlight).toBe(1);
    // The indicator saw the cities finish one after another.
    expect(seen.map((p) => p.citiesDone).filter((n, i, a) => a.indexOf(n) === i)).toEqual([0, 1, 2, 3]);
    // Every page went through customers.apply with its cursor, the last one of each city marked caughtUp.
    const xiamenApplies = bridge.applied.filter((a) => a.city === 'xiamen');
    expect(xiamenApplies.at(-1)).toMatchObject({ centre: 'fuzhou', caughtUp: true });
    expect(xiamenApplies.slice(0, -1).every((a) => a.caughtUp === false)).toBe(true);
  });

  it('resumes from the stored cursor after a restart, and passes on removals and changes', async () => {
    const centre = new FakeCentre('fuzhou', FUZHOU.http);
    centre.upsert(demo);
    const bridge = new FakeCustomerBridge();
    const first = makeSync({ bridge, fetch: fetchFor(centre), centre: FUZHOU });
    first.start();
    await until(first, caughtUp);
    await first.stop();
    const cursor = bridge.cursor('fuzhou', 'xiamen')!;

    const [gone, changed] = ofCity('xiamen');
    centre.remove([gone!.account]);
    centre.upsert([{ ...changed!, name: '林新名' }]);
    centre.requests.length = 0;
    const second = makeSync({ bridge, fetch: fetchFor(centre), centre: FUZHOU });
    second.start();
    const done = await until(second, caughtUp);
    expect(centre.requests.find((r) => r.city === 'xiamen')!.since).toBe(cursor);
    expect(centre.requests).toHaveLength(CITIES.length); // one short page per city: nothing downloaded again
    expect(bridge.customers.has(gone!.account)).toBe(false);
    expect(bridge.customers.get(changed!.account)!.name).toBe('林新名');
    expect(done.cities.xiamen).toMatchObject({ rows: 2, initial: false, done: true });
  });

  it('backs off exponentially (with a cap) while the centre fails, then catches up', async () => {
    vi.useFakeTimers();
    const centre = new FakeCentre('fuzhou', FUZHOU.http);
    centre.upsert(demo.slice(0, 100));
    centre.faults.push('network', { status: 503 }, 'network', 'network');
    const bridge = new FakeCustomerBridge();
    const sync = makeSync({ bridge, fetch: fetchFor(centre), centre: FUZHOU, retry: { firstMs: 1000, maxMs: 4000 } });
    const delays: number[] = [];
    sync.onProgress((p) => {
      if (p.state === 'backoff' && p.nextPassAt) delays.push(p.nextPassAt - Date.now());
    });
    sync.start();
    await vi.advanceTimersByTimeAsync(0);
    for (const step of [1000, 2000, 4000, 4000]) await vi.advanceTimersByTimeAsync(step);
    expect(delays).toEqual([1000, 2000, 4000, 4000]);
    expect(sync.progress.state).toBe('idle');
    expect(sync.progress.lastError).toBeUndefined();
    expect(bridge.customers.size).toBe(demo.slice(0, 100).filter((c) => CITIES.includes(c.region.city)).length);
  });

  it('backs off when the host cannot take a page, and keeps the cursor where the last applied page left it', async () => {
    const centre = new FakeCentre('fuzhou', FUZHOU.http);
    centre.upsert(demo);
    const bridge = new FakeCustomerBridge();
    const sync = makeSync({ bridge, fetch: fetchFor(centre), centre: FUZHOU, retry: { firstMs: 20, maxMs: 20 } });
    let pages = 0;
    const off = sync.onProgress(() => {
      if (++pages === 3) bridge.failWith = new BridgeError('unavailable', 'host unreachable');
    });
    sync.start();
    const failed = await until(sync, (p) => p.state === 'backoff');
    off();
    expect(failed.lastError).toMatch(/host unreachable/);
    const cursor = bridge.cursor('fuzhou', 'xiamen');
    bridge.failWith = null;
    await until(sync, caughtUp);
    const again = centre.requests.filter((r) => r.city === 'xiamen' && r.since === cursor);
    expect(again.length).toBeGreaterThanOrEqual(1);
    expect(bridge.customers.size).toBe(inCities.length);
  });

  it('fails over to the twin: drops the page in flight, downloads the twin from its own cursor, keeps the home cursor', async () => {
    const home = new FakeCentre('fuzhou', FUZHOU.http);
    const twin = new FakeCentre('xiamen', XIAMEN.http);
    home.upsert(demo);
    // The twin's versions differ: other changes came first, and one customer is different there.
    twin.upsert(demo.slice(300));
    twin.upsert(demo.slice(0, 300));
    const [changedAtTwin] = ofCity('fuzhou');
    twin.upsert([{ ...changedAtTwin!, address: '福州市鼓楼区新地址1号' }]);
    const bridge = new FakeCustomerBridge();
    const sync = makeSync({ bridge, fetch: fetchFor(home, twin), centre: FUZHOU });
    sync.start();
    await until(sync, (p) => (p.cities.xiamen?.rows ?? 0) >= 50);
    home.hold(); // the next page is in flight when the home centre goes away
    await vi.waitFor(() => expect(home.holding).toBe(1));
    const homeCursor = bridge.cursor('fuzhou', 'xiamen')!;
    const appliedBefore = bridge.applied.length;

    sync.setCentre(XIAMEN);
    expect(sync.progress).toMatchObject({ centre: 'xiamen', citiesDone: 0 });
    const done = await until(sync, (p) => caughtUp(p) && p.centre === 'xiamen');
    home.release();
    // The held page was never applied: everything after the switch came from the twin.
    expect(bridge.applied.slice(appliedBefore).every((a) => a.centre === 'xiamen')).toBe(true);
    expect(twin.requests.filter((r) => r.city === 'xiamen')[0]!.since).toBe(0);
    expect(done.cities.xiamen).toMatchObject({ initial: true, done: true });
    expect(bridge.cursor('fuzhou', 'xiamen')).toBe(homeCursor);
    expect(bridge.cursor('xiamen', 'xiamen')).toBe(
      Math.max(...[...twin.records.values()].filter((r) => r.region.city === 'xiamen').map((r) => r.version)),
    );
    expect(bridge.customers.size).toBe(inCities.length);
    expect(bridge.customers.get(changedAtTwin!.account)!.address).toBe('福州市鼓楼区新地址1号');

    // Back home: the home cursor is still there, so the interrupted city goes on from where it was (the cities it
    // never reached at home start from the beginning there).
    home.requests.length = 0;
    sync.setCentre(FUZHOU);
    await until(sync, (p) => caughtUp(p) && p.centre === 'fuzhou');
    expect(home.requests[0]).toMatchObject({ city: 'xiamen', since: homeCursor });
    expect(home.requests.filter((r) => r.city === 'xiamen' && r.since === 0)).toEqual([]);
    expect(sync.progress.cities.xiamen).toMatchObject({ initial: false, done: true });
  });

  it('waits for a new login after a 401, and skips a city the centre refuses (403) without stopping the others', async () => {
    const centre = new FakeCentre('fuzhou', FUZHOU.http);
    centre.upsert(demo);
    centre.cityStatus.set('quanzhou', 403);
    centre.tokens = new Set(['fresh-token']);
    let token = 'expired-token';
    const bridge = new FakeCustomerBridge();
    const sync = makeSync({ bridge, fetch: fetchFor(centre), centre: FUZHOU, token: () => token });
    sync.start();
    const refused = await until(sync, (p) => p.state === 'unauthorized');
    expect(refused.lastError).toMatch(/401/);
    const asked = centre.requests.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(centre.requests.length).toBe(asked); // no hammering with a dead token

    token = 'fresh-token';
    sync.syncNow();
    const done = await until(sync, (p) => p.state === 'idle');
    expect(done.cities.quanzhou).toMatchObject({ done: false, error: expect.stringMatching(/may not read/) });
    expect(done.citiesDone).toBe(2);
    expect(bridge.customers.size).toBe(ofCity('xiamen').length + ofCity('fuzhou').length);
  });

  it('does nothing until it has a centre, and stops promptly while waiting', async () => {
    const centre = new FakeCentre('fuzhou', FUZHOU.http);
    const bridge = new FakeCustomerBridge();
    const sync = makeSync({ bridge, fetch: fetchFor(centre) });
    sync.start();
    await until(sync, (p) => p.state === 'no-centre');
    expect(centre.requests).toEqual([]);
    sync.setCentre(FUZHOU);
    await until(sync, caughtUp);
    const t = performance.now();
    await sync.stop();
    expect(performance.now() - t).toBeLessThan(1000);
    expect(sync.progress.state).toBe('stopped');
  });
});
