// The centre's one storage module: every SQL statement the centre runs lives under this folder.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { migrate, openDatabase } from '@twinline/sql';
import { Accounts } from './accounts';
import type { Account } from './accounts';
import { Archive } from './archive';
import { CallStore } from './calls';
import { CrewStore } from './crews';
import { CustomerDirectory } from './customers';
import type { ArchiveHit, ArchiveQuery, ArchiveRecord, ArchivedOrderJson } from './archive';
import { MIGRATIONS } from './schema';
import { UpdateLog } from './updates';
import type { CompactResult, DocStats } from './updates';

export interface CentreStorageOptions {
  /** Compact a doc in the background once its update log passes this many rows. Default 500. */
  compactEvery?: number;
  /** Where background failures (auto-compaction) are reported. Default: console.error. */
  onBackgroundError?: (err: unknown) => void;
}

export interface CentreStorage {
  /** The SQLite file (`<dir>/centre.sqlite`). */
  readonly file: string;
  /** True when archive search uses the FTS5 trigram index (false: LIKE only). */
  readonly fullTextSearch: boolean;

  /** Resolves once the update is committed. Concurrent appends are group-committed, in call order. */
  appendUpdate(doc: string, update: Uint8Array): Promise<void>;
  /** Every stored update of `doc`, oldest first (after compaction: the compacted state, then later updates). */
  loadUpdates(doc: string): Promise<Uint8Array[]>;
  listDocs(): Promise<string[]>;
  /** Replaces the doc's rows with one Y.encodeStateAsUpdate row, in one transaction; later appends survive. */
  compact(doc: string): Promise<CompactResult>;
  stats(doc: string): Promise<DocStats>;

  upsertAccount(account: Account, password: string): Promise<Account>;
  verifyLogin(username: string, password: string): Promise<Account | null>;
  getAccount(username: string): Promise<Account | null>;
  listAccounts(): Promise<Account[]>;

  /** Upserts by id. */
  archiveOrders(records: readonly ArchiveRecord[]): Promise<void>;
  /** Newest first; `text` terms are substring matches (Chinese included). */
  searchArchive(query?: ArchiveQuery): Promise<ArchiveHit[]>;
  /** The folded orders of `city` archived in [fromMs, toMs), oldest first, in pages (figures over a period). */
  archivedBetween(city: string, fromMs: number, toMs: number): AsyncIterable<ArchivedOrderJson[]>;

  /** The customer directory for screen-pop (lookup by phone, search, delta, CSV import). */
  readonly customers: CustomerDirectory;
  /** Agent state events, calls and routing decisions (the call centre, sync-server/src/calls). */
  readonly calls: CallStore;
  /** Crew links and the crews' photos (sync-server/src/crews). */
  readonly crews: CrewStore;

  /** Writes every pending append, waits for background compaction, closes the database. */
  close(): Promise<void>;
}

export const CENTRE_DB_FILE = 'centre.sqlite';

/**
 * Opens (creating dir and file if needed) the centre database. A damaged centre.sqlite rejects with
 * CorruptDatabaseError (from @twinline/sql) and is left untouched.
 */
export async function openCentreStorage(dir: string, opts: CentreStorageOptions = {}): Promise<CentreStorage> {
  const compactEvery = opts.compactEvery ?? 500;
  if (!Number.isInteger(compactEvery) || compactEvery < 2) throw new RangeError('compactEvery must be an integer >= 2');
  await mkdir(dir, { recursive: true });
  const file = join(dir, CENTRE_DB_FILE);
  const db = await openDatabase(file);
  try {
    await migrate(db, MIGRATIONS);
    const archive = await Archive.open(db);
    const accounts = new Accounts(db);
    const customers = await CustomerDirectory.open(db);
    const log = new UpdateLog(db, compactEvery, opts.onBackgroundError ?? ((err) => console.error(err)));
    const calls = new CallStore(db);
    let closed: Promise<void> | null = null;
    return {
      file,
      fullTextSearch: archive.fullText,
      appendUpdate: (doc, update) => log.append(doc, update),
      loadUpdates: (doc) => log.load(doc),
      listDocs: () => log.listDocs(),
      compact: (doc) => log.compact(doc),
      stats: (doc) => log.stats(doc),
      upsertAccount: (account, password) => accounts.upsert(account, password),
      verifyLogin: (username, password) => accounts.verifyLogin(username, password),
      getAccount: (username) => accounts.get(username),
      listAccounts: () => accounts.list(),
      archiveOrders: (records) => archive.archive(records),
      searchArchive: (query) => archive.search(query),
      archivedBetween: (city, fromMs, toMs) => archive.archivedBetween(city, fromMs, toMs),
      customers,
      calls,
      crews: new CrewStore(db),
      close: () =>
        (closed ??= calls
          .flush()
          .then(() => log.close())
          .finally(() => db.close())),
    };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}
