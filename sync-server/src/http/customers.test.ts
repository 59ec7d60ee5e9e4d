// The directory endpoints against a real centre process seeded with demo customers.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ByPhoneResponseSchema, DeltaResponseSchema, SearchResponseSchema } from '@twinline/customers';
import type { Customer } from '@twinline/customers';
import { generateCustomers } from '@twinline/demo-data/customers';
import { login, startCentreProcess } from '../../test/harness';
import type { CentreProcess } from '../../test/harness';

const COUNT = 3000;
const demo: Customer[] = [...generateCustomers({ seed: 95598, count: COUNT })];
let centre: CentreProcess;
let lead: string;
let dispatcher: string;

beforeAll(async () => {
  centre = await startCentreProcess({ name: 'fuzhou', flags: ['--demo-customers', String(COUNT)] });
  await centre.waitForLog((l) => l.msg === 'demo customer directory seeded', 30_000);
  [lead, dispatcher] = await Promise.all([login(centre, 'lead.fz'), login(centre, 'disp.xiamen-siming')]);
});
afterAll(async () => {
  await centre?.stop();
  if (centre) rmSync(centre.dataDir, { recursive: true, force: true });
});

const get = async (path: string, token?: string) => {
  const res = await fetch(`${centre.http}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('customer directory endpoints', () => {
  it('refuse requests without a valid token (401)', async () => {
    for (const path of [
      '/api/customers/by-phone?phone=13800138000',
      '/api/customers/search?q=陈',
      '/api/customers/delta?city=xiamen',
    ]) {
      expect((await get(path)).status).toBe(401);
      expect((await get(path, 'not-a-token')).status).toBe(401);
    }
  });

  it('pop the caller: a customer by any spelling of the number, and everyone sharing it', async () => {
    const c = demo.find((x) => x.phones[0]!.startsWith('1'))!;
    const spelled = `+86 ${c.phones[0]!.slice(0, 3)}-${c.phones[0]!.slice(3, 7)}-${c.phones[0]!.slice(7)}`;
    const r = await get(`/api/customers/by-phone?phone=${encodeURIComponent(spelled)}`, lead);
    expect(r.status).toBe(200);
    const body = ByPhoneResponseSchema.parse(r.body);
    expect(body.phone).toBe(c.phones[0]);
    expect(body.customers.map((x) => x.account)).toContain(c.account);
    expect(body.customers.find((x) => x.account === c.account)).toMatchObject({ ...c, deleted: false });

    const holders = new Map<string, Customer[]>();
    for (const x of demo) for (const p of x.phones) holders.set(p, [...(holders.get(p) ?? []), x]);
    const [sharedPhone, sharing] = [...holders].find(([, h]) => h.length >= 3)!;
    const shared = ByPhoneResponseSchema.parse((await get(`/api/customers/by-phone?phone=${sharedPhone}`, lead)).body);
    expect(shared.customers.map((x) => x.account).sort()).toEqual(sharing.map((x) => x.account).sort());

    const unknown = await get('/api/customers/by-phone?phone=13000000000', lead);
    expect(unknown).toEqual({ status: 200, body: { phone: '13000000000', customers: [] } });
  });

  it('answer 400 with the reason for bad parameters', async () => {
    const cases: [string, RegExp][] = [
      ['/api/customers/by-phone', /phone: /],
      ['/api/customers/by-phone?phone=hello', /phone: not a phone number/],
      ['/api/customers/by-account?account=12', /account: 户号 must be 10 digits/],
      ['/api/customers/search?q=', /q: must not be empty/],
      ['/api/customers/search?q=陈&limit=1000', /limit: /],
      ['/api/customers/delta', /city: must be one of fuzhou, xiamen/],
      ['/api/customers/delta?city=shanghai', /city: must be one of/],
      ['/api/customers/delta?city=xiamen&since=-1', /since: /],
      ['/api/customers/delta?city=xiamen&since=abc', /since: /],
    ];
    for (const [path, error] of cases) {
      const r = await get(path, lead);
      expect(r.status, path).toBe(400);
      expect(String(r.body.error), path).toMatch(error);
    }
  });

  it('page a city by delta until nothing is left', async () => {
    const xiamen = demo.filter((c) => c.region.city === 'xiamen');
    const seen: string[] = [];
    let since = 0;
    let pages = 0;
    for (;;) {
      const r = await get(`/api/customers/delta?city=xiamen&since=${since}&limit=100`, lead);
      expect(r.status).toBe(200);
      const page = DeltaResponseSchema.parse(r.body);
      seen.push(...page.rows.map((x) => x.account));
      since = page.nextVersion;
      pages++;
      if (!page.more) break;
    }
    expect(seen.sort()).toEqual(xiamen.map((c) => c.account).sort());
    expect(pages).toBe(Math.floor(xiamen.length / 100) + 1);
  });

  it('show a dispatcher only its own city: 403 for another city, others filtered out', async () => {
    expect((await get('/api/customers/delta?city=fuzhou', dispatcher)).status).toBe(403);
    expect((await get('/api/customers/search?q=陈&city=fuzhou', dispatcher)).status).toBe(403);
    expect((await get('/api/customers/delta?city=xiamen&limit=5', dispatcher)).status).toBe(200);

    const fuzhou = demo.find((c) => c.region.city === 'fuzhou' && c.phones.length > 0)!;
    const forLead = ByPhoneResponseSchema.parse(
      (await get(`/api/customers/by-phone?phone=${fuzhou.phones[0]}`, lead)).body,
    );
    expect(forLead.customers.map((x) => x.account)).toContain(fuzhou.account);
    const forDispatcher = ByPhoneResponseSchema.parse(
      (await get(`/api/customers/by-phone?phone=${fuzhou.phones[0]}`, dispatcher)).body,
    );
    expect(forDispatcher.customers.map((x) => x.account)).not.toContain(fuzhou.account);
    expect((await get(`/api/customers/by-account?account=${fuzhou.account}`, dispatcher)).status).toBe(404);

    const found = SearchResponseSchema.parse(
      (await get(`/api/customers/search?q=${encodeURIComponent('陈')}`, dispatcher)).body,
    );
    expect(found.customers.length).toBeGreaterThan(0);
    expect(found.customers.every((x) => x.region.city === 'xiamen')).toBe(true);
  });

  it('search by name, address or account for an unknown caller', async () => {
    const c = demo[42]!;
    const byAccount = SearchResponseSchema.parse((await get(`/api/customers/search?q=${c.account}`, lead)).body);
    expect(byAccount.customers.map((x) => x.account)).toEqual([c.account]);
    const byName = SearchResponseSchema.parse(
      (await get(`/api/customers/search?q=${encodeURIComponent(`${c.name} ${c.address.slice(-8)}`)}&limit=100`, lead))
        .body,
    );
    expect(byName.customers.map((x) => x.account)).toContain(c.account);
    const one = await get(`/api/customers/by-account?account=${c.account}`, lead);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ account: c.account, name: c.name });
  });
});
