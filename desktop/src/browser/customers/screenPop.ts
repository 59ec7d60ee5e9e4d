// Screen-pop data: who is calling (before the agent answers), their open and recent orders on the board, active
// outage notices for their address (a hook, see below), and the new-order form prefilled from the customer.
//
//   const pop = await screenPop({ bridge, centre: () => current, cities, rows: () => orders.values() }, invite.from);
//   pop.customers      // [] unknown caller (offer searchCustomers), [c] one, [a, b, …] several sharing the number
//   pop.orders.open    // the board's open orders of those customers or from that number, newest first
//   prefillOrder(pop, chosen)  // OrderFormValues for the new-order form
//
// The lookup asks the console's customer cache first (customers.byPhone through the bridge: local SQLite, a few ms
// with a million customers, and it works while a centre fails over). Only when the cache has nobody and a centre is
// reachable is the centre asked (GET /api/customers/by-phone), briefly; what it finds is written to the cache in the
// background (without moving the delta cursor), so the next call from that number is local.
import { ByPhoneResponseSchema, SearchResponseSchema, normalisePhone } from '@twinline/customers';
import type { Customer, CustomerRecord } from '@twinline/customers';
import { OPEN_STATES, isActiveOutage, areaCovers } from '@twinline/workorder';
import type { OrderState, OrderType, Place } from '@twinline/workorder';
import type { BoardRow } from '../../common/board-row';
import type { BridgeClient } from '../bridge-client';
import { countyOf, emptyForm } from '../features/drafts/form';
import type { OrderFormValues } from '../features/drafts/form';

/** The centre the console is on now, with the login token (the same token works at both centres). */
export interface CentreAccess {
  name: string;
  http: string;
  token: string;
}

export interface LookupDeps {
  /** Needs customers.byPhone, customers.search and customers.apply. */
  bridge: Pick<BridgeClient, 'call'>;
  /** The centre to ask when the cache has nobody; null (or absent) when none is reachable. */
  centre?: () => CentreAccess | null;
  fetch?: typeof fetch;
  /** The user's readable cities: answers from the cache are kept within them. */
  cities?: readonly string[];
  /** How long the centre may take before the pop shows what it has. Default 1,500 ms. */
  centreTimeoutMs?: number;
  /** How long the cache may take before the centre is asked as well. Default 250 ms. */
  cacheTimeoutMs?: number;
  /** Area code (with trunk 0, e.g. 0592) of the line the call came in on, for a caller sent as a bare local number. */
  areaCode?: string;
}

export type LookupSource =
  /** The cache answered (and the centre was not asked). */
  | 'cache'
  /** The cache had nobody; the centre answered. */
  | 'centre'
  /** The number is withheld or not a phone number: nobody to look up. */
  | 'none';

export interface CallerLookup {
  /** What the call carried: a number, a SIP URI or a whole From header. */
  raw: string;
  /** The number's normal form (@twinline/customers), or null when withheld / not a number. */
  phone: string | null;
  /** 0: unknown caller; 1; several when the number is shared (the agent picks). Ordered by account. */
  customers: Customer[];
  source: LookupSource;
  /** Something failed on the way (cache or centre); the answer is what could be found without it. */
  error?: string;
}

const DEFAULT_CENTRE_TIMEOUT_MS = 1500;
const DEFAULT_CACHE_TIMEOUT_MS = 250;

function stripRecord(r: CustomerRecord): Customer {
  const { version: _version, deleted: _deleted, ...customer } = r;
  return customer;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Writes customers the centre found into the cache, one call per city, without touching any delta cursor. */
function cacheAnswer(deps: LookupDeps, centre: string, customers: readonly Customer[]): Promise<void> {
  const byCity = new Map<string, Customer[]>();
  for (const c of customers) byCity.set(c.region.city, [...(byCity.get(c.region.city) ?? []), c]);
  return Promise.all(
    [...byCity].map(([city, rows]) => deps.bridge.call('customers.apply', { centre, city, rows, removed: [] })),
  ).then(() => undefined);
}

async function askCentre<T>(deps: LookupDeps, centre: CentreAccess, path: string, parse: (body: unknown) => T) {
  const doFetch = deps.fetch ?? fetch;
  const res = await doFetch(new URL(path, centre.http), {
    headers: { authorization: `Bearer ${centre.token}` },
    signal: AbortSignal.timeout(deps.centreTimeoutMs ?? DEFAULT_CENTRE_TIMEOUT_MS),
    credentials: 'omit',
    cache: 'no-store',
  });
  if (!res.ok) throw new Error(`${centre.name} answered HTTP ${res.status}`);
  return parse(await res.json());
}

const within = (deps: LookupDeps) => (c: Customer) => !deps.cities || deps.cities.includes(c.region.city);

/** Who is calling: the cache first, then (if it has nobody and a centre is reachable) the centre. Never throws. */
export async function lookupCaller(deps: LookupDeps, raw: string): Promise<CallerLookup> {
  const phone = normalisePhone(raw, deps.areaCode ? { areaCode: deps.areaCode } : {});
  if (phone === null) return { raw, phone: null, customers: [], source: 'none' };
  const errors: string[] = [];
  const done = (customers: Customer[], source: LookupSource): CallerLookup => ({
    raw,
    phone,
    customers,
    source,
    ...(errors.length ? { error: errors.join('; ') } : {}),
  });
  // The cache, unless it is slow to answer (the host checks a big file for a few seconds after it starts): then the
  // centre is asked meanwhile, and the cache's answer is still taken if the centre has none.
  const cached = deps.bridge
    .call('customers.byPhone', { phone, ...(deps.cities ? { cities: [...deps.cities] } : {}) })
    .then(
      (r) => r.customers,
      (err: unknown) => {
        errors.push(`cache: ${message(err)}`);
        return [] as Customer[];
      },
    );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), deps.cacheTimeoutMs ?? DEFAULT_CACHE_TIMEOUT_MS);
  });
  const first = await Promise.race([cached, slow]);
  clearTimeout(timer);
  if (first && first.length > 0) return done(first, 'cache');
  if (first === null) errors.push('cache: no answer in time');
  const centre = deps.centre?.() ?? null;
  if (centre) {
    try {
      const answer = await askCentre(
        deps,
        centre,
        `/api/customers/by-phone?phone=${encodeURIComponent(phone)}`,
        (body) => ByPhoneResponseSchema.parse(body),
      );
      const customers = answer.customers
        .filter((r) => !r.deleted)
        .map(stripRecord)
        .filter(within(deps));
      if (customers.length > 0) {
        void cacheAnswer(deps, centre.name, customers).catch(() => undefined);
        return done(customers, 'centre');
      }
      if (first !== null) return done([], 'centre');
    } catch (err) {
      errors.push(`centre: ${message(err)}`);
    }
  }
  // No centre, or it failed or had nobody while the cache was slow: whatever the cache says, however late.
  const late = first ?? (await cached);
  return done(late, 'cache');
}

export interface SearchOptions {
  /** Only this city (one of the readable ones). */
  city?: string;
  /** Default 20, at most 100. */
  limit?: number;
}

/**
 * Quick search for an unknown caller: name, address, account or phone (the centre's rules), in the cache; when the
 * cache finds nobody and a centre is reachable, at the centre (whose finds are then cached). Never throws.
 */
export async function searchCustomers(
  deps: LookupDeps,
  q: string,
  opts: SearchOptions = {},
): Promise<{ customers: Customer[]; source: 'cache' | 'centre'; error?: string }> {
  const query = q.trim();
  if (!query) return { customers: [], source: 'cache' };
  const limit = Math.min(Math.max(1, Math.floor(opts.limit ?? 20)), 100);
  const errors: string[] = [];
  try {
    const found = await deps.bridge.call('customers.search', {
      q: query.slice(0, 100),
      limit,
      ...(opts.city ? { city: opts.city } : {}),
      ...(deps.cities ? { cities: [...deps.cities] } : {}),
    });
    if (found.customers.length > 0) return { customers: found.customers, source: 'cache' };
  } catch (err) {
    errors.push(`cache: ${message(err)}`);
  }
  const centre = deps.centre?.() ?? null;
  if (centre) {
    try {
      const params = new URLSearchParams({ q: query.slice(0, 100), limit: String(limit) });
      if (opts.city) params.set('city', opts.city);
      const answer = await askCentre(deps, centre, `/api/customers/search?${params}`, (body) =>
        SearchResponseSchema.parse(body),
      );
      const customers = answer.customers
        .filter((r) => !r.deleted)
        .map(stripRecord)
        .filter(within(deps));
      if (customers.length > 0) void cacheAnswer(deps, centre.name, customers).catch(() => undefined);
      return { customers, source: 'centre', ...(errors.length ? { error: errors.join('; ') } : {}) };
    } catch (err) {
      errors.push(`centre: ${message(err)}`);
    }
  }
  return { customers: [], source: 'cache', ...(errors.length ? { error: errors.join('; ') } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// The caller's orders on the board

export interface CallerOrders {
  /** Orders still being worked on, newest first. */
  open: BoardRow[];
  /** Closed orders (called back, archived, merged) created within `recentDays`, newest first, at most `limit`. */
  recent: BoardRow[];
}

export interface MatchOptions {
  /** Epoch ms; default Date.now(). */
  now?: number;
  /** Default 30. */
  recentDays?: number;
  /** Most recent orders returned. Default 20. */
  limit?: number;
}

const OPEN = new Set<string>(OPEN_STATES as readonly OrderState[]);
const DAY_MS = 24 * 60 * 60 * 1000;
const newestFirst = (a: BoardRow, b: BoardRow) => b.createdAt - a.createdAt;

/**
 * The board's orders for these customers or from this number: a row matches when its customerAccount is one of the
 * customers' accounts, or its callerNumber, normalised, is the caller's number or one of the customers' numbers.
 * Pass one chosen customer to narrow a shared number to them. One pass over the rows (20,000 take a few ms).
 */
export function matchOrders(
  rows: Iterable<BoardRow>,
  who: { phone: string | null; customers: readonly Customer[] },
  opts: MatchOptions = {},
): CallerOrders {
  const accounts = new Set(who.customers.map((c) => c.account));
  const phones = new Set(who.customers.flatMap((c) => c.phones));
  if (who.phone) phones.add(who.phone);
  // The last 7 digits first (cheap, no string made per row), the full normalisation only for rows that could match.
  const tails = [...new Set([...phones].map((p) => p.slice(-7)))];
  const since = (opts.now ?? Date.now()) - (opts.recentDays ?? 30) * DAY_MS;
  const open: BoardRow[] = [];
  const recent: BoardRow[] = [];
  for (const row of rows) {
    const byAccount = row.customerAccount !== undefined && accounts.has(row.customerAccount);
    const byNumber =
      !byAccount &&
      tails.some((t) => row.callerNumber.endsWith(t)) &&
      phones.has(normalisePhone(row.callerNumber) ?? '');
    if (!byAccount && !byNumber) continue;
    if (OPEN.has(row.state)) open.push(row);
    else if (row.createdAt >= since) recent.push(row);
  }
  return { open: open.sort(newestFirst), recent: recent.sort(newestFirst).slice(0, opts.limit ?? 20) };
}

// ---------------------------------------------------------------------------------------------------------------
// Outage notices: the mass outages on the board (orders of type outage, still on) that cover the caller's place

export interface OutageNotice {
  /** The outage's master order. */
  id: string;
  cause: string;
  /** What the declaring station wrote (the order's description). */
  title: string;
  city: string;
  counties: string[];
  streets: string[];
  /** Declared (epoch ms). */
  startsAt: number;
  /** Expected restoration (epoch ms). */
  endsAt: number;
}

/** Where the caller is: a customer's place (or what the agent typed for an unknown caller). */
export type NoticeQuery = Place;

/** The outages on the board that cover this place, newest first. */
export function activeNotices(rows: Iterable<BoardRow>, where: NoticeQuery): OutageNotice[] {
  const out: OutageNotice[] = [];
  for (const r of rows) {
    if (!r.outage || !isActiveOutage(r) || !areaCovers(r.city, r.outage, where)) continue;
    out.push({
      id: r.id,
      cause: r.outage.cause,
      title: r.description,
      city: r.city,
      counties: r.outage.counties,
      streets: r.outage.streets,
      startsAt: r.createdAt,
      endsAt: r.outage.expectedRestoreAt,
    });
  }
  return out.sort((a, b) => b.startsAt - a.startsAt);
}

// ---------------------------------------------------------------------------------------------------------------
// The whole pop and the new-order form

export interface ScreenPop extends CallerLookup {
  orders: CallerOrders;
  /** Active notices covering any of the customers' addresses, each once. */
  notices: OutageNotice[];
}

export interface ScreenPopDeps extends LookupDeps {
  /** The board's rows (the window's order index): the caller's orders, and the outages on. */
  rows: () => Iterable<BoardRow>;
  match?: MatchOptions;
}

/** Everything the incoming-call card shows, for the caller's number as the INVITE carried it. Never throws. */
export async function screenPop(deps: ScreenPopDeps, raw: string): Promise<ScreenPop> {
  return popDetails(deps, await lookupCaller(deps, raw));
}

/**
 * The rest of the pop once the caller is known: their orders on the board and the notices for their addresses. The
 * card shows the customers first and these after (a pass over the board is not worth delaying who is calling).
 */
export async function popDetails(deps: Omit<ScreenPopDeps, keyof LookupDeps>, who: CallerLookup): Promise<ScreenPop> {
  const orders = matchOrders(deps.rows(), who, deps.match);
  const notices = new Map<string, OutageNotice>();
  for (const c of who.customers) {
    const place = { city: c.region.city, county: c.region.county, address: c.address, servicePoint: c.servicePoint };
    for (const n of activeNotices(deps.rows(), place)) notices.set(n.id, n);
  }
  return { ...who, orders, notices: [...notices.values()] };
}

/** What the new-order form holds for a call: the caller's number, and the customer's name, account and address. */
export function prefillOrder(
  call: { raw: string; phone: string | null },
  customer?: Customer | null,
  opts: { type?: OrderType } = {},
): OrderFormValues {
  const city = customer?.region.city ?? '';
  const form = emptyForm(city);
  if (opts.type) form.type = opts.type;
  // The order wants 3-20 digits: the normal form, or the digits the call carried when it is not a directory number.
  const digits = call.raw.replace(/[^\d+]/g, '');
  form.callerNumber = call.phone ?? (/^\+?\d{3,20}$/.test(digits) ? digits : '');
  if (!customer) return form;
  form.callerName = customer.name.slice(0, 60);
  form.customerAccount = customer.account;
  form.address = customer.address;
  // A county the board does not know is left for the agent to choose.
  if (countyOf(city, customer.region.county)) form.county = customer.region.county;
  return form;
}
