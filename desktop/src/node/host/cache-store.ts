// The ONLY place the desktop host runs SQL. One file, `<data>/cache.sqlite`: the board's Yjs updates per document (an
// offline cache of the centre's board), the board's last rows (what the list shows, for a fast cold start), drafts
// (half-typed orders that must survive a crash) and settings. Nothing else in the host gets a driver.
//
// A cache is never worth stopping the console for: if the file is corrupt, truncated, not a database, or from a newer
// build, it is renamed aside to `cache.corrupt-<timestamp>.sqlite` (kept for support, never deleted) and a fresh file
// is opened; `status().recoveredFrom` says so. If even that fails, the cache runs in memory for this session
// (sqlite-file.ts, shared with the customer cache).
import * as Y from 'yjs';
import type { SqlDriver } from '@twinline/sql';
import { openRecoverable } from './sqlite-file';

/** Append-only: never edit or reorder a released step, add a new one. */
const MIGRATIONS = [
  `CREATE TABLE board_updates (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     doc TEXT NOT NULL,
     data BLOB NOT NULL
   );
   CREATE INDEX board_updates_doc ON board_updates (doc, id);
   CREATE TABLE drafts (
     id TEXT PRIMARY KEY,
     json TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE settings (
     key TEXT PRIMARY KEY,
     json TEXT NOT NULL
   );`,
  // The board's last rows (common/board-row.ts), so a cold start shows the board before the documents are loaded.
  `CREATE TABLE board_rows (
     id TEXT PRIMARY KEY,
     doc TEXT NOT NULL,
     json TEXT NOT NULL
   );
   CREATE INDEX board_rows_doc ON board_rows (doc);`,
];

export const CACHE_FILE = 'cache.sqlite';

export interface DraftRow {
  id: string;
  json: string;
  updatedAt: number;
}

export interface CacheStatus {
  file: string;
  recoveredFrom?: string;
  recoveryReason?: string;
  docs: number;
}

export interface CompactStats {
  docs: number;
  rowsBefore: number;
  rowsAfter: number;
}

export interface CacheStore {
  readonly file: string;
  appendUpdates(doc: string, updates: readonly Uint8Array[]): Promise<void>;
  loadDoc(doc: string): Promise<Uint8Array[]>;
  /** Rewrites each document with more than one row as one `encodeStateAsUpdate` row (run at open). */
  compactAll(): Promise<CompactStats>;
  compact(doc: string): Promise<void>;
  /** The stored rows of these documents, parsed (a row whose JSON does not parse is left out). */
  loadRows(docs: readonly string[]): Promise<unknown[]>;
  /**
   * Starts reading every stored row in the background, so the console's first loadRows (its cold start) finds them
   * read already. Any putRows before that call makes it read afresh.
   */
  prefetchRows(): void;
  /** Replaces rows by id and deletes `removed`, in one transaction. */
  putRows(doc: string, rows: readonly { id: string; json: string }[], removed: readonly string[]): Promise<void>;
  /** Deletes a document's updates and rows; returns how many update rows went. */
  clearDoc(doc: string): Promise<number>;
  listDrafts(): Promise<DraftRow[]>;
  /** Last writer by `updatedAt` wins; false when a newer draft was already stored. */
  putDraft(draft: DraftRow): Promise<boolean>;
  deleteDraft(id: string): Promise<boolean>;
  getSetting(key: string): Promise<unknown>;
  /** Stores all keys in one transaction. */
  setSettings(values: Record<string, unknown>): Promise<void>;
  status(): Promise<CacheStatus>;
  close(): Promise<void>;
}

export interface OpenCacheOptions {
  /** Called when the file was moved aside (for the host's log). */
  onRecovered?: (info: { file: string; movedTo: string | undefined; reason: string }) => void;
  /** Compact every document at open (default true). */
  compactAtOpen?: boolean;
  /** A document whose row count reaches this on load is compacted first (default 200). */
  compactEvery?: number;
  /** A document that could not be compacted (it is left as it was). */
  onCompactError?: (doc: string, err: unknown) => void;
}

export async function openCacheStore(dir: string, opts: OpenCacheOptions = {}): Promise<CacheStore> {
  const { db, recoveredFrom, recoveryReason } = await openRecoverable(dir, CACHE_FILE, MIGRATIONS, {
    onRecovered: opts.onRecovered,
  });
  const store = new SqliteCacheStore(
    db,
    recoveredFrom,
    recoveryReason,
    opts.compactEvery ?? 200,
    opts.onCompactError ?? (() => undefined),
  );
  if (opts.compactAtOpen ?? true) await store.compactAll();
  return store;
}

class SqliteCacheStore implements CacheStore {
  readonly file: string;
  constructor(
    private readonly db: SqlDriver,
    private readonly recoveredFrom: string | undefined,
    private readonly recoveryReason: string | undefined,
    private readonly compactEvery: number,
    private readonly onCompactError: (doc: string, err: unknown) => void,
  ) {
    this.file = db.file;
  }

  async appendUpdates(doc: string, updates: readonly Uint8Array[]): Promise<void> {
    if (updates.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (const data of updates) await tx.run('INSERT INTO board_updates (doc, data) VALUES (?, ?)', [doc, data]);
    });
  }

  async loadDoc(doc: string): Promise<Uint8Array[]> {
    const count = await this.db.get<{ n: number }>('SELECT count(*) AS n FROM board_updates WHERE doc = ?', [doc]);
    if ((count?.n ?? 0) >= this.compactEvery) await this.compact(doc).catch((err) => this.onCompactError(doc, err));
    const rows = await this.db.all<{ data: Uint8Array }>('SELECT data FROM board_updates WHERE doc = ? ORDER BY id', [
      doc,
    ]);
    return rows.map((r) => r.data);
  }

  async compact(doc: string): Promise<void> {
    // One transaction: appends wait for it, so none can slip in between the read and the rewrite.
    await this.db.transaction(async (tx) => {
      const rows = await tx.all<{ id: number; data: Uint8Array }>(
        'SELECT id, data FROM board_updates WHERE doc = ? ORDER BY id',
        [doc],
      );
      if (rows.length < 2) return;
      // Load into a document and re-encode: unlike Y.mergeUpdates this garbage-collects deleted content. Updates whose
      // dependencies are missing stay pending in the doc and are kept by encodeStateAsUpdate.
      const ydoc = new Y.Doc();
      try {
        for (const row of rows) Y.applyUpdate(ydoc, row.data);
        const state = Y.encodeStateAsUpdate(ydoc);
        const maxId = rows[rows.length - 1]!.id;
        await tx.run('DELETE FROM board_updates WHERE doc = ? AND id <= ?', [doc, maxId]);
        // Reuse the highest id so the compacted row keeps its place in the order.
        await tx.run('INSERT INTO board_updates (id, doc, data) VALUES (?, ?, ?)', [maxId, doc, state]);
      } finally {
        ydoc.destroy();
      }
    });
  }

  async compactAll(): Promise<CompactStats> {
    const docs = await this.db.all<{ doc: string; n: number }>(
      'SELECT doc, count(*) AS n FROM board_updates GROUP BY doc ORDER BY doc',
    );
    let rowsBefore = 0;
    for (const { doc, n } of docs) {
      rowsBefore += n;
      if (n < 2) continue;
      try {
        await this.compact(doc);
      } catch (err) {
        // A row Yjs cannot read: leave the document as it is (the centre resends what it needs) and go on.
        this.onCompactError(doc, err);
      }
    }
    const after = await this.db.get<{ n: number }>('SELECT count(*) AS n FROM board_updates');
    return { docs: docs.length, rowsBefore, rowsAfter: after?.n ?? 0 };
  }

  private prefetched: Promise<Map<string, unknown[]>> | null = null;

  prefetchRows(): void {
    this.prefetched = this.readRows(null);
    this.prefetched.catch(() => undefined);
  }

  async loadRows(docs: readonly string[]): Promise<unknown[]> {
    const prefetched = this.prefetched;
    this.prefetched = null; // used once: later calls read what is stored now
    const byDoc = (await prefetched?.catch(() => null)) ?? (await this.readRows(docs));
    return docs.flatMap((d) => byDoc.get(d) ?? []);
  }

  /** Rows by document, of `docs` or (null) all; a row whose JSON does not parse is left out. */
  private async readRows(docs: readonly string[] | null): Promise<Map<string, unknown[]>> {
    const rows =
      docs === null
        ? await this.db.all<{ doc: string; json: string }>('SELECT doc, json FROM board_rows')
        : docs.length === 0
          ? []
          : await this.db.all<{ doc: string; json: string }>(
              `SELECT doc, json FROM board_rows WHERE doc IN (${docs.map(() => '?').join(', ')})`,
              [...docs],
            );
    const out = new Map<string, unknown[]>();
    for (const r of rows) {
      let list = out.get(r.doc);
      if (!list) out.set(r.doc, (list = []));
      try {
        list.push(JSON.parse(r.json));
      } catch {
        // A damaged row: the board worker writes it again once its documents are loaded.
      }
    }
    return out;
  }

  async putRows(doc: string, rows: readonly { id: string; json: string }[], removed: readonly string[]): Promise<void> {
    if (rows.length === 0 && removed.length === 0) return;
    this.prefetched = null;
    await this.db.transaction(async (tx) => {
      for (const r of rows) {
        await tx.run(
          'INSERT INTO board_rows (id, doc, json) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, json = excluded.json',
          [r.id, doc, r.json],
        );
      }
      for (const id of removed) await tx.run('DELETE FROM board_rows WHERE id = ? AND doc = ?', [id, doc]);
    });
  }

  async clearDoc(doc: string): Promise<number> {
    this.prefetched = null;
    return this.db.transaction(async (tx) => {
      const r = await tx.run('DELETE FROM board_updates WHERE doc = ?', [doc]);
      await tx.run('DELETE FROM board_rows WHERE doc = ?', [doc]);
      return r.changes;
    });
  }

  async listDrafts(): Promise<DraftRow[]> {
    return this.db.all<DraftRow>('SELECT id, json, updated_at AS updatedAt FROM drafts ORDER BY updated_at DESC, id');
  }

  async putDraft(draft: DraftRow): Promise<boolean> {
    const r = await this.db.run(
      `INSERT INTO drafts (id, json, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at
       WHERE excluded.updated_at >= drafts.updated_at`,
      [draft.id, draft.json, draft.updatedAt],
    );
    return r.changes > 0;
  }

  async deleteDraft(id: string): Promise<boolean> {
    const r = await this.db.run('DELETE FROM drafts WHERE id = ?', [id]);
    return r.changes > 0;
  }

  async getSetting(key: string): Promise<unknown> {
    const row = await this.db.get<{ json: string }>('SELECT json FROM settings WHERE key = ?', [key]);
    return row === undefined ? undefined : (JSON.parse(row.json) as unknown);
  }

  async setSettings(values: Record<string, unknown>): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const [key, value] of Object.entries(values)) {
        await tx.run(
          'INSERT INTO settings (key, json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET json = excluded.json',
          [key, JSON.stringify(value)],
        );
      }
    });
  }

  async status(): Promise<CacheStatus> {
    const row = await this.db.get<{ n: number }>('SELECT count(DISTINCT doc) AS n FROM board_updates');
    const status: CacheStatus = { file: this.file, docs: row?.n ?? 0 };
    if (this.recoveredFrom !== undefined) status.recoveredFrom = this.recoveredFrom;
    if (this.recoveryReason !== undefined) status.recoveryReason = this.recoveryReason;
    return status;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
