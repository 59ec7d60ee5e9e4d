// The screen-pop's data: who is calling (cache first, then the centre), their orders on the board, the notices hook,
// quick search for an unknown caller, and the prefilled new-order form.
import { describe, expect, it, vi } from 'vitest';
import type { Customer } from '@twinline/customers';
import { generateCustomers } from '@twinline/demo-data/customers';
import { sampleRow } from '../../common/board-row.testkit';
import type { BoardRow } from '../../common/board-row';
import { validateForm } from '../features/drafts/form';
import { activeNotices, lookupCaller, matchOrders, prefillOrder, screenPop, searchCustomers } from './screenPop';
import type { LookupDeps } from './screenPop';
import { FakeCentre, FakeCustomerBridge, fetchFor } from './testkit';

const demo: Customer[] = [...generateCustomers({ seed: 95598, count: 400 })];
const FUZHOU = { name: 'fuzhou', http: 'http://127.0.0.1:4401', token: 'good-token' };
const mobileOf = (c: Customer) => c.phones.find((p) => p.startsWith('1'))!;
const withMobile = demo.filter((c) => c.phones.some((p) => p.startsWith('1')));

function cacheWith(customers: readonly Customer[]): FakeCustomerBridge {
  const bridge = new FakeCustomerBridge();
  for (const c of customers) bridge.customers.set(c.account, c);
  return bridge;
}

function centreWith(customers: readonly Customer[]): FakeCentre {
  const centre = new FakeCentre('fuzhou', FUZHOU.http);
  centre.upsert(customers);
  return centre;
}

const NOW = Date.parse('2026-11-23T10:00:00+08:00');
const HOUR = 3600_000;
const boardRow = (id: string, patch: Partial<BoardRow>): BoardRow =>
  sampleRow(id, { address: '福州市鼓楼区五四路100号', callerNumber: '13700000000', createdAt: NOW - HOUR, ...patch });

describe('lookupCaller', () => {
  it('answers from the cache, whatever spelling the INVITE used, without asking the centre', async () => {
    const c = withMobile[0]!;
    const centre = centreWith(demo);
    const deps: LookupDeps = { bridge: cacheWith(demo), centre: () => FUZHOU, fetch: fetchFor(centre) };
    const m = mobileOf(c);
    const pop = await lookupCaller(deps, `"95598" <sip:+86${m}@10.0.0.1;user=phone>;tag=1`);
    expect(pop).toMatchObject({ phone: m, source: 'cache' });
    expect(pop.customers).toContainEqual(c);
    expect(centre.paths).toEqual([]);
  });

  it('offers everyone who shares the number', async () => {
    const holders = new Map<string, Customer[]>();
    for (const x of demo) for (const p of x.phones) holders.set(p, [...(holders.get(p) ?? []), x]);
    const [shared, sharing] = [...holders].find(([, h]) => h.length >= 2)!;
    const pop = await lookupCaller({ bridge: cacheWith(demo) }, shared);
    expect(pop.customers.map((c) => c.account).sort()).toEqual(sharing.map((c) => c.account).sort());
  });

  it('asks the centre when the cache has nobody, shows its answer and caches it without moving a cursor', async () => {
    const c = withMobile[1]!;
    const bridge = cacheWith([]);
    const centre = centreWith(demo);
    const pop = await lookupCaller({ bridge, centre: () => FUZHOU, fetch: fetchFor(centre) }, mobileOf(c));
    expect(pop.source).toBe('centre');
    expect(pop.customers).toContainEqual(c);
    expect(centre.paths).toEqual([`/api/customers/by-phone?phone=${mobileOf(c)}`]);
    await vi.waitFor(() => expect(bridge.customers.get(c.account)).toEqual(c));
    expect(bridge.cursors.size).toBe(0);
    expect(bridge.applied.every((a) => a.nextVersion === undefined && a.centre === 'fuzhou')).toBe(true);
  });

  it('gives an unknown caller quickly when the centre is down, slow or not there', async () => {
    const m = '13000000001';
    expect(await lookupCaller({ bridge: cacheWith(demo) }, m)).toEqual({
      raw: m,
      phone: m,
      customers: [],
      source: 'cache',
    });
    const down = await lookupCaller({ bridge: cacheWith(demo), centre: () => FUZHOU, fetch: fetchFor() }, m);
    expect(down).toMatchObject({ customers: [], source: 'cache', error: expect.stringMatching(/^centre: /) });

    const slow = centreWith(demo);
    slow.hold();
    const t = performance.now();
    const late = await lookupCaller(
      { bridge: cacheWith([]), centre: () => FUZHOU, fetch: fetchFor(slow), centreTimeoutMs: 100 },
      mobileOf(withMobile[2]!),
    );
    expect(performance.now() - t).toBeLessThan(1000);
    expect(late).toMatchObject({ customers: [], error: expect.stringMatching(/centre: /) });
    slow.release();
  });

  it('still asks the centre when the host cannot answer', async () => {
    const c = withMobile[3]!;
    const bridge = cacheWith(demo);
    bridge.failWith = new Error('host unreachable');
    const pop = await lookupCaller({ bridge, centre: () => FUZHOU, fetch: fetchFor(centreWith(demo)) }, mobileOf(c));
    expect(pop).toMatchObject({ source: 'centre', error: 'cache: host unreachable' });
    expect(pop.customers).toContainEqual(c);
  });

  it('asks the centre too when the cache is slow to answer, and takes the late cache answer when there is no centre', async () => {
    const c = withMobile[4]!;
    const slowCache = cacheWith(demo);
    slowCache.delayMs = 600;
    const centre = centreWith(demo);
    let t = performance.now();
    const viaCentre = await lookupCaller(
      { bridge: slowCache, centre: () => FUZHOU, fetch: fetchFor(centre), cacheTimeoutMs: 50 },
      mobileOf(c),
    );
    expect(performance.now() - t).toBeLessThan(500);
    expect(viaCentre).toMatchObject({ source: 'centre', error: 'cache: no answer in time' });
    expect(viaCentre.customers).toContainEqual(c);

    t = performance.now();
    const late = await lookupCaller({ bridge: slowCache, cacheTimeoutMs: 50 }, mobileOf(c));
    expect(performance.now() - t).toBeGreaterThanOrEqual(500);
    expect(late.source).toBe('cache');
    expect(late.customers).toContainEqual(c);
  });

  it('looks nobody up for a withheld number, and completes a bare local number with the line area code', async () => {
    for (const raw of ['anonymous', 'sip:anonymous@anonymous.invalid', ''])
      expect(await lookupCaller({ bridge: cacheWith(demo) }, raw)).toMatchObject({ phone: null, source: 'none' });
    const landline = demo.flatMap((c) => c.phones.filter((p) => p.startsWith('0592')).map((p) => [c, p] as const))[0];
    if (!landline) return;
    const [c, p] = landline;
    const pop = await lookupCaller({ bridge: cacheWith(demo), areaCode: '0592' }, p.slice(4));
    expect(pop.phone).toBe(p);
    expect(pop.customers).toContainEqual(c);
  });

  it('keeps to the readable cities', async () => {
    const c = withMobile.find((x) => x.region.city !== 'fuzhou')!;
    const pop = await lookupCaller({ bridge: cacheWith(demo), cities: ['fuzhou'] }, mobileOf(c));
    expect(pop.customers.map((x) => x.account)).not.toContain(c.account);
  });
});

describe('searchCustomers', () => {
  it('searches the cache, and the centre when the cache finds nobody', async () => {
    const c = demo[5]!;
    const centre = centreWith(demo);
    const deps: LookupDeps = { bridge: cacheWith(demo), centre: () => FUZHOU, fetch: fetchFor(centre) };
    expect(await searchCustomers(deps, c.account)).toEqual({ customers: [c], source: 'cache' });
    expect(centre.paths).toEqual([]);

    const empty: LookupDeps = { bridge: cacheWith([]), centre: () => FUZHOU, fetch: fetchFor(centre) };
    const found = await searchCustomers(empty, c.name, { city: c.region.city });
    expect(found.source).toBe('centre');
    expect(found.customers).toContainEqual(c);
    expect(centre.paths[0]).toMatch(/^\/api\/customers\/search\?q=/);
    expect(await searchCustomers(empty, '   ')).toEqual({ customers: [], source: 'cache' });
  });
});

describe('matchOrders', () => {
  const c = withMobile[0]!;
  const m = mobileOf(c);
  const rows = [
    boardRow('by-account', { customerAccount: c.account, callerNumber: '13999999999', createdAt: NOW - 2 * HOUR }),
    boardRow('by-number', { callerNumber: `86${m}`, createdAt: NOW - HOUR, state: 'dispatched' }),
    boardRow('closed-recent', { customerAccount: c.account, state: 'archived', createdAt: NOW - 5 * 24 * HOUR }),
    boardRow('closed-old', { customerAccount: c.account, state: 'archived', createdAt: NOW - 60 * 24 * HOUR }),
    boardRow('someone-else', { callerNumber: '13700000000', customerAccount: '9999999999' }),
    boardRow('same-tail-other-number', { callerNumber: `139${m.slice(-8)}`.slice(0, 11) }),
  ];

  it('finds open orders by account or by number (any spelling), and recent closed ones, newest first', () => {
    const found = matchOrders(rows, { phone: m, customers: [c] }, { now: NOW });
    expect(found.open.map((r) => r.id)).toEqual(['by-number', 'by-account']);
    expect(found.recent.map((r) => r.id)).toEqual(['closed-recent']);
  });

  it('finds orders from the number for an unknown caller, and nothing for a withheld one', () => {
    expect(matchOrders(rows, { phone: m, customers: [] }, { now: NOW }).open.map((r) => r.id)).toEqual(['by-number']);
    expect(matchOrders(rows, { phone: null, customers: [] }, { now: NOW })).toEqual({ open: [], recent: [] });
  });

  it('takes one pass over a 20,000-order board', () => {
    const many = Array.from({ length: 20_000 }, (_, i) =>
      boardRow(`o${i}`, { callerNumber: `13${String(i).padStart(9, '0')}` }),
    );
    const t = performance.now();
    const found = matchOrders([...many, ...rows], { phone: m, customers: [c] }, { now: NOW });
    const ms = performance.now() - t;
    expect(found.open).toHaveLength(2);
    console.info(`matchOrders over 20,006 rows: ${ms.toFixed(1)} ms`);
  });
});

describe('screenPop and the new-order form', () => {
  it('puts the caller, their orders and the outages on at their place together, each outage once', async () => {
    const c = withMobile[0]!;
    const m = mobileOf(c);
    const outage = (id: string, state: string, area: Partial<NonNullable<BoardRow['outage']>>, city = c.region.city) =>
      boardRow(id, {
        type: 'outage',
        state,
        city,
        description: '10kV线路故障停电',
        createdAt: NOW - HOUR,
        outage: {
          cause: 'fault',
          counties: [],
          streets: [],
          servicePoints: [],
          expectedRestoreAt: NOW + HOUR,
          ...area,
        },
      });
    const rows = [
      boardRow('mine', { callerNumber: m }),
      outage('by-county', 'dispatched', { counties: [c.region.county] }),
      outage('by-point', 'accepted', { servicePoints: [c.servicePoint] }),
      outage('restored', 'archived', { counties: [c.region.county] }),
      outage(
        'elsewhere',
        'accepted',
        { counties: [c.region.county] },
        c.region.city === 'xiamen' ? 'fuzhou' : 'xiamen',
      ),
      outage('other-county', 'accepted', { counties: ['no-such-county'] }),
    ];
    const pop = await screenPop({ bridge: cacheWith(demo), rows: () => rows, match: { now: NOW } }, m);
    expect(pop.customers).toContainEqual(c);
    expect(pop.orders.open.map((r) => r.id)).toContain('mine');
    expect(pop.notices.map((n) => n.id).sort()).toEqual(['by-county', 'by-point']);
    expect(pop.notices[0]).toMatchObject({ cause: 'fault', title: '10kV线路故障停电', endsAt: NOW + HOUR });
    // A street named in the caller's address is enough.
    const street = c.address.replace(/^.*?(区|县|市)/, '').slice(0, 3);
    const place = { city: c.region.city, county: 'x', address: c.address };
    expect(activeNotices([outage('by-street', 'accepted', { streets: [street] })], place).map((n) => n.id)).toEqual([
      'by-street',
    ]);
    const plain = await screenPop({ bridge: cacheWith(demo), rows: () => [] }, m);
    expect(plain.notices).toEqual([]);
  });

  it('prefills the new order with the caller, the customer and the address: only the description is left', () => {
    const c = withMobile[0]!;
    const m = mobileOf(c);
    const form = prefillOrder({ raw: `+86 ${m}`, phone: m }, c);
    expect(form).toMatchObject({
      callerNumber: m,
      callerName: c.name,
      customerAccount: c.account,
      city: c.region.city,
      county: c.region.county,
      address: c.address,
      type: 'repair',
      channel: 'phone',
    });
    const check = validateForm(form);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.errors).toEqual({ description: 'required' });
    expect(validateForm({ ...form, description: '家里停电了' }).ok).toBe(true);

    const unknown = prefillOrder({ raw: '13000000001', phone: '13000000001' }, null, { type: 'complaint' });
    expect(unknown).toMatchObject({
      callerNumber: '13000000001',
      callerName: '',
      address: '',
      city: '',
      type: 'complaint',
    });
    expect(prefillOrder({ raw: 'anonymous', phone: null }).callerNumber).toBe('');
  });
});
