// The customer directory over HTTP, for the console's screen-pop and its cache:
//   GET /api/customers/by-phone?phone=          every customer with this number (several when it is shared)
//   GET /api/customers/by-account?account=      one customer
//   GET /api/customers/search?q=&city=&limit=   quick search for an unknown caller
//   GET /api/customers/delta?city=&since=&limit= a city's changes after a version, for the console's cache
// Bearer token required; a principal sees only the cities whose board it may read (a dispatcher: its own city).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { CITY_IDS, canRead, regionDoc } from '@twinline/board';
import type { Principal } from '@twinline/board';
import { AccountNumberSchema, normalisePhone } from '@twinline/customers';
import type { ByPhoneResponse, DeltaResponse, SearchResponse } from '@twinline/customers';
import { HttpError, readQuery as query, sendJson } from '../http';
import type { CustomerDirectory } from '../storage';

const City = z.enum(CITY_IDS, { error: `must be one of ${CITY_IDS.join(', ')}` });
const ByPhoneQuery = z.object({
  phone: z
    .string()
    .max(200)
    .transform((raw, ctx) => {
      const phone = normalisePhone(raw);
      if (phone === null) ctx.addIssue({ code: 'custom', message: 'not a phone number' });
      return phone ?? '';
    }),
});
const ByAccountQuery = z.object({ account: AccountNumberSchema });
const SearchQuery = z.object({
  q: z.string().trim().min(1, 'must not be empty').max(100),
  city: City.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
const DeltaQuery = z.object({
  city: City,
  since: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});

/** The cities a principal may read, or undefined for all of them. */
function readableCities(p: Principal): string[] | undefined {
  const cities = CITY_IDS.filter((c) => canRead(p, regionDoc(c)));
  return cities.length === CITY_IDS.length ? undefined : cities;
}

function requireCity(p: Principal, city: string): void {
  if (!canRead(p, regionDoc(city))) throw new HttpError(403, `you may not read the customers of ${city}`);
}

export interface CustomerRoutesDeps {
  directory: CustomerDirectory;
  /** The centre's Bearer check: the principal, or HttpError 401. */
  authorise: (req: IncomingMessage) => Promise<Principal>;
}

/** Returns the handler the centre calls for every request: true when it answered (a customer route), else false. */
export function customerRoutes({ directory, authorise }: CustomerRoutesDeps) {
  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!url.pathname.startsWith('/api/customers/')) return false;
    const route = url.pathname.slice('/api/customers/'.length);
    if (!['by-phone', 'by-account', 'search', 'delta'].includes(route)) return false;
    if (req.method !== 'GET') throw new HttpError(405, `${req.method} not allowed on ${url.pathname}`);
    const p = await authorise(req);
    const cities = readableCities(p);

    if (route === 'by-phone') {
      const { phone } = query(url, ByPhoneQuery);
      const body: ByPhoneResponse = { phone, customers: await directory.byPhone(phone, cities) };
      sendJson(res, 200, body);
    } else if (route === 'by-account') {
      const { account } = query(url, ByAccountQuery);
      const found = await directory.byAccount(account);
      if (!found || (cities && !cities.includes(found.region.city))) throw new HttpError(404, `no customer ${account}`);
      sendJson(res, 200, found);
    } else if (route === 'search') {
      const q = query(url, SearchQuery);
      if (q.city) requireCity(p, q.city);
      const within = q.city ? [q.city] : cities;
      const body: SearchResponse = {
        customers: await directory.search(q.q, { limit: q.limit, ...(within ? { cities: within } : {}) }),
      };
      sendJson(res, 200, body);
    } else {
      const q = query(url, DeltaQuery);
      requireCity(p, q.city);
      const body: DeltaResponse = { city: q.city, ...(await directory.delta(q.city, q.since, q.limit)) };
      sendJson(res, 200, body);
    }
    return true;
  };
}
