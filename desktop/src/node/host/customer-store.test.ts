// The console's customer cache through the host's handler map: delta pages from two centres, the screen-pop lookup,
// quick search, status, restarts, and a damaged file that must never stop the console.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Customer } from '@twinline/customers';
import { generateCustomers } from '@twinline/demo-data/customers';
import { openDatabase } from '@twinline/sql';
import { CACHE_FILE } from './cache-store';
import type { BridgeOutput } from '../../common/bridge';
import { CUSTOMERS_FILE } from './customer-store';
import type { Host } from './host';
import { hostKit } from './testkit';

const kit = hostKit();
afterEach(() => kit.cleanup());

const demo: Customer[] = [...generateCustomers({ seed: 95598, count: 3000 })];
const ofCity = (city: string) => demo.filter((c) => c.region.city === city);
const xiamen = ofCity('xiamen');
const fuzhou = ofCity('fuzhou');

/** A city's customers applied as delta pages from one centre, as CustomerSync writes them. */
async function fill(host: Host, centre: string, city: string, customers: Customer[], pageSize = 100) {
  for (let i = 0; i < customers.length; i += pageSize) {
    const rows = customers.slice(i, i + pageSize);
    const last = i + pageSize >= customers.length;
    await host.handlers['customers.apply']({
      centre,
      city,
      rows,
      removed: [],
      nextVersion: i + rows.length,
      ...(last ? { caughtUp: true } : {}),
    });
  }
}

const accounts = (cs: readonly Customer[]) => cs.map((c) => c.account).sort();

describe('the customer cache', () => {
  it('pops the caller by any spelling of the number, everyone who shares it, and nobody for an unknown number', async () => {
    const host = await kit.open(kit.dir());
    for (const city of new Set(demo.map((c) => c.region.city))) await fill(host, 'xiamen', city, ofCity(city));
    const c = xiamen.find((x) => x.phones.some((p) => p.startsWith('1')))!;
    const mobile = c.phones.find((p) => p.startsWith('1'))!;
    for (const spelled of [
      mobile,
      `+86 ${mobile.slice(0, 3)}-${mobile.slice(3, 7)}-${mobile.slice(7)}`,
      `"客户" <sip:+86${mobile}@127.0.0.1:5060>;tag=a1`,
    ]) {
      const found = await host.dispatch('customers.byPhone', { phone: spelled });
      expect(found.ok).toBe(true);
      if (!found.ok) continue;
      const r = found.result as { phone: string; customers: Customer[] };
      expect(r.phone).toBe(mobile);
      expect(r.customers.find((x) => x.account === c.account)).toEqual(c);
    }
    // A number several customers give (a landlord, a family): all of them, to pick from.
    const holders = new Map<string, Customer[]>();
    for (const x of demo) for (const p of x.phones) holders.set(p, [...(holders.get(p) ?? []), x]);
    const [shared, sharing] = [...holders].find(([, h]) => h.length >= 3)!;
    expect(accounts((await host.handlers['customers.byPhone']({ phone: shared })).customers)).toEqual(
      accounts(sharing),
    );
    expect(await host.handlers['customers.byPhone']({ phone: '13000000000' })).toEqual({
      phone: '13000000000',
      customers: [],
    });
    // Withheld: not a number, no error, nobody.
    expect(await host.handlers['customers.byPhone']({ phone: 'sip:anonymous@anonymous.invalid' })).toEqual({
      phone: null,
      customers: [],
    });
    // The user's readable cities bound the answer (the cache may hold what an earlier user could read).
    expect((await host.handlers['customers.byPhone']({ phone: c.phones[0]!, cities: ['fuzhou'] })).customers).toEqual(
      [],
    );
  });

  it('applies changes and removals: the phone index and the counts follow, an identical row is not rewritten', async () => {
    const host = await kit.open(kit.dir());
    await fill(host, 'xiamen', 'xiamen', xiamen);
    await fill(host, 'xiamen', 'fuzhou', fuzhou);
    const [a, b, mover] = xiamen;
    const newNumber = '13911112222';
    const changed = { ...a!, phones: [newNumber], name: '林改名' };
    const moved: Customer = { ...mover!, region: { city: 'fuzhou', county: 'gulou' }, stationId: 'st-fuzhou-gulou' };
    const again = await host.handlers['customers.apply']({
      centre: 'xiamen',
      city: 'xiamen',
      rows: [changed, xiamen[3]!],
      removed: [b!.account],
      nextVersion: 5000,
      caughtUp: true,
    });
    expect(again).toEqual({ changed: 1, removed: 1, count: xiamen.length - 1 });
    await host.handlers['customers.apply']({
      centre: 'xiamen',
      city: 'fuzhou',
      rows: [moved],
      removed: [],
      nextVersion: 6000,
    });

    expect((await host.handlers['customers.byPhone']({ phone: newNumber })).customers).toEqual([changed]);
    for (const old of a!.phones)
      expect((await host.handlers['customers.byPhone']({ phone: old })).customers.map((x) => x.account)).not.toContain(
        a!.account,
      );
    for (const p of b!.phones)
      expect((await host.handlers['customers.byPhone']({ phone: p })).customers.map((x) => x.account)).not.toContain(
        b!.account,
      );
    expect((await host.handlers['customers.byPhone']({ phone: mover!.phones[0]! })).customers).toContainEqual(moved);

    const status = await host.handlers['customers.status']({});
    const city = (id: string) => status.cities.find((c) => c.city === id)!;
    expect(city('xiamen').count).toBe(xiamen.length - 2);
    expect(city('fuzhou').count).toBe(fuzhou.length + 1);
    expect(status.customers).toBe(xiamen.length - 2 + fuzhou.length + 1);
    expect(city('xiamen').cursors).toEqual([
      { centre: 'xiamen', version: 5000, syncedAt: expect.any(Number), caughtUpAt: expect.any(Number) },
    ]);
  });

  it('keeps one cursor per centre and city; by-phone answers are cached without moving any cursor', async () => {
    const dir = kit.dir();
    const host = await kit.open(dir);
    await fill(host, 'fuzhou', 'xiamen', xiamen.slice(0, 150));
    await host.handlers['customers.apply']({
      centre: 'xiamen',
      city: 'xiamen',
      rows: xiamen.slice(100, 200),
      removed: [],
      nextVersion: 777,
    });
    // A by-phone answer from the centre: cached, no cursor.
    await host.handlers['customers.apply']({ centre: 'fuzhou', city: 'xiamen', rows: [xiamen[250]!], removed: [] });
    await kit.close(host);

    const reopened = await kit.open(dir);
    const status = await reopened.handlers['customers.status']({});
    expect(status.recoveredFrom).toBeUndefined();
    expect(status.cities).toEqual([
      {
        city: 'xiamen',
        count: 201,
        cursors: [
          { centre: 'fuzhou', version: 150, syncedAt: expect.any(Number), caughtUpAt: expect.any(Number) },
          { centre: 'xiamen', version: 777, syncedAt: expect.any(Number) },
        ],
      },
    ]);
    expect((await reopened.handlers['customers.byPhone']({ phone: xiamen[250]!.phones[0]! })).customers).toContainEqual(
      xiamen[250],
    );
  });

  it('searches like the centre: surname, name or street anywhere, account or phone prefix, within a city', async () => {
    const host = await kit.open(kit.dir());
    await fill(host, 'xiamen', 'xiamen', xiamen, 500);
    await fill(host, 'xiamen', 'fuzhou', fuzhou, 500);
    const c = xiamen[7]!;
    const search = (q: string, extra: { city?: string; cities?: string[]; limit?: number } = {}) =>
      host.handlers['customers.search']({ q, limit: 100, ...extra }).then((r) => r.customers);

    expect(await search(c.account)).toEqual([c]);
    expect(accounts(await search(c.account.slice(0, 6)))).toContain(c.account);
    const phone = c.phones[0]!;
    expect(accounts(await search(phone.slice(0, 7)))).toContain(c.account);
    const surname = [...c.name][0]!;
    const bySurname = await search(surname, { city: 'xiamen' });
    expect(bySurname.length).toBeGreaterThan(0);
    expect(bySurname.every((x) => x.name.startsWith(surname) && x.region.city === 'xiamen')).toBe(true);
    const street = c.address.match(/区(.{3,6}?[路街道])/)?.[1] ?? c.address.slice(6, 10);
    const byStreet = await search(`${street} ${c.name}`);
    expect(accounts(byStreet)).toContain(c.account);
    // A city outside the readable ones: nothing.
    expect(await search(c.account, { city: 'xiamen', cities: ['fuzhou'] })).toEqual([]);
    expect(await search(c.account, { cities: ['fuzhou'] })).toEqual([]);
    expect(await search(surname, { limit: 3 })).toHaveLength(3);
  });

  it('survives a damaged customers file: set aside, a fresh empty cache, the board cache untouched', async () => {
    const dir = kit.dir();
    const host = await kit.open(dir);
    await fill(host, 'xiamen', 'xiamen', xiamen);
    await host.handlers['drafts.put']({ id: 'kept', json: '{}', updatedAt: 1 });
    await kit.close(host);
    const file = join(dir, CUSTOMERS_FILE);
    truncateSync(file, Math.floor(readFileSync(file).length / 2));
    const damaged = readFileSync(file);

    const logs: string[] = [];
    const again = await kit.open(dir, { log: (_level, message) => logs.push(message) });
    const status = await again.handlers['customers.status']({});
    expect(status.recoveredFrom).toMatch(/customers\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z\.sqlite$/);
    expect(status.recoveryReason).toBeTruthy();
    expect(status.customers).toBe(0);
    expect(readFileSync(status.recoveredFrom!).equals(damaged)).toBe(true);
    expect(logs.join('\n')).toMatch(/customer cache .* was unreadable/);
    // The board cache and drafts are another file: untouched.
    expect((await again.handlers['drafts.list']({})).drafts.map((d) => d.id)).toEqual(['kept']);
    expect((await again.handlers['cache.status']({})).recoveredFrom).toBeUndefined();
    // The fresh cache works.
    await fill(again, 'xiamen', 'xiamen', xiamen.slice(0, 10));
    expect((await again.handlers['customers.status']({})).customers).toBe(10);
  });

  it('a damaged board cache does not cost the customer cache', async () => {
    const dir = kit.dir();
    const host = await kit.open(dir);
    await fill(host, 'xiamen', 'xiamen', xiamen.slice(0, 50));
    await kit.close(host);
    writeFileSync(join(dir, CACHE_FILE), randomBytes(8192));
    const again = await kit.open(dir);
    expect((await again.handlers['cache.status']({})).recoveredFrom).toBeDefined();
    const status = await again.handlers['customers.status']({});
    expect(status.recoveredFrom).toBeUndefined();
    expect(status.customers).toBe(50);
    expect(readdirSync(dir).filter((f) => f.startsWith('customers.corrupt-'))).toEqual([]);
  });

  describe('customers.inArea (the outage drawing)', () => {
    /** Some Xiamen customers without a location: the cache keeps them, the drawing cannot place them. */
    const placeless = new Set(
      xiamen
        .filter((c) => c.region.county === 'siming')
        .map((c) => c.account)
        .slice(0, 3),
    );
    const cached = xiamen.map((c): Customer => {
      if (!placeless.has(c.account)) return c;
      const { location: _gone, ...rest } = c;
      return rest;
    });
    const inArea = async (host: Host, payload: { city: string; counties: string[]; limit?: number }) => {
      const reply = await host.dispatch('customers.inArea', payload);
      if (!reply.ok) throw new Error(reply.error.message);
      return reply.result as BridgeOutput<'customers.inArea'>;
    };

    it("answers every cached customer of the counties with a location, as points with the customer's service point", async () => {
      const dir = kit.dir();
      const host = await kit.open(dir);
      await fill(host, 'xiamen', 'xiamen', cached, 500);
      await fill(host, 'xiamen', 'fuzhou', fuzhou, 500);
      const counties = ['siming', 'huli'];
      const wanted = cached.filter((c) => counties.includes(c.region.county));
      const r = await inArea(host, { city: 'xiamen', counties });
      expect(r.total).toBe(wanted.length);
      expect(r.step).toBe(1);
      expect(r.withoutLocation).toBe(placeless.size);
      expect([...r.accounts].sort()).toEqual(accounts(wanted.filter((c) => c.location)));
      const byAccount = new Map(wanted.map((c) => [c.account, c]));
      r.accounts.forEach((account, i) => {
        const c = byAccount.get(account)!;
        expect([r.lat[i], r.lng[i]]).toEqual([c.location!.lat, c.location!.lng]);
        expect(r.servicePoints[r.servicePoint[i]!]).toBe(c.servicePoint);
      });
      expect(new Set(r.servicePoints).size).toBe(r.servicePoints.length);
      // Only the asked city's counties; a county with nobody cached is empty.
      const gulou = await inArea(host, { city: 'fuzhou', counties: ['gulou'] });
      expect([...gulou.accounts].sort()).toEqual(accounts(fuzhou.filter((c) => c.region.county === 'gulou')));
      expect(await inArea(host, { city: 'ningde', counties: ['jiaocheng'] })).toEqual({
        total: 0,
        step: 1,
        withoutLocation: 0,
        servicePoints: [],
        accounts: [],
        lat: [],
        lng: [],
        servicePoint: [],
      });
    });

    it('thins an area beyond the limit evenly, keeping every county in the picture', async () => {
      const host = await kit.open(kit.dir());
      await fill(host, 'xiamen', 'xiamen', xiamen, 500);
      const counties = ['siming', 'huli', 'jimei', 'haicang', 'tongan', 'xiangan'];
      const limit = 40;
      const r = await inArea(host, { city: 'xiamen', counties, limit });
      expect(r.total).toBe(xiamen.length);
      expect(r.step).toBe(Math.ceil(xiamen.length / limit));
      expect(r.accounts.length).toBeLessThanOrEqual(limit);
      expect(r.accounts.length).toBeGreaterThan(limit / 2);
      const countyOf = new Map(xiamen.map((c) => [c.account, c.region.county]));
      expect(new Set(r.accounts.map((a) => countyOf.get(a))).size).toBe(counties.length);
    });

    it('reads a county from its index, also in a cache made before the index existed (no new download)', async () => {
      const dir = kit.dir();
      const host = await kit.open(dir);
      await fill(host, 'xiamen', 'xiamen', xiamen, 500);
      await kit.close(host);
      // Back to the first schema, as a console of the previous build left it.
      const old = await openDatabase(join(dir, CUSTOMERS_FILE), { integrityCheck: 'none' });
      await old.exec('DROP INDEX customers_area; PRAGMA user_version = 1');
      await old.close();

      const again = await kit.open(dir);
      const status = await again.handlers['customers.status']({});
      expect(status.recoveredFrom).toBeUndefined();
      expect(status.customers).toBe(xiamen.length);
      expect((await inArea(again, { city: 'xiamen', counties: ['siming'] })).total).toBe(
        xiamen.filter((c) => c.region.county === 'siming').length,
      );
      await kit.close(again);
      const db = await openDatabase(join(dir, CUSTOMERS_FILE), { integrityCheck: 'none' });
      const plan = await db.all<{ detail: string }>(
        `EXPLAIN QUERY PLAN SELECT account, lat, lng, service_point FROM customers
         WHERE city = ? AND county IN (SELECT value FROM json_each(?)) AND seq % ? = 0`,
        ['xiamen', '["siming"]', 1],
      );
      await db.close();
      expect(plan.map((p) => p.detail).join('\n')).toContain('USING INDEX customers_area');
    });
  });
});
