// The Yjs update log: one row per update, appended with group commit, compacted into one state row per document.
import * as Y from 'yjs';
import type { SqlDriver } from '@twinline/sql';

export interface DocStats {
  rows: number;
  bytes: number;
}

export interface CompactResult {
  /** Rows replaced by the compacted row (0 when there was nothing to do). */
  replaced: number;
  bytesBefore: number;
  bytesAfter: number;
}

interface Pending {
  doc: string;
  data: Uint8Array;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Rows per multi-row INSERT (2 parameters each, far below SQLITE_MAX_VARIABLE_NUMBER). */
const ROWS_PER_INSERT = 250;
/** Appends per transaction: bounds how long one group commit holds the write lock. */
const MAX_BATCH = 5000;

export class UpdateLog {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private lastQueued: Promise<void> | null = null;
  /** Known row counts per doc (absent = unknown, count on next check). Only drives auto-compaction. */
  private counts = new Map<string, number>();
  private checkScheduled = new Set<string>();
  private compacting = new Map<string, Promise<CompactResult>>();
  /** Background compactions run one after another on this chain. */
  private background: Promise<void> = Promise.resolve();
  private closing = false;

  constructor(
    private readonly db: SqlDriver,
    private readonly compactEvery: number,
    private readonly onBackgroundError: (err: unknown) => void,
  ) {}

  append(doc: string, update: Uint8Array): Promise<void> {
    if (this.closing) return Promise.reject(new Error('centre storage is closed'));
    if (typeof doc !== 'string' || doc.length === 0)
      return Promise.reject(new TypeError('doc must be a non-empty string'));
    if (!(update instanceof Uint8Array) || update.byteLength === 0) {
      return Promise.reject(new TypeError('update must be a non-empty Uint8Array'));
    }
    // Copy: the write happens later and the caller may reuse its buffer.
    const data = update.slice();
    const promise = new Promise<void>((resolve, reject) => this.queue.push({ doc, data, resolve, reject }));
    this.lastQueued = promise;
    if (!this.flushing) this.flushing = this.flushLoop();
    return promise;
  }

  /** Resolves once everything queued before the call has been written (or failed). */
  private async settled(): Promise<void> {
    await this.lastQueued?.catch(() => undefined);
  }

  private async flushLoop(): Promise<void> {
    // Let the rest of this burst (same tick, same I/O phase) join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.db.transaction(async (tx) => {
          for (let i = 0; i < batch.length; i += ROWS_PER_INSERT) {
            const chunk = batch.slice(i, i + ROWS_PER_INSERT);
            await tx.run(
              `INSERT INTO yjs_updates (doc, data) VALUES ${chunk.map(() => '(?, ?)').join(', ')}`,
              chunk.flatMap((p) => [p.doc, p.data]),
            );
          }
        });
      } catch (err) {
        for (const p of batch) p.reject(err);
        continue;
      }
      const perDoc = new Map<string, number>();
      for (const p of batch) perDoc.set(p.doc, (perDoc.get(p.doc) ?? 0) + 1);
      for (const p of batch) p.resolve();
      for (const [doc, n] of perDoc) {
        const known = this.counts.get(doc);
        if (known !== undefined) this.counts.set(doc, known + n);
        if (known === undefined || known + n > this.compactEvery) this.scheduleCheck(doc);
      }
    }
    this.flushing = null;
  }

  /** Background: count the doc's rows and compact if over the threshold. Runs after the appends resolved. */
  private scheduleCheck(doc: string): void {
    if (this.checkScheduled.has(doc) || this.closing) return;
    this.checkScheduled.add(doc);
    this.background = this.background.then(async () => {
      try {
        if (this.closing) return;
        const { rows } = await this.stats(doc);
        this.counts.set(doc, rows);
        if (rows > this.compactEvery) await this.compact(doc);
      } catch (err) {
        this.onBackgroundError(err);
      } finally {
        this.checkScheduled.delete(doc);
      }
    });
  }

  async load(doc: string): Promise<Uint8Array[]> {
    await this.settled();
    const rows = await this.db.all<{ data: Uint8Array }>('SELECT data FROM yjs_updates WHERE doc = ? ORDER BY id', [
      doc,
    ]);
    return rows.map((r) => new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength));
  }

  async listDocs(): Promise<string[]> {
    await this.settled();
    const rows = await this.db.all<{ doc: string }>('SELECT DISTINCT doc FROM yjs_updates ORDER BY doc');
    return rows.map((r) => r.doc);
  }

  async stats(doc: string): Promise<DocStats> {
    await this.settled();
    const row = await this.db.get<DocStats>(
      'SELECT count(*) AS rows, coalesce(sum(length(data)), 0) AS bytes FROM yjs_updates WHERE doc = ?',
      [doc],
    );
    return row ?? { rows: 0, bytes: 0 };
  }

  /** Compacts one doc; concurrent calls for the same doc share one run. */
  compact(doc: string): Promise<CompactResult> {
    const running = this.compacting.get(doc);
    if (running) return running;
    const run = this.compactOnce(doc).finally(() => this.compacting.delete(doc));
    this.compacting.set(doc, run);
    return run;
  }

  private async compactOnce(doc: string): Promise<CompactResult> {
    await this.settled();
    const rows = await this.db.all<{ id: number; data: Uint8Array }>(
      'SELECT id, data FROM yjs_updates WHERE doc = ? ORDER BY id',
      [doc],
    );
    const last = rows.at(-1);
    const nothing: CompactResult = { replaced: 0, bytesBefore: 0, bytesAfter: 0 };
    if (!last || rows.length < 2) return nothing;
    const maxId = last.id;
    const bytesBefore = rows.reduce((n, r) => n + r.data.byteLength, 0);
    // Apply every update to a fresh doc and re-encode: unlike Y.mergeUpdates this garbage-collects deleted content.
    // Updates whose dependencies are missing stay pending and are still included by encodeStateAsUpdate.
    const ydoc = new Y.Doc({ gc: true });
    let state: Uint8Array;
    try {
      for (const r of rows) Y.applyUpdate(ydoc, r.data);
      state = Y.encodeStateAsUpdate(ydoc);
    } finally {
      ydoc.destroy();
    }
    const replaced = await this.db.transaction(async (tx) => {
      // Rows appended since the read have ids > maxId and are untouched; if the rows we read changed (another
      // process compacted meanwhile) do nothing rather than delete what we did not fold in.
      const check = await tx.get<{ n: number }>('SELECT count(*) AS n FROM yjs_updates WHERE doc = ? AND id <= ?', [
        doc,
        maxId,
      ]);
      if (check?.n !== rows.length) return 0;
      await tx.run('DELETE FROM yjs_updates WHERE doc = ? AND id <= ?', [doc, maxId]);
      // Reuse maxId so the compacted row sorts before every update appended meanwhile.
      await tx.run('INSERT INTO yjs_updates (id, doc, data) VALUES (?, ?, ?)', [maxId, doc, state]);
      return rows.length;
    });
    this.counts.delete(doc);
    return replaced === 0 ? nothing : { replaced, bytesBefore, bytesAfter: state.byteLength };
  }

  /** Stops accepting appends, writes everything queued, waits for background compaction. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.flushing) await this.flushing;
    await this.background;
    await Promise.allSettled([...this.compacting.values()]);
  }
}
