// A customer as one SQLite row: the columns the centre's directory and the console's customer cache both keep (each
// adds its own: the centre a version and a deleted flag for deltas). The DDL stays in each store's migrations.
import { normalisePhone } from './phone';
import type { Customer } from './schema';

export interface CustomerRow {
  account: string;
  name: string;
  /** JSON array of normalised numbers. */
  phones: string;
  city: string;
  county: string;
  address: string;
  station_id: string;
  service_point: string;
  vip: number;
  sensitive: number;
  lat: number | null;
  lng: number | null;
  note: string | null;
}

/** The shared columns, in the order `customerCells` gives them. */
export const CUSTOMER_COLUMNS =
  'account, name, phones, city, county, address, station_id, service_point, vip, sensitive, lat, lng, note';

export function customerFromRow(r: CustomerRow): Customer {
  const c: Customer = {
    account: r.account,
    name: r.name,
    phones: JSON.parse(r.phones) as string[],
    region: { city: r.city, county: r.county },
    address: r.address,
    stationId: r.station_id,
    servicePoint: r.service_point,
    vip: r.vip === 1,
    sensitive: r.sensitive === 1,
  };
  if (r.lat !== null && r.lng !== null) c.location = { lat: r.lat, lng: r.lng };
  if (r.note !== null) c.note = r.note;
  return c;
}

/** The cells of one customer in CUSTOMER_COLUMNS order (a batch statement reads an array of these via json_each). */
export function customerCells(c: Customer): unknown[] {
  return [
    c.account,
    c.name,
    JSON.stringify(c.phones),
    c.region.city,
    c.region.county,
    c.address,
    c.stationId,
    c.servicePoint,
    c.vip ? 1 : 0,
    c.sensitive ? 1 : 0,
    c.location?.lat ?? null,
    c.location?.lng ?? null,
    c.note ?? null,
  ];
}

/** Shortest term matched anywhere in the name or address (the trigram index needs three characters). */
export const SEARCH_TRIGRAM = 3;

/** The smallest string greater than every string starting with `prefix` (for index range scans). */
export const afterPrefix = (prefix: string) =>
  prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);

export interface SearchClauses {
  where: string[];
  params: (string | number)[];
}

/**
 * The quick search for an unknown caller, one rule set for the centre's directory and the console's cache:
 * whitespace-separated terms, all of which must match; digits (4 or more, or a formatted phone number) match the
 * start of an account number or of a phone; 3 or more other characters match anywhere in the name or address (FTS5
 * trigram when the store has it, else LIKE); 1-2 characters (a surname) match the start of the name.
 * `phoneKey`: the column customer_phones shares with customers (`seq` or `account`). Null when nothing is asked.
 */
export function searchClauses(
  q: string,
  opts: { phoneKey: 'seq' | 'account'; fullText: boolean; cities?: readonly string[] },
): SearchClauses | null {
  let text = q.normalize('NFKC').trim();
  // A phone number typed with spaces or dashes is one term.
  if (/^[\d\s+\-()]+$/.test(text)) text = normalisePhone(text) ?? text.replace(/\D/g, '');
  const terms = text.split(/\s+/u).filter((t) => t.length > 0);
  if (terms.length === 0) return null;
  const where: string[] = [];
  const params: (string | number)[] = [];
  for (const term of terms) {
    if (/^\d{4,}$/.test(term)) {
      where.push(
        `(account >= ? AND account < ? OR ${opts.phoneKey} IN
           (SELECT ${opts.phoneKey} FROM customer_phones WHERE phone >= ? AND phone < ?))`,
      );
      params.push(term, afterPrefix(term), term, afterPrefix(term));
    } else if ([...term].length >= SEARCH_TRIGRAM) {
      if (opts.fullText) {
        where.push('seq IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?)');
        params.push(`"${term.replaceAll('"', '""')}"`);
      } else {
        const like = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        where.push("(name LIKE ? ESCAPE '\\' OR address LIKE ? ESCAPE '\\')");
        params.push(like, like);
      }
    } else {
      where.push('name >= ? AND name < ?');
      params.push(term, afterPrefix(term));
    }
  }
  if (opts.cities) {
    where.push('city IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(opts.cities));
  }
  return { where, params };
}

/**
 * The trigram search index over names and addresses, kept by triggers (created if missing; FTS5 with the trigram
 * tokenizer depends on the SQLite build).
 */
export const CUSTOMERS_FTS = `
  CREATE VIRTUAL TABLE IF NOT EXISTS customers_fts
    USING fts5 (name, address, content = 'customers', content_rowid = 'seq', tokenize = 'trigram');
  CREATE TRIGGER IF NOT EXISTS customers_fts_ai AFTER INSERT ON customers BEGIN
    INSERT INTO customers_fts (rowid, name, address) VALUES (new.seq, new.name, new.address);
  END;
  CREATE TRIGGER IF NOT EXISTS customers_fts_ad AFTER DELETE ON customers BEGIN
    INSERT INTO customers_fts (customers_fts, rowid, name, address) VALUES ('delete', old.seq, old.name, old.address);
  END;
  CREATE TRIGGER IF NOT EXISTS customers_fts_au AFTER UPDATE OF name, address ON customers BEGIN
    INSERT INTO customers_fts (customers_fts, rowid, name, address) VALUES ('delete', old.seq, old.name, old.address);
    INSERT INTO customers_fts (rowid, name, address) VALUES (new.seq, new.name, new.address);
  END;
`;

/** What ensureCustomerSearch needs of a database (the @twinline/sql driver has it). */
export interface SearchIndexDb {
  transaction<T>(
    fn: (tx: { get(sql: string): Promise<unknown>; exec(sql: string): Promise<unknown> }) => Promise<T>,
  ): Promise<T>;
}

/**
 * Creates the search index if missing (filling it from the rows once); false when this SQLite has no FTS5 trigram
 * (search then falls back to LIKE). Any other failure is thrown.
 */
export async function ensureCustomerSearch(db: SearchIndexDb): Promise<boolean> {
  try {
    await db.transaction(async (tx) => {
      const existed = await tx.get("SELECT 1 FROM sqlite_schema WHERE name = 'customers_fts'");
      await tx.exec(CUSTOMERS_FTS);
      if (!existed) await tx.exec("INSERT INTO customers_fts (customers_fts) VALUES ('rebuild')");
    });
    return true;
  } catch (err) {
    if (/no such module|no such tokenizer|fts5|trigram/i.test(String((err as Error | undefined)?.message)))
      return false;
    throw err;
  }
}
