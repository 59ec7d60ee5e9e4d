// The console's copy of the customer directory, for the screen-pop: `<data>/customers.sqlite`, a file of its own
// (a million customers must not make the board cache's quick_check, compaction or a support copy slow, and moving a
// bad board cache aside must not throw away a directory that took minutes to download). The ONLY place the host runs
// SQL on this file. Filled by the console's CustomerSync (desktop/src/browser/customers/sync.ts) from the centres'
// delta endpoint, page by page, through the `customers.apply` bridge operation.
//
// Tables mirror the centre's (sync-server/src/storage/schema.ts, migration 2): the customers, a phone index kept by
// triggers (so it cannot drift from the rows), and a per-city count kept by triggers (status without a scan). What
// differs: the cache has no versions of its own and no tombstones (a removed customer is deleted), and it keeps one
// delta cursor per (centre, city), because the twin centres number their changes independently.
//
// A bad file never stops the console (sqlite-file.ts): it is set aside as `customers.corrupt-<time>.sqlite` and a
// fresh, empty cache is opened; the sync then downloads the directory again in the background.
import { isCityId } from '@twinline/board';
import {
  CUSTOMER_COLUMNS,
  customerCells,
  customerFromRow,
  ensureCustomerSearch,
  normalisePhone,
  searchClauses,
} from '@twinline/customers';
import type { Customer, CustomerRow } from '@twinline/customers';
import { openDatabase } from '@twinline/sql';
import type { SqlDriver, SqlValue } from '@twinline/sql';
import { MAX_AREA_POINTS } from '../../common/bridge';
import { openRecoverable } from './sqlite-file';
import type { OpenRecoverableOptions } from './sqlite-file';

export const CUSTOMERS_FILE = 'customers.sqlite';

/** Append-only: never edit or reorder a released step, add a new one. */
const MIGRATIONS = [
  `CREATE TABLE customers (
     seq           INTEGER PRIMARY KEY,
     account       TEXT NOT NULL UNIQUE,
     name          TEXT NOT NULL,
     phones        TEXT NOT NULL, -- JSON array of normalised numbers
     city          TEXT NOT NULL,
     county        TEXT NOT NULL,
     address       TEXT NOT NULL,
     station_id    TEXT NOT NULL,
     service_point TEXT NOT NULL,
     vip           INTEGER NOT NULL,
     sensitive     INTEGER NOT NULL,
     lat           REAL,
     lng           REAL,
     note          TEXT
   );
   CREATE INDEX customers_name ON customers (name);

   -- The screen-pop's index: one entry per (number, customer). A number may belong to several customers.
   CREATE TABLE customer_phones (
     phone TEXT NOT NULL,
     seq   INTEGER NOT NULL,
     PRIMARY KEY (phone, seq)
   ) WITHOUT ROWID;
   CREATE TRIGGER customers_phones_ai AFTER INSERT ON customers BEGIN
     INSERT OR IGNORE INTO customer_phones (phone, seq) SELECT value, new.seq FROM json_each(new.phones);
   END;
   CREATE TRIGGER customers_phones_au AFTER UPDATE OF phones ON customers BEGIN
     DELETE FROM customer_phones WHERE seq = old.seq AND phone IN (SELECT value FROM json_each(old.phones));
     INSERT OR IGNORE INTO customer_phones (phone, seq) SELECT value, new.seq FROM json_each(new.phones);
   END;
   CREATE TRIGGER customers_phones_ad AFTER DELETE ON customers BEGIN
     DELETE FROM customer_phones WHERE seq = old.seq AND phone IN (SELECT value FROM json_each(old.phones));
   END;

   -- Customers per city, for customers.status without counting a million rows.
   CREATE TABLE customer_cities (city TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID;
   CREATE TRIGGER customers_cities_ai AFTER INSERT ON customers BEGIN
     INSERT INTO customer_cities (city, count) VALUES (new.city, 1)
       ON CONFLICT (city) DO UPDATE SET count = count + 1;
   END;
   CREATE TRIGGER customers_cities_au AFTER UPDATE OF city ON customers WHEN old.city IS NOT new.city BEGIN
     UPDATE customer_cities SET count = count - 1 WHERE city = old.city;
     INSERT INTO customer_cities (city, count) VALUES (new.city, 1)
       ON CONFLICT (city) DO UPDATE SET count = count + 1;
   END;
   CREATE TRIGGER customers_cities_ad AFTER DELETE ON customers BEGIN
     UPDATE customer_cities SET count = count - 1 WHERE city = old.city;
   END;

   -- Where the delta stands, per centre and city: the twins' version numbers are unrelated.
   CREATE TABLE customer_cursors (
     centre       TEXT NOT NULL,
     city         TEXT NOT NULL,
     version      INTEGER NOT NULL,
     synced_at    INTEGER NOT NULL, -- epoch ms of the last page applied
     caught_up_at INTEGER,          -- epoch ms of the last page that was the end of the delta
     PRIMARY KEY (centre, city)
   ) WITHOUT ROWID;`,
  // The outage drawing (customers.inArea): a county's customers without reading the whole city (or province).
  `CREATE INDEX customers_area ON customers (city, county);`,
];

export interface CustomerApply {
  centre: string;
  city: string;
  /** Customers to insert or replace (by account); all of `city`. */
  rows: readonly Customer[];
  /** Accounts the centre removed. */
  removed: readonly string[];
  /** The delta's nextVersion for (centre, city); absent for rows that did not come from the delta (a by-phone answer). */
  nextVersion?: number;
  /** The page was the end of the delta (the centre said `more: false`). */
  caughtUp?: boolean;
}

export interface ApplyResult {
  /** Customers inserted or changed (an identical row is left alone). */
  changed: number;
  /** Customers deleted. */
  removed: number;
  /** Customers of the city in the cache afterwards. */
  count: number;
}

export interface CustomerCursor {
  centre: string;
  version: number;
  /** Epoch ms of the last page applied from this centre. */
  syncedAt: number;
  /** Epoch ms of the last time the city was fully caught up at this centre. */
  caughtUpAt?: number;
}

export interface CustomerCityStatus {
  city: string;
  count: number;
  cursors: CustomerCursor[];
}

export interface CustomerCacheStatus {
  file: string;
  recoveredFrom?: string;
  recoveryReason?: string;
  /** Whether quick search has the trigram index (false: LIKE over name and address). */
  fullText: boolean;
  customers: number;
  cities: CustomerCityStatus[];
}

export interface CustomerSearch {
  limit?: number;
  /** Only these cities (the user's readable ones); all when absent. */
  cities?: readonly string[];
}

/**
 * The customers of some counties as points for the outage drawing, column by column (a county can have tens of
 * thousands): customer i is accounts[i] at (lat[i], lng[i]) on service point servicePoints[servicePoint[i]].
 */
export interface AreaPoints {
  /** Customers of these counties in the cache, with a location or not. */
  total: number;
  /** 1: every customer of the area is here; k > 1: about one in k (the area had more than the limit). */
  step: number;
  /** Customers (of those read) left out because the cache has no location for them. */
  withoutLocation: number;
  /** The distinct service points (台区) of the points. */
  servicePoints: string[];
  accounts: string[];
  lat: number[];
  lng: number[];
  servicePoint: number[];
}

export interface CustomerStore {
  readonly file: string;
  /** One transaction: rows, removals and the cursor together, so a crash never leaves a cursor ahead of its rows. */
  apply(change: CustomerApply): Promise<ApplyResult>;
  /** The normalised number (null when `phone` is not a number) and every customer with it, by account. */
  byPhone(phone: string, opts?: CustomerSearch): Promise<{ phone: string | null; customers: Customer[] }>;
  search(q: string, opts?: CustomerSearch): Promise<Customer[]>;
  /** The customers of `counties` of `city` as points (at most `limit`, evenly thinned beyond it). */
  inArea(city: string, counties: readonly string[], opts?: { limit?: number }): Promise<AreaPoints>;
  status(): Promise<CustomerCacheStatus>;
  close(): Promise<void>;
}

export interface OpenCustomerStoreOptions {
  onRecovered?: OpenRecoverableOptions['onRecovered'];
  /** The check at open (default 'quick': reads every page, about a second per few hundred MB). */
  integrityCheck?: 'quick' | 'full' | 'none';
  /**
   * SQLite page cache of the connection, KiB. Default 64 MiB: the phone, name, account and trigram indexes take
   * rows in random key order, and a first download of a million customers was about 16% faster than with SQLite's
   * 2 MiB default (83 s against 99 s on the 2-core test machine). Pages are taken only as they are touched.
   */
  cacheKiB?: number;
}

const DEFAULT_CACHE_KIB = 64 * 1024;
const READER_CACHE_KIB = 16 * 1024;

/** Customers a number can hold (a landlord's number given by many tenants); more are not returned. */
export const MAX_PER_PHONE = 50;

type Row = CustomerRow;

const COLUMNS = CUSTOMER_COLUMNS;
const C_COLUMNS = COLUMNS.replace(/(\w+)/g, 'c.$1');

const toCustomer = customerFromRow;

const toCells = customerCells;

// One statement per page (as the centre's import): the rows arrive as one JSON array. A row identical to the cached
// one is left alone, so a full resync at the twin rewrites only what differs.
const UPSERT = `
  INSERT INTO customers (${COLUMNS})
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7,
         value ->> 8, value ->> 9, value ->> 10, value ->> 11, value ->> 12
  FROM json_each(?) WHERE true
  ON CONFLICT (account) DO UPDATE SET
    name = excluded.name, phones = excluded.phones, city = excluded.city, county = excluded.county,
    address = excluded.address, station_id = excluded.station_id, service_point = excluded.service_point,
    vip = excluded.vip, sensitive = excluded.sensitive, lat = excluded.lat, lng = excluded.lng, note = excluded.note
  WHERE (name, phones, city, county, address, station_id, service_point, vip, sensitive, lat, lng, note)
    IS NOT (excluded.name, excluded.phones, excluded.city, excluded.county, excluded.address, excluded.station_id,
            excluded.service_point, excluded.vip, excluded.sensitive, excluded.lat, excluded.lng, excluded.note)`;

const byAccount = (a: Customer, b: Customer) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0);
const clampInt = (v: number | undefined, fallback: number, min: number, max: number) =>
  Math.min(Math.max(Number.isFinite(v) ? Math.floor(v as number) : fallback, min), max);

export async function openCustomerStore(dir: string, opts: OpenCustomerStoreOptions = {}): Promise<CustomerStore> {
  const { db, recoveredFrom, recoveryReason } = await openRecoverable(dir, CUSTOMERS_FILE, MIGRATIONS, {
    onRecovered: opts.onRecovered,
    sqlite: { integrityCheck: opts.integrityCheck ?? 'quick' },
  });
  await db.exec(`PRAGMA cache_size = -${Math.max(64, Math.floor(opts.cacheKiB ?? DEFAULT_CACHE_KIB))}`);
  let fullText: boolean;
  try {
    fullText = await ensureCustomerSearch(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  // Lookups get a connection of their own: in WAL mode a reader never waits for the writer, so a screen-pop is not
  // held up by a page of the sync being written (a 2,000-row page takes a few hundred ms with a million customers).
  let reader = db;
  if (db.file !== ':memory:') {
    try {
      reader = await openDatabase(db.file, { integrityCheck: 'none' });
      await reader.exec('PRAGMA query_only = 1');
      await reader.exec(`PRAGMA cache_size = -${READER_CACHE_KIB}`);
    } catch {
      reader = db; // one connection for everything still works, only lookups may wait for a write
    }
  }
  return new SqliteCustomerStore(db, reader, fullText, recoveredFrom, recoveryReason);
}

class SqliteCustomerStore implements CustomerStore {
  readonly file: string;
  constructor(
    /** The writer: apply only. */
    private readonly db: SqlDriver,
    /** Lookups, search and status (the writer itself when the store is in memory). */
    private readonly reader: SqlDriver,
    private readonly fullText: boolean,
    private readonly recoveredFrom: string | undefined,
    private readonly recoveryReason: string | undefined,
  ) {
    this.file = db.file;
  }

  async apply(change: CustomerApply): Promise<ApplyResult> {
    if (!isCityId(change.city)) throw new RangeError(`unknown city ${JSON.stringify(change.city)}`);
    const wrong = change.rows.find((c) => c.region.city !== change.city);
    if (wrong) throw new RangeError(`customer ${wrong.account} is of ${wrong.region.city}, not ${change.city}`);
    // In account order the unique index takes the page in one sweep instead of one random page per row.
    const rows = [...change.rows].sort(byAccount);
    const now = Date.now();
    return this.db.transaction(async (tx) => {
      let removed = 0;
      if (change.removed.length > 0) {
        const r = await tx.run('DELETE FROM customers WHERE account IN (SELECT value FROM json_each(?))', [
          JSON.stringify(change.removed),
        ]);
        removed = r.changes;
      }
      const changed = rows.length ? (await tx.run(UPSERT, [JSON.stringify(rows.map(toCells))])).changes : 0;
      if (change.nextVersion !== undefined) {
        await tx.run(
          `INSERT INTO customer_cursors (centre, city, version, synced_at, caught_up_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (centre, city) DO UPDATE SET version = excluded.version, synced_at = excluded.synced_at,
             caught_up_at = coalesce(excluded.caught_up_at, caught_up_at)`,
          [change.centre, change.city, change.nextVersion, now, change.caughtUp ? now : null],
        );
      }
      const count = await tx.get<{ count: number }>('SELECT count FROM customer_cities WHERE city = ?', [change.city]);
      return { changed, removed, count: count?.count ?? 0 };
    });
  }

  async byPhone(phone: string, opts: CustomerSearch = {}): Promise<{ phone: string | null; customers: Customer[] }> {
    const normal = normalisePhone(phone);
    if (normal === null) return { phone: null, customers: [] };
    const params: SqlValue[] = [normal];
    let where = '';
    if (opts.cities) {
      where = 'AND c.city IN (SELECT value FROM json_each(?))';
      params.push(JSON.stringify(opts.cities));
    }
    params.push(clampInt(opts.limit, MAX_PER_PHONE, 1, MAX_PER_PHONE));
    const rows = await this.reader.all<Row>(
      `SELECT ${C_COLUMNS} FROM customer_phones p JOIN customers c ON c.seq = p.seq
       WHERE p.phone = ? ${where} ORDER BY c.account LIMIT ?`,
      params,
    );
    return { phone: normal, customers: rows.map(toCustomer) };
  }

  /**
   * Quick search for an unknown caller, with the centre's rules (sync-server/src/storage/customers.ts) so an agent
   * gets the same answers offline: whitespace-separated terms, all of which must match; digits (4 or more, or a
   * formatted phone number) match the start of an account number or of a phone; 3 or more other characters match
   * anywhere in the name or address; 1-2 characters (a surname) match the start of the name.
   */
  async search(q: string, opts: CustomerSearch = {}): Promise<Customer[]> {
    const limit = clampInt(opts.limit, 20, 1, 100);
    const clauses = searchClauses(q, {
      phoneKey: 'seq',
      fullText: this.fullText,
      ...(opts.cities ? { cities: opts.cities } : {}),
    });
    if (!clauses) return [];
    const { where, params } = clauses;
    params.push(limit);
    const rows = await this.reader.all<Row>(
      `SELECT ${COLUMNS} FROM customers WHERE ${where.join(' AND ')} LIMIT ?`,
      params,
    );
    return rows.map(toCustomer);
  }

  async inArea(city: string, counties: readonly string[], opts: { limit?: number } = {}): Promise<AreaPoints> {
    const limit = clampInt(opts.limit, MAX_AREA_POINTS, 1, MAX_AREA_POINTS);
    const where = 'city = ? AND county IN (SELECT value FROM json_each(?))';
    const params: SqlValue[] = [city, JSON.stringify(counties)];
    // Counted from the (city, county) index alone; beyond the limit, every k-th customer by seq (also read from the
    // index), so a thinned area still covers all of its counties rather than the first few.
    const counted = await this.reader.get<{ n: number }>(`SELECT count(*) AS n FROM customers WHERE ${where}`, params);
    const total = counted?.n ?? 0;
    const step = Math.max(1, Math.ceil(total / limit));
    // One row back, the columns as JSON arrays built by SQLite: a county's 20,000 rows as objects through the driver
    // cost more than the query.
    const placed = 'FILTER (WHERE lat IS NOT NULL AND lng IS NOT NULL)';
    const got = await this.reader.get<{
      placeless: number | null;
      accounts: string;
      lat: string;
      lng: string;
      sp: string;
    }>(
      `SELECT sum(lat IS NULL OR lng IS NULL) AS placeless, json_group_array(account) ${placed} AS accounts,
              json_group_array(lat) ${placed} AS lat, json_group_array(lng) ${placed} AS lng,
              json_group_array(service_point) ${placed} AS sp
       FROM (SELECT account, lat, lng, service_point FROM customers WHERE ${where} AND seq % ? = 0 LIMIT ?)`,
      [...params, step, limit],
    );
    const servicePoints: string[] = [];
    const spIndex = new Map<string, number>();
    const servicePoint = (got ? (JSON.parse(got.sp) as string[]) : []).map((sp) => {
      let i = spIndex.get(sp);
      if (i === undefined) spIndex.set(sp, (i = servicePoints.push(sp) - 1));
      return i;
    });
    return {
      total,
      step,
      withoutLocation: got?.placeless ?? 0,
      servicePoints,
      accounts: got ? (JSON.parse(got.accounts) as string[]) : [],
      lat: got ? (JSON.parse(got.lat) as number[]) : [],
      lng: got ? (JSON.parse(got.lng) as number[]) : [],
      servicePoint,
    };
  }

  async status(): Promise<CustomerCacheStatus> {
    // One statement, so the counts and the cursors are of the same moment (an apply may commit meanwhile).
    const rows = await this.reader.all<{
      kind: 'count' | 'cursor';
      city: string;
      n: number;
      centre: string | null;
      synced_at: number | null;
      caught_up_at: number | null;
    }>(
      `SELECT 'count' AS kind, city, count AS n, NULL AS centre, NULL AS synced_at, NULL AS caught_up_at
         FROM customer_cities WHERE count > 0
       UNION ALL
       SELECT 'cursor', city, version, centre, synced_at, caught_up_at FROM customer_cursors
       ORDER BY 1, 2, 4`,
    );
    const cities = new Map<string, CustomerCityStatus>();
    const slot = (city: string) => {
      let s = cities.get(city);
      if (!s) cities.set(city, (s = { city, count: 0, cursors: [] }));
      return s;
    };
    for (const r of rows) {
      if (r.kind === 'count') {
        slot(r.city).count = r.n;
        continue;
      }
      const cursor: CustomerCursor = { centre: r.centre!, version: r.n, syncedAt: r.synced_at! };
      if (r.caught_up_at !== null) cursor.caughtUpAt = r.caught_up_at;
      slot(r.city).cursors.push(cursor);
    }
    const list = [...cities.values()].sort((a, b) => (a.city < b.city ? -1 : a.city > b.city ? 1 : 0));
    const status: CustomerCacheStatus = {
      file: this.file,
      fullText: this.fullText,
      customers: list.reduce((n, c) => n + c.count, 0),
      cities: list,
    };
    if (this.recoveredFrom !== undefined) status.recoveredFrom = this.recoveredFrom;
    if (this.recoveryReason !== undefined) status.recoveryReason = this.recoveryReason;
    return status;
  }

  async close(): Promise<void> {
    if (this.reader !== this.db) await this.reader.close();
    await this.db.close();
  }
}
