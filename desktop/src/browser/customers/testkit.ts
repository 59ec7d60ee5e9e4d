// Test doubles for the customer sync and the screen-pop: a fake centre (its /api/customers endpoints over a fake
// fetch, with versions, tombstones, failures and held requests) and a fake bridge holding the cache in memory.
import type { Customer, CustomerRecord } from '@twinline/customers';
import { normalisePhone } from '@twinline/customers';
import type { BridgeInput, BridgeName, BridgeOutput } from '../../common/bridge';
import type { BridgeClient } from '../bridge-client';

type Fault = { status: number; body?: unknown } | 'network';

/** One centre's directory with its own version counter, served over a fake fetch at `http`. */
export class FakeCentre {
  readonly records = new Map<string, CustomerRecord>();
  private version = 0;
  /** The path and query of every request, in order. */
  readonly paths: string[] = [];
  /** Every delta request, in order. */
  readonly requests: { city: string; since: number; limit: number; token: string | undefined }[] = [];
  /** Faults to answer the next requests with, in order. */
  readonly faults: Fault[] = [];
  /** Per city: answer this status (e.g. 403) every time. */
  readonly cityStatus = new Map<string, number>();
  /** Tokens the centre accepts. */
  tokens = new Set(['good-token']);
  inFlight = 0;
  maxInFlight = 0;
  /** When set, requests wait for `release()` before answering. */
  private held: (() => void)[] | null = null;

  constructor(
    readonly name: string,
    readonly http: string,
  ) {}

  upsert(customers: readonly Customer[]): void {
    for (const c of customers) this.records.set(c.account, { ...c, version: ++this.version, deleted: false });
  }

  remove(accounts: readonly string[]): void {
    for (const a of accounts) {
      const r = this.records.get(a);
      if (r) this.records.set(a, { ...r, version: ++this.version, deleted: true });
    }
  }

  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const waiting = this.held ?? [];
    this.held = null;
    for (const go of waiting) go();
  }

  /** Requests waiting for release(). */
  get holding(): number {
    return this.held?.length ?? 0;
  }

  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    if (url.origin !== new URL(this.http).origin) throw new TypeError('fetch failed (wrong centre)');
    this.paths.push(url.pathname + url.search);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const signal = init.signal ?? undefined;
      if (this.held) {
        // Like a real fetch, an abort ends the wait at once.
        await new Promise<void>((go) => {
          this.held!.push(go);
          signal?.addEventListener('abort', () => go(), { once: true });
        });
      }
      if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
      const token = new Headers(init.headers).get('authorization')?.replace(/^Bearer /, '');
      const fault = this.faults.shift();
      if (fault === 'network') throw new TypeError('fetch failed');
      if (fault) return json(fault.status, fault.body ?? { error: `HTTP ${fault.status}` });
      if (!token || !this.tokens.has(token)) return json(401, { error: 'sign in first' });
      if (url.pathname === '/api/customers/by-phone') {
        const phone = normalisePhone(url.searchParams.get('phone') ?? '');
        const customers = [...this.records.values()].filter((r) => !r.deleted && phone && r.phones.includes(phone));
        return json(200, { phone, customers });
      }
      if (url.pathname === '/api/customers/search') {
        const q = url.searchParams.get('q') ?? '';
        const customers = [...this.records.values()].filter((r) => !r.deleted && r.name.startsWith(q));
        return json(200, { customers });
      }
      const city = url.searchParams.get('city') ?? '';
      const since = Number(url.searchParams.get('since') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 1000);
      this.requests.push({ city, since, limit, token });
      const status = this.cityStatus.get(city);
      if (status) return json(status, { error: `you may not read the customers of ${city}` });
      const rows = [...this.records.values()]
        .filter((r) => r.region.city === city && r.version > since)
        .sort((a, b) => a.version - b.version)
        .slice(0, limit);
      return json(200, {
        city,
        rows,
        nextVersion: rows.length ? rows[rows.length - 1]!.version : since,
        more: rows.length === limit,
      });
    } finally {
      this.inFlight--;
    }
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** Routes a fetch to whichever fake centre owns the URL's origin (a stopped one: a network error). */
export function fetchFor(...centres: FakeCentre[]): typeof fetch {
  return (input, init) => {
    const origin = new URL(String(input instanceof Request ? input.url : input)).origin;
    const centre = centres.find((c) => new URL(c.http).origin === origin);
    if (!centre) return Promise.reject(new TypeError('fetch failed'));
    return centre.fetch(input, init);
  };
}

/** The host's customer cache in memory, behind the bridge's `call`: the operations the sync and screen-pop use. */
export class FakeCustomerBridge implements Pick<BridgeClient, 'call'> {
  readonly customers = new Map<string, Customer>();
  readonly cursors = new Map<string, { version: number; syncedAt: number; caughtUpAt?: number }>();
  readonly applied: BridgeInput<'customers.apply'>[] = [];
  /** Calls fail with this error while set. */
  failWith: Error | null = null;
  /** Calls answer after this long (a host busy opening a big file). */
  delayMs = 0;

  call = (async (name: BridgeName, payload?: unknown): Promise<unknown> => {
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failWith) throw this.failWith;
    switch (name) {
      case 'customers.status':
        return this.status();
      case 'customers.apply': {
        const p = payload as BridgeInput<'customers.apply'>;
        this.applied.push(p);
        let removed = 0;
        for (const a of p.removed) if (this.customers.delete(a)) removed++;
        for (const c of p.rows) this.customers.set(c.account, c);
        if (p.nextVersion !== undefined) {
          const key = `${p.centre}/${p.city}`;
          const before = this.cursors.get(key);
          this.cursors.set(key, {
            version: p.nextVersion,
            syncedAt: Date.now(),
            ...(p.caughtUp ? { caughtUpAt: Date.now() } : before?.caughtUpAt ? { caughtUpAt: before.caughtUpAt } : {}),
          });
        }
        const count = [...this.customers.values()].filter((c) => c.region.city === p.city).length;
        return { changed: p.rows.length, removed, count } satisfies BridgeOutput<'customers.apply'>;
      }
      case 'customers.byPhone': {
        const p = payload as BridgeInput<'customers.byPhone'>;
        const phone = normalisePhone(p.phone);
        const customers = [...this.customers.values()]
          .filter((c) => phone !== null && c.phones.includes(phone))
          .filter((c) => !p.cities || p.cities.includes(c.region.city))
          .sort((a, b) => (a.account < b.account ? -1 : 1));
        return { phone, customers } satisfies BridgeOutput<'customers.byPhone'>;
      }
      case 'customers.search': {
        const p = payload as BridgeInput<'customers.search'>;
        const customers = [...this.customers.values()]
          .filter((c) => c.name.startsWith(p.q.trim()) || c.account.startsWith(p.q.trim()))
          .filter((c) => (!p.city || c.region.city === p.city) && (!p.cities || p.cities.includes(c.region.city)))
          .slice(0, p.limit ?? 20);
        return { customers } satisfies BridgeOutput<'customers.search'>;
      }
      default:
        throw new Error(`the fake bridge has no ${name}`);
    }
  }) as BridgeClient['call'];

  status(): BridgeOutput<'customers.status'> {
    const cities = new Map<string, BridgeOutput<'customers.status'>['cities'][number]>();
    const slot = (city: string) => {
      let s = cities.get(city);
      if (!s) cities.set(city, (s = { city, count: 0, cursors: [] }));
      return s;
    };
    for (const c of this.customers.values()) slot(c.region.city).count++;
    for (const [key, cursor] of this.cursors) {
      const [centre, city] = key.split('/') as [string, string];
      slot(city).cursors.push({ centre, ...cursor });
    }
    return { file: ':memory:', fullText: false, customers: this.customers.size, cities: [...cities.values()] };
  }

  cursor(centre: string, city: string): number | undefined {
    return this.cursors.get(`${centre}/${city}`)?.version;
  }
}
