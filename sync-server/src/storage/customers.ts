// The centre's customer directory (screen-pop): customers, an index of their phone numbers, a change counter for the
// consoles' delta sync, quick search, and streaming CSV import. Tables: migration 2 in schema.ts; full-text index:
// @twinline/customers' CUSTOMERS_FTS, shared with the console's cache (like the archive's, it depends on the SQLite
// build).
import { parse } from 'csv-parse';
import type { CsvError } from 'csv-parse';
import { isCityId } from '@twinline/board';
import {
  CUSTOMER_COLUMNS,
  CustomerSchema,
  checkCsvHeader,
  customerCells,
  customerFromCsv,
  customerFromRow,
  ensureCustomerSearch,
  normalisePhone,
  searchClauses,
} from '@twinline/customers';
import type { CsvReadOptions, Customer, CustomerRecord, CustomerRow } from '@twinline/customers';
import type { SqlDriver, SqlValue } from '@twinline/sql';

export interface CustomerSearchOptions {
  /** Default 20, at most 200. */
  limit?: number;
  /** Only customers of these cities (a dispatcher's own); all when absent. */
  cities?: readonly string[];
}

export interface CustomerDelta {
  rows: CustomerRecord[];
  /** The version of the last row returned, or `since` when there was none: pass it as the next `since`. */
  nextVersion: number;
  /** The page was full; there may be more. */
  more: boolean;
}

export interface UpsertResult {
  /** Rows inserted or changed (each got a new version). */
  changed: number;
  /** Rows identical to what was stored (left alone, no new version). */
  unchanged: number;
}

export interface RejectedRow {
  /** 1-based line of the file (the header is line 1). */
  line: number;
  errors: string[];
}

export interface ImportSummary {
  /** Data records read (not counting the header and empty lines). */
  rows: number;
  /** Rows that passed validation (with dryRun: would be written). */
  valid: number;
  /** Valid rows written: new customers plus changed ones. */
  changed: number;
  /** Valid rows identical to the stored customer. */
  unchanged: number;
  /** Invalid rows: skipped, never partly written. */
  rejectedCount: number;
  /** The first `maxReported` rejected rows with their line numbers and reasons. */
  rejected: RejectedRow[];
  /** Transactions committed. */
  batches: number;
  ms: number;
}

export interface ImportOptions extends CsvReadOptions {
  /** Rows per transaction. Default 20,000. */
  batchSize?: number;
  /** Rejected rows listed in the summary (all are counted). Default 1000. */
  maxReported?: number;
  /** Validate only: read and check every row, write nothing. */
  dryRun?: boolean;
  /** Called after each committed batch. */
  onProgress?: (summary: Readonly<ImportSummary>) => void;
}

/** The file cannot be read as a customer CSV at all (bad header, broken quoting): nothing after this point was written. */
export class CustomerCsvError extends Error {
  override readonly name = 'CustomerCsvError';
  constructor(
    message: string,
    readonly line: number | undefined,
    /** Batches committed before the error (an import stopped part-way keeps whole batches only; re-run it). */
    readonly summary: ImportSummary,
  ) {
    super(message);
  }
}

/** A customer as the directory stores it: the schema plus a known city (one of the board's nine). */
export const StoredCustomerSchema = CustomerSchema.refine((c) => isCityId(c.region.city), {
  message: 'not one of the nine cities',
  path: ['region', 'city'],
});

interface Row extends CustomerRow {
  version: number;
  deleted: number;
}

const COLUMNS = `${CUSTOMER_COLUMNS}, version, deleted`;

function toRecord(r: Row): CustomerRecord {
  return { ...customerFromRow(r), version: r.version, deleted: r.deleted === 1 };
}

const toCells = customerCells;

// One statement per batch: the rows arrive as one JSON array (far fewer round trips through the driver than a
// statement per row). A row identical to the stored one is left alone, so re-importing a file raises no versions.
const UPSERT = `
  INSERT INTO customers (${COLUMNS})
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7,
         value ->> 8, value ->> 9, value ->> 10, value ->> 11, value ->> 12, ? + key + 1, 0
  FROM json_each(?) WHERE true
  ON CONFLICT (account) DO UPDATE SET
    name = excluded.name, phones = excluded.phones, city = excluded.city, county = excluded.county,
    address = excluded.address, station_id = excluded.station_id, service_point = excluded.service_point,
    vip = excluded.vip, sensitive = excluded.sensitive, lat = excluded.lat, lng = excluded.lng, note = excluded.note,
    version = excluded.version, deleted = 0
  WHERE (name, phones, city, county, address, station_id, service_point, vip, sensitive, lat, lng, note, deleted)
    IS NOT (excluded.name, excluded.phones, excluded.city, excluded.county, excluded.address, excluded.station_id,
            excluded.service_point, excluded.vip, excluded.sensitive, excluded.lat, excluded.lng, excluded.note, 0)`;

/** Page cache of the connection while a CSV import runs (KiB). */
const IMPORT_CACHE_KIB = 256 * 1024;
const clampInt = (v: number | undefined, fallback: number, min: number, max: number) =>
  Math.min(Math.max(Number.isFinite(v) ? Math.floor(v as number) : fallback, min), max);
/** The smallest string greater than every string starting with `prefix` (for index range scans). */

export class CustomerDirectory {
  private constructor(
    private readonly db: SqlDriver,
    /** Whether search uses the FTS5 trigram index (false: LIKE only). */
    readonly fullText: boolean,
  ) {}

  static async open(db: SqlDriver): Promise<CustomerDirectory> {
    const fullText = await ensureCustomerSearch(db);
    return new CustomerDirectory(db, fullText);
  }

  /** Inserts or updates by account, all in one transaction. Every customer is validated first; one bad one throws. */
  async upsert(customers: readonly Customer[]): Promise<UpsertResult> {
    return this.write(customers.map((c) => StoredCustomerSchema.parse(c)));
  }

  /** upsert() for customers already validated against StoredCustomerSchema. */
  private async write(parsed: readonly Customer[]): Promise<UpsertResult> {
    if (parsed.length === 0) return { changed: 0, unchanged: 0 };
    const json = JSON.stringify(parsed.map(toCells));
    const changed = await this.db.transaction(async (tx) => {
      const base = (await tx.get<{ version: number }>('SELECT version FROM customer_versions WHERE id = 1'))!.version;
      const { changes } = await tx.run(UPSERT, [base, json]);
      if (changes > 0) await tx.run('UPDATE customer_versions SET version = ? WHERE id = 1', [base + parsed.length]);
      return changes;
    });
    return { changed, unchanged: parsed.length - changed };
  }

  /** Marks customers removed: they leave lookups and search, and reach the consoles as tombstones by delta. */
  async remove(accounts: readonly string[]): Promise<number> {
    if (accounts.length === 0) return 0;
    return this.db.transaction(async (tx) => {
      const base = (await tx.get<{ version: number }>('SELECT version FROM customer_versions WHERE id = 1'))!.version;
      const { changes } = await tx.run(
        `UPDATE customers SET deleted = 1, version = ? + (SELECT key FROM json_each(?2) WHERE value = account) + 1
         WHERE deleted = 0 AND account IN (SELECT value FROM json_each(?2))`,
        [base, JSON.stringify(accounts)],
      );
      await tx.run('UPDATE customer_versions SET version = ? WHERE id = 1', [base + accounts.length]);
      return changes;
    });
  }

  /** Customers whose phones include this number (normalised first); several when a number is shared. */
  async byPhone(phone: string, cities?: readonly string[]): Promise<CustomerRecord[]> {
    const normal = normalisePhone(phone);
    if (normal === null) return [];
    const rows = await this.db.all<Row>(
      `SELECT ${COLUMNS.replace(/(\w+)/g, 'c.$1')} FROM customer_phones p JOIN customers c ON c.account = p.account
       WHERE p.phone = ? AND c.deleted = 0 ${cities ? 'AND c.city IN (SELECT value FROM json_each(?))' : ''}
       ORDER BY c.account`,
      cities ? [normal, JSON.stringify(cities)] : [normal],
    );
    return rows.map(toRecord);
  }

  async byAccount(account: string): Promise<CustomerRecord | null> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM customers WHERE account = ? AND deleted = 0`, [account]);
    return row ? toRecord(row) : null;
  }

  /**
   * Quick search for an unknown caller. Whitespace-separated terms, all of which must match: digits (4 or more, or a
   * formatted phone number) match the start of an account number or of a phone; 3 or more other characters match
   * anywhere in the name or address; 1-2 characters (a surname, a short name) match the start of the name.
   */
  async search(q: string, opts: CustomerSearchOptions = {}): Promise<CustomerRecord[]> {
    const limit = clampInt(opts.limit, 20, 1, 200);
    const clauses = searchClauses(q, {
      phoneKey: 'account',
      fullText: this.fullText,
      ...(opts.cities ? { cities: opts.cities } : {}),
    });
    if (!clauses) return [];
    const where = ['deleted = 0', ...clauses.where];
    const params: SqlValue[] = clauses.params;
    params.push(limit);
    const rows = await this.db.all<Row>(
      `SELECT ${COLUMNS} FROM customers WHERE ${where.join(' AND ')} LIMIT ?`,
      params,
    );
    return rows.map(toRecord);
  }

  /** A city's customers changed (or removed) after version `since`, oldest change first, at most `limit`. */
  async delta(city: string, since: number, limit = 1000): Promise<CustomerDelta> {
    const n = clampInt(limit, 1000, 1, 10_000);
    const rows = await this.db.all<Row>(
      `SELECT ${COLUMNS} FROM customers WHERE city = ? AND version > ? ORDER BY version LIMIT ?`,
      [city, Math.max(0, Math.floor(since)), n],
    );
    return {
      rows: rows.map(toRecord),
      nextVersion: rows.length ? rows[rows.length - 1]!.version : Math.max(0, Math.floor(since)),
      more: rows.length === n,
    };
  }

  /** Live customers, indexed numbers, and the directory's latest version. */
  async stats(): Promise<{ customers: number; phones: number; version: number }> {
    const row = await this.db.get<{ customers: number; phones: number; version: number }>(
      `SELECT (SELECT count(*) FROM customers WHERE deleted = 0) AS customers,
              (SELECT count(*) FROM customer_phones) AS phones,
              (SELECT version FROM customer_versions WHERE id = 1) AS version`,
    );
    return row!;
  }

  /**
   * Streams a customer CSV (the @twinline/customers column contract) into the directory: upserts by account, one
   * transaction per batch. Bad rows are skipped and reported with their line numbers; a row is written whole or not
   * at all. A file that cannot be read as CSV (bad header, broken quoting) rejects with CustomerCsvError.
   */
  async importCsv(input: AsyncIterable<Buffer | string>, opts: ImportOptions = {}): Promise<ImportSummary> {
    const started = performance.now();
    const batchSize = clampInt(opts.batchSize, 20_000, 1, 100_000);
    const maxReported = clampInt(opts.maxReported, 1000, 0, 1_000_000);
    const summary: ImportSummary = {
      rows: 0,
      valid: 0,
      changed: 0,
      unchanged: 0,
      rejectedCount: 0,
      rejected: [],
      batches: 0,
      ms: 0,
    };
    const reject = (line: number, errors: string[]) => {
      summary.rejectedCount++;
      if (summary.rejected.length < maxReported) summary.rejected.push({ line, errors });
    };
    // Set before the parser starts reading (its errors need the loop below listening). Big transactions with a big
    // page cache: the indexes (account, name, phones) take rows in random key order, and every transaction rewrites
    // each page it touched.
    const cache = await this.db.get<{ cache_size: number }>('PRAGMA cache_size');
    await this.db.exec(`PRAGMA cache_size = -${IMPORT_CACHE_KIB}`);
    let headerProblems: string[] = [];
    let headerLength = 0;
    const parser = parse({
      bom: true,
      info: true,
      trim: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      columns: (header: string[]) => {
        headerProblems = checkCsvHeader(header);
        if (headerProblems.length) throw new Error(`bad header: ${headerProblems.join('; ')}`);
        headerLength = header.length;
        return header.map((h) => h.trim());
      },
      on_skip: (err: CsvError | undefined) => {
        summary.rows++;
        const line = Number(err?.lines ?? 0);
        const record = (err as { record?: unknown[] } | undefined)?.record;
        reject(line, [
          /^CSV_RECORD_INCONSISTENT/.test(String(err?.code)) && Array.isArray(record)
            ? `wrong number of cells: ${record.length}, the header has ${headerLength}`
            : String(err?.message),
        ]);
      },
    });
    const source = (async () => {
      for await (const chunk of input) if (!parser.write(chunk)) await new Promise((r) => parser.once('drain', r));
      parser.end();
    })();
    source.catch((err: unknown) => parser.destroy(err as Error));

    // A batch's transaction runs on SQLite's thread while the next batch is parsed and validated here.
    let batch: Customer[] = [];
    let writing: Promise<void> = Promise.resolve();
    const failed: { error?: unknown } = {};
    const flush = async () => {
      await writing;
      if ('error' in failed) throw failed.error;
      if (batch.length === 0) return;
      const rows = batch;
      batch = [];
      const done = (r: UpsertResult) => {
        summary.changed += r.changed;
        summary.unchanged += r.unchanged;
        if (!opts.dryRun) summary.batches++;
        summary.ms = Math.round(performance.now() - started);
        opts.onProgress?.(summary);
      };
      summary.valid += rows.length;
      if (opts.dryRun) return done({ changed: 0, unchanged: 0 });
      // In account order, the unique index takes the batch in one sweep instead of one random page per row.
      rows.sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
      writing = this.write(rows).then(done, (error: unknown) => void (failed.error = error));
    };
    try {
      for await (const { record, info } of parser as AsyncIterable<{
        record: Record<string, string>;
        info: { lines: number };
      }>) {
        summary.rows++;
        const result = customerFromCsv(record, opts);
        if (!result.ok) reject(info.lines, result.errors);
        else if (!isCityId(result.customer.region.city)) reject(info.lines, ['city: not one of the nine cities']);
        else {
          batch.push(result.customer);
          if (batch.length >= batchSize) await flush();
        }
      }
      await source;
      await flush();
      await writing;
      if ('error' in failed) throw failed.error;
    } catch (err) {
      summary.ms = Math.round(performance.now() - started);
      const e = err as CsvError & { lines?: number };
      // Only the file's own faults become CustomerCsvError; a database or input-stream failure stays what it is.
      if (!headerProblems.length && !String(e.code ?? '').startsWith('CSV_')) throw err;
      const line = typeof e.lines === 'number' ? e.lines : undefined;
      const message = headerProblems.length
        ? `not a customer CSV: ${headerProblems.join('; ')}`
        : `${e.message ?? String(err)}${line ? ` (line ${line})` : ''}`;
      throw new CustomerCsvError(message, line, summary);
    } finally {
      await writing;
      await this.db.exec(`PRAGMA cache_size = ${cache?.cache_size ?? -2000}`);
    }
    summary.ms = Math.round(performance.now() - started);
    // The parser reports broken records as it reads, ahead of the records still being validated: put them in order.
    summary.rejected.sort((a, b) => a.line - b.line);
    return summary;
  }
}
