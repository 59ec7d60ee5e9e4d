import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CUSTOMER_CSV_HEADER, csvLine, customerToCsv } from '@twinline/customers';
import type { Customer } from '@twinline/customers';
import { generateCustomers } from '@twinline/demo-data/customers';
import { CustomerCsvError, openCentreStorage } from './index';
import type { CentreStorage } from './index';

let dir: string;
let storage: CentreStorage;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-customers-'));
  storage = await openCentreStorage(dir);
});
afterEach(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const csv = (lines: string[]) => Readable.from([CUSTOMER_CSV_HEADER, ...lines].join(''));
const line = (c: Customer) => csvLine(customerToCsv(c));
const base = (account: string, more: Partial<Customer> = {}): Customer => ({
  account,
  name: '林秀英',
  phones: ['13800138000'],
  region: { city: 'xiamen', county: 'siming' },
  address: '福建省厦门市思明区湖滨南路12号阳光花园3栋2单元1502室',
  stationId: 'st-xiamen-siming',
  servicePoint: 'st-xiamen-siming-tq0042',
  vip: false,
  sensitive: false,
  ...more,
});

describe('customer directory', () => {
  it('imports a CSV, skipping bad rows with their line numbers and writing nothing of them', async () => {
    const good = [...generateCustomers({ seed: 3, count: 30 })];
    const lines = good.map(line);
    // Lines 2..31 are good; then three bad rows and one more good row.
    lines.push(
      line(base('12345')), // line 32: account too short
      csvLine([...customerToCsv(base('9000000001')).slice(0, 5)]), // line 33: too few cells
      line(base('9000000002', { region: { city: 'shanghai', county: 'huangpu' }, phones: ['13900000002'] })), // 34
      line(base('9000000003', { phones: ['13900000003'] })), // line 35: good
    );
    lines.push('\n'); // a trailing empty line is not a row
    const summary = await storage.customers.importCsv(csv(lines), { batchSize: 7 });
    expect(summary).toMatchObject({ rows: 34, changed: 31, unchanged: 0, rejectedCount: 3 });
    expect(summary.batches).toBe(5);
    expect(summary.rejected.map((r) => r.line)).toEqual([32, 33, 34]);
    expect(summary.rejected[0]!.errors.join()).toMatch(/^account: /);
    expect(summary.rejected[1]!.errors.join()).toMatch(/wrong number of cells/);
    expect(summary.rejected[2]!.errors.join()).toMatch(/^city: not one of the nine cities/);

    expect(await storage.customers.stats()).toMatchObject({ customers: 31 });
    for (const c of good) expect(await storage.customers.byAccount(c.account)).toMatchObject(c);
    // The rejected rows left nothing behind, not even their numbers in the phone index.
    expect(await storage.customers.byAccount('9000000002')).toBeNull();
    expect(await storage.customers.byPhone('13900000002')).toEqual([]);
    expect(await storage.customers.byPhone('13900000003')).toHaveLength(1);
  });

  it('upserts: re-importing the same file changes nothing; a changed row gets a new version and new phones', async () => {
    const customers = [...generateCustomers({ seed: 4, count: 50 })];
    const text = () => csv(customers.map(line));
    await storage.customers.importCsv(text());
    const { version } = await storage.customers.stats();
    expect(await storage.customers.importCsv(text())).toMatchObject({ rows: 50, changed: 0, unchanged: 50 });
    expect((await storage.customers.stats()).version).toBe(version);

    const old = customers[10]!;
    customers[10] = { ...old, name: '改名后', phones: ['13911112222'] };
    expect(await storage.customers.importCsv(text())).toMatchObject({ changed: 1, unchanged: 49 });
    const now = await storage.customers.byAccount(old.account);
    expect(now).toMatchObject({ name: '改名后', phones: ['13911112222'] });
    expect(now!.version).toBeGreaterThan(version);
    expect(await storage.customers.byPhone('13911112222')).toHaveLength(1);
    for (const p of old.phones)
      expect((await storage.customers.byPhone(p)).map((c) => c.account)).not.toContain(old.account);
  });

  it('refuses a file whose header is not the contract, writing nothing', async () => {
    const err = await storage.customers
      .importCsv(Readable.from('account,name,colour\n5000000001,张三,red\n'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CustomerCsvError);
    expect((err as Error).message).toMatch(/missing column\(s\): phones.*unknown column\(s\): colour/);
    expect(await storage.customers.stats()).toMatchObject({ customers: 0, version: 0 });
  });

  it('finds every customer sharing a number, however the number is written', async () => {
    await storage.customers.upsert([
      base('5000000001', { name: '房东陈先生', phones: ['13800138000', '05922123456'] }),
      base('5000000002', { name: '租户甲', phones: ['13800138000'] }),
      base('5000000003', {
        name: '租户乙',
        phones: ['13800138000', '13700000003'],
        region: { city: 'xiamen', county: 'huli' },
      }),
      base('5000000004', { name: '别人', phones: ['13700000004'] }),
      base('3000000005', { name: '莆田亲戚', phones: ['13800138000'], region: { city: 'putian', county: 'licheng' } }),
    ]);
    const found = await storage.customers.byPhone('+86 138-0013-8000');
    expect(found.map((c) => c.name)).toEqual(['莆田亲戚', '房东陈先生', '租户甲', '租户乙']);
    expect((await storage.customers.byPhone('sip:0592-2123456@10.0.0.1')).map((c) => c.account)).toEqual([
      '5000000001',
    ]);
    // Restricted to the cities a dispatcher may read.
    expect((await storage.customers.byPhone('13800138000', ['putian'])).map((c) => c.account)).toEqual(['3000000005']);
    expect(await storage.customers.byPhone('not a number')).toEqual([]);
    // Removed customers leave the lookup.
    await storage.customers.remove(['5000000002']);
    expect((await storage.customers.byPhone('13800138000')).map((c) => c.account)).not.toContain('5000000002');
  });

  it('pages a city by delta, oldest change first, and carries removals as tombstones', async () => {
    const customers = [...generateCustomers({ seed: 5, count: 600 })];
    await storage.customers.upsert(customers);
    const xiamen = customers.filter((c) => c.region.city === 'xiamen');
    expect(xiamen.length).toBeGreaterThan(20);

    const seen: string[] = [];
    let since = 0;
    let pages = 0;
    for (;;) {
      const page = await storage.customers.delta('xiamen', since, 10);
      pages++;
      expect(page.rows.every((r) => r.region.city === 'xiamen')).toBe(true);
      const versions = page.rows.map((r) => r.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      expect(versions.every((v) => v > since)).toBe(true);
      seen.push(...page.rows.map((r) => r.account));
      since = page.nextVersion;
      if (!page.more) break;
    }
    expect(pages).toBe(Math.floor(xiamen.length / 10) + 1);
    expect(seen.sort()).toEqual(xiamen.map((c) => c.account).sort());
    expect(await storage.customers.delta('xiamen', since)).toEqual({ rows: [], nextVersion: since, more: false });

    // A change and a removal arrive in the next delta, in that order.
    const [a, b] = xiamen;
    await storage.customers.upsert([{ ...a!, vip: !a!.vip }]);
    await storage.customers.remove([b!.account]);
    const next = await storage.customers.delta('xiamen', since);
    expect(next.rows.map((r) => [r.account, r.deleted])).toEqual([
      [a!.account, false],
      [b!.account, true],
    ]);
    expect(next.rows[0]!.vip).toBe(!a!.vip);
  });

  it('searches by name, address, account and phone prefix, within the reader’s cities', async () => {
    await storage.customers.upsert([
      base('5000000101', { name: '陈秀英', address: '福建省厦门市思明区湖滨南路12号阳光花园3栋2单元1502室' }),
      base('5000000102', { name: '陈建国', phones: ['13912345678'], address: '福建省厦门市思明区莲前东路8号' }),
      base('5000000103', { name: '林建国', phones: ['05922999888'], address: '福建省厦门市思明区湖滨南路99号' }),
      base('1000000104', {
        name: '陈秀英',
        phones: ['13600000104'],
        region: { city: 'fuzhou', county: 'gulou' },
        stationId: 'st-fuzhou-gulou',
        servicePoint: 'st-fuzhou-gulou-tq0001',
        address: '福建省福州市鼓楼区五四路1号',
      }),
    ]);
    const names = async (q: string, cities?: string[]) =>
      (await storage.customers.search(q, cities ? { cities } : {})).map((c) => c.account).sort();
    expect(storage.customers.fullText).toBe(true);
    expect(await names('湖滨南路')).toEqual(['5000000101', '5000000103']);
    expect(await names('陈')).toEqual(['1000000104', '5000000101', '5000000102']);
    expect(await names('陈 湖滨南路')).toEqual(['5000000101']);
    // Two characters match the start of a name only (a trigram index needs three).
    expect(await names('建国')).toEqual([]);
    expect(await names('林建')).toEqual(['5000000103']);
    expect(await names('陈秀英', ['xiamen'])).toEqual(['5000000101']);
    expect(await names('50000001')).toEqual(['5000000101', '5000000102', '5000000103']);
    expect(await names('139 1234')).toEqual(['5000000102']);
    expect(await names('0592-2999888')).toEqual(['5000000103']);
    expect(await names('莲前东路8号')).toEqual(['5000000102']);
    expect(await names('   ')).toEqual([]);
    expect(await storage.customers.search('陈', { limit: 2 })).toHaveLength(2);
  });
});
