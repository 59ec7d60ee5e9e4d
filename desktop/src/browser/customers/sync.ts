// CustomerSync: keeps the console's customer cache (the host's customers.sqlite) current from the centre the console
// is on, so a screen-pop is answered locally, also while a centre fails over.
//
//   const sync = new CustomerSync({ bridge, token: () => session.token, cities: ['xiamen', 'fuzhou', …] });
//   sync.onProgress((p) => render(p));        // rows, cities done, state, last error: for a status indicator
//   sync.setCentre({ name: 'fuzhou', http: 'http://127.0.0.1:4401' });   // and again whenever the board moves
//   sync.start();
//   …
//   await sync.stop();
//
// How it works. A pass pulls `GET {centre}/api/customers/delta?city=&since=&limit=` for every city, page by page,
// from the cursor stored for (centre, city), and writes each page through the bridge (`customers.apply`: rows,
// removals and the new cursor in one transaction). A crash or a reload resumes from the stored cursor. Passes repeat
// every `intervalMs`; errors back off exponentially (with jitter) up to `retry.maxMs`; a 401 waits for `syncNow()`
// (after a new login); a 403 or 400 for one city skips that city and keeps the others going.
//
// Failover. The twins number their changes independently, so cursors are kept per centre, never translated. When the
// board moves to the twin, call `setCentre(twin)`: the page in flight is dropped (whatever was applied stays, with its
// own centre's cursor) and a pass starts at the twin from the twin's cursors. The first time a console is ever on the
// twin it has none, so that pass is a full download of the twin's directory, in the background: rows identical to the
// cached ones are not rewritten, removals arrive as tombstones, and lookups keep answering from the cache meanwhile.
// Back at the home centre its own cursors are still there, so only what changed there is pulled. The cache is thus the
// union of what the centres said, the last page applied winning per account; the twins import the same directory,
// so they agree, and a difference between them lasts until the next change of that customer.
//
// Never in the board's way: pages are small (2,000 rows by default), one at a time, with a pause between them, and
// the sync may run in the board worker (give it a bridge that relays customers.apply/customers.status) or the window.
import { DeltaResponseSchema } from '@twinline/customers';
import type { Customer, CustomerRecord } from '@twinline/customers';
import { MAX_CUSTOMERS_PER_APPLY } from '../../common/bridge';
import type { BridgeClient } from '../bridge-client';

export interface SyncCentre {
  /** The centre's name, as in settings (`fuzhou`): the cursors are kept under it. */
  name: string;
  /** Its HTTP endpoint, e.g. http://127.0.0.1:4401. */
  http: string;
}

export interface CustomerSyncOptions {
  /** Needs customers.status and customers.apply. */
  bridge: Pick<BridgeClient, 'call'>;
  /** The login token (the same JWT works at both centres), read before every request. */
  token: string | (() => string | undefined);
  /** The cities the user may read, in the order to sync them (put the user's own city first). */
  cities: readonly string[];
  /** The centre to pull from; null or absent until the board is connected (then call setCentre). */
  centre?: SyncCentre | null;
  fetch?: typeof fetch;
  /** Between passes once caught up. Default 60 s. */
  intervalMs?: number;
  /** Rows per delta page (at most MAX_CUSTOMERS_PER_APPLY). Default 2,000. */
  pageSize?: number;
  /** Pause between pages, so a first download never hogs the host or the thread. Default 25 ms. */
  pauseMs?: number;
  /** Back-off after a failed pass: first delay, doubled per failure up to max (each with jitter ×0.5-1). */
  retry?: { firstMs?: number; maxMs?: number };
  /** Per HTTP request. Default 30 s. */
  timeoutMs?: number;
  /** For the jitter; default Math.random. */
  random?: () => number;
  now?: () => number;
}

export type CustomerSyncState =
  /** Not started, or stopped. */
  | 'stopped'
  /** Started, but no centre given yet. */
  | 'no-centre'
  /** A pass is running. */
  | 'syncing'
  /** Caught up; the next pass is due at `nextPassAt`. */
  | 'idle'
  /** The last pass failed; the next try is at `nextPassAt`. */
  | 'backoff'
  /** The centre refused the token (401): waits for syncNow() after a new login. */
  | 'unauthorized';

export interface CitySyncProgress {
  /** Rows (changed plus removed customers) applied this session. */
  rows: number;
  /** Caught up at the current centre in this session. */
  done: boolean;
  /** This pass started from no cursor at the current centre: a full download. */
  initial: boolean;
  /** The cursor at the current centre. */
  version: number;
  /** Customers of the city in the cache after the last page (undefined before the first page). */
  cached?: number;
  /** Why the city was skipped (403: not readable for this user; 400). */
  error?: string;
}

export interface CustomerSyncProgress {
  state: CustomerSyncState;
  centre: string | null;
  cities: Record<string, CitySyncProgress>;
  citiesDone: number;
  citiesTotal: number;
  /** Rows applied this session, all cities. */
  rows: number;
  /** Epoch ms of the end of the last complete pass. */
  lastPassAt?: number;
  lastError?: string;
  /** Epoch ms of the next pass (idle, backoff). */
  nextPassAt?: number;
}

class Unauthorized extends Error {
  override readonly name = 'Unauthorized';
}

class CitySkipped extends Error {
  override readonly name = 'CitySkipped';
}

/** Resolves after `ms` or as soon as `signal` aborts (never rejects). Infinity waits for the signal only. */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = Number.isFinite(ms) ? setTimeout(done, Math.max(0, ms)) : undefined;
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The customer as the cache stores it: the record without the centre's version and tombstone. */
function toCustomer(r: CustomerRecord): Customer {
  const { version: _version, deleted: _deleted, ...customer } = r;
  return customer;
}

export class CustomerSync {
  private readonly opts: Required<Omit<CustomerSyncOptions, 'centre' | 'retry'>> & {
    retry: { firstMs: number; maxMs: number };
  };
  private centre: SyncCentre | null;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  /** Cancels the running pass (centre changed, stopped). */
  private passCtl: AbortController | null = null;
  /** Cuts the current wait short. */
  private wakeCtl: AbortController | null = null;
  private wakeRequested = false;
  private failures = 0;
  private readonly listeners = new Set<(p: CustomerSyncProgress) => void>();
  private state: CustomerSyncProgress;

  constructor(options: CustomerSyncOptions) {
    this.opts = {
      bridge: options.bridge,
      token: options.token,
      cities: [...options.cities],
      fetch: options.fetch ?? ((...args) => fetch(...args)),
      intervalMs: options.intervalMs ?? 60_000,
      pageSize: Math.min(Math.max(1, options.pageSize ?? 2000), MAX_CUSTOMERS_PER_APPLY),
      pauseMs: options.pauseMs ?? 25,
      retry: { firstMs: options.retry?.firstMs ?? 2000, maxMs: options.retry?.maxMs ?? 5 * 60_000 },
      timeoutMs: options.timeoutMs ?? 30_000,
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
    };
    this.centre = options.centre ?? null;
    this.state = {
      state: 'stopped',
      centre: this.centre?.name ?? null,
      cities: Object.fromEntries(
        this.opts.cities.map((c) => [c, { rows: 0, done: false, initial: false, version: 0 }] as const),
      ),
      citiesDone: 0,
      citiesTotal: this.opts.cities.length,
      rows: 0,
    };
  }

  /** Starts the passes (the first one at once). Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the page being applied (a page is applied whole or not at all). */
  async stop(): Promise<void> {
    this.running = false;
    this.passCtl?.abort();
    this.wakeCtl?.abort();
    await this.loop;
    this.update({ state: 'stopped', nextPassAt: undefined });
  }

  /**
   * The centre to pull from: call it whenever the board's connection moves (BoardState.centre), or with null when no
   * centre is reachable. A change drops the page in flight and starts a pass at the new centre from its own cursors.
   */
  setCentre(centre: SyncCentre | null): void {
    if (centre?.name === this.centre?.name && centre?.http === this.centre?.http) return;
    this.centre = centre;
    this.failures = 0;
    const cities = Object.fromEntries(
      Object.entries(this.state.cities).map(([c, p]) => {
        const { error: _error, cached, ...rest } = p;
        return [c, { ...rest, ...(cached !== undefined ? { cached } : {}), done: false, initial: false }];
      }),
    );
    this.update({ centre: centre?.name ?? null, cities, citiesDone: 0 });
    this.passCtl?.abort();
    this.syncNow();
  }

  /** Runs a pass now instead of waiting (after a new login, on a status indicator's "sync now"). */
  syncNow(): void {
    this.wakeRequested = true;
    this.wakeCtl?.abort();
  }

  get progress(): CustomerSyncProgress {
    return structuredClone(this.state);
  }

  /** Called with the progress after every change (every page applied); returns an unsubscribe function. */
  onProgress(listener: (p: CustomerSyncProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private update(patch: Partial<CustomerSyncProgress>): void {
    const next = { ...this.state, ...patch };
    for (const key of Object.keys(patch) as (keyof CustomerSyncProgress)[])
      if (patch[key] === undefined) delete next[key];
    next.citiesDone = Object.values(next.cities).filter((c) => c.done).length;
    this.state = next;
    for (const listener of this.listeners) listener(this.progress);
  }

  private updateCity(city: string, patch: Partial<CitySyncProgress>): void {
    const current = this.state.cities[city] ?? { rows: 0, done: false, initial: false, version: 0 };
    const next: CitySyncProgress = { ...current, ...patch };
    if ('error' in patch && patch.error === undefined) delete next.error;
    this.update({ cities: { ...this.state.cities, [city]: next } });
  }

  private async sleep(ms: number): Promise<void> {
    if (!this.running) return;
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return;
    }
    const ctl = (this.wakeCtl = new AbortController());
    await wait(ms, ctl.signal);
    this.wakeRequested = false;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const centre = this.centre;
      if (!centre) {
        this.update({ state: 'no-centre', nextPassAt: undefined });
        await this.sleep(Infinity);
        continue;
      }
      const ctl = (this.passCtl = new AbortController());
      let delay: number;
      try {
        this.update({ state: 'syncing', nextPassAt: undefined });
        this.wakeRequested = false;
        await this.pass(centre, ctl.signal);
        this.failures = 0;
        delay = this.opts.intervalMs;
        this.update({
          state: 'idle',
          lastPassAt: this.opts.now(),
          lastError: undefined,
          nextPassAt: this.opts.now() + delay,
        });
      } catch (err) {
        if (ctl.signal.aborted || !this.running) continue; // the centre changed or we stopped: start over at once
        const message = err instanceof Error ? err.message : String(err);
        if (err instanceof Unauthorized) {
          delay = Infinity;
          this.update({ state: 'unauthorized', lastError: message, nextPassAt: undefined });
        } else {
          this.failures++;
          const base = Math.min(this.opts.retry.maxMs, this.opts.retry.firstMs * 2 ** (this.failures - 1));
          delay = base * (0.5 + 0.5 * this.opts.random());
          this.update({ state: 'backoff', lastError: message, nextPassAt: this.opts.now() + delay });
        }
      }
      await this.sleep(delay);
    }
  }

  /** One pass: every city from its stored cursor at this centre to the end of its delta. */
  private async pass(centre: SyncCentre, signal: AbortSignal): Promise<void> {
    const status = await this.opts.bridge.call('customers.status', {});
    const stored = new Map<string, number>();
    for (const city of status.cities) {
      const cursor = city.cursors.find((c) => c.centre === centre.name);
      if (cursor) stored.set(city.city, cursor.version);
    }
    for (const city of this.opts.cities) {
      if (signal.aborted) throw signal.reason;
      let since = stored.get(city) ?? 0;
      this.updateCity(city, { initial: !stored.has(city), version: since, error: undefined });
      try {
        for (;;) {
          const page = await this.fetchPage(centre, city, since, signal);
          const rows: Customer[] = [];
          const removed: string[] = [];
          for (const r of page.rows) {
            if (r.deleted) removed.push(r.account);
            else rows.push(toCustomer(r));
          }
          // Applied whole even if the centre changes meanwhile: it is this centre's page, under this centre's cursor.
          const applied = await this.opts.bridge.call('customers.apply', {
            centre: centre.name,
            city,
            rows,
            removed,
            nextVersion: page.nextVersion,
            caughtUp: !page.more,
          });
          since = page.nextVersion;
          const before = this.state.cities[city]!;
          this.updateCity(city, {
            rows: before.rows + rows.length + removed.length,
            version: since,
            cached: applied.count,
            done: !page.more,
          });
          this.update({ rows: this.state.rows + rows.length + removed.length });
          if (!page.more) break;
          if (signal.aborted) throw signal.reason;
          await wait(this.opts.pauseMs, signal);
        }
      } catch (err) {
        if (!(err instanceof CitySkipped)) throw err;
        this.updateCity(city, { error: err.message, done: false });
      }
    }
  }

  private async fetchPage(centre: SyncCentre, city: string, since: number, signal: AbortSignal) {
    const token = typeof this.opts.token === 'function' ? this.opts.token() : this.opts.token;
    if (!token) throw new Unauthorized('no login token');
    const url = new URL('/api/customers/delta', centre.http);
    url.search = new URLSearchParams({ city, since: String(since), limit: String(this.opts.pageSize) }).toString();
    const res = await this.opts.fetch(url, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.opts.timeoutMs)]),
      credentials: 'omit',
      cache: 'no-store',
    });
    if (res.status === 401) throw new Unauthorized(`${centre.name} refused the login token (401)`);
    if (res.status === 403 || res.status === 400) {
      const body = (await res.json().catch(() => undefined)) as { error?: unknown } | undefined;
      throw new CitySkipped(`${centre.name}: ${typeof body?.error === 'string' ? body.error : `HTTP ${res.status}`}`);
    }
    if (!res.ok) throw new Error(`${centre.name} answered HTTP ${res.status} for the ${city} delta`);
    const parsed = DeltaResponseSchema.safeParse(await res.json());
    if (!parsed.success || parsed.data.city !== city)
      throw new Error(`${centre.name} sent an unexpected ${city} delta page`);
    return parsed.data;
  }
}
