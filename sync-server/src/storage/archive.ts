import { z } from 'zod';
import { figuresInput } from '@twinline/board/crew-figures';
import type { SqlDriver, SqlValue } from '@twinline/sql';
import { ARCHIVE_FTS } from './schema';

export const ArchiveRecordSchema = z.object({
  id: z.string().min(1).max(128),
  city: z.string().min(1).max(64),
  /** ISO 8601 instant; results are ordered by the instant it denotes. */
  archivedAt: z.string().refine((s) => Number.isFinite(Date.parse(s)), 'archivedAt must be an ISO 8601 date-time'),
  /** Searchable text: address, caller number, description, names. */
  summary: z.string().max(20_000),
  /** The full record, returned as is. */
  json: z.string(),
});
export type ArchiveRecord = z.infer<typeof ArchiveRecordSchema>;

export interface ArchiveQuery {
  /** Whitespace-separated terms, all of which must occur (substring match, case-insensitive for Latin letters). */
  text?: string;
  city?: string;
  /** Default 50, at most 500. */
  limit?: number;
  offset?: number;
}

export interface ArchiveHit {
  id: string;
  city: string;
  archivedAt: string;
  json: string;
}

/** One archived order as the figures read it: the folded order's JSON only (not the draft, events and comments). */
export interface ArchivedOrderJson {
  id: string;
  archivedMs: number;
  /**
   * `ArchivedRecord.order` as JSON text: the part of it the figures read (`figuresInput`, kept beside the record
   * since it was archived), or the whole folded order for a record archived before that (or not readable so).
   * Either way, to be checked with `FiguresInputSchema`.
   */
  order: string;
}

/**
 * The `figures` column of a record: `figuresInput` of its folded order as JSON, or null when the record's JSON has no
 * order that passes the figures' schema (it is read whole, and refused, at each read: nothing is lost or guessed).
 */
function figuresColumn(json: string): string | null {
  let record: unknown;
  try {
    record = JSON.parse(json) as unknown;
  } catch {
    return null;
  }
  const input = typeof record === 'object' && record !== null && figuresInput((record as { order?: unknown }).order);
  return input ? JSON.stringify(input) : null;
}

/** Terms shorter than this cannot use the trigram index and fall back to LIKE. */
const TRIGRAM = 3;

export class Archive {
  private constructor(
    private readonly db: SqlDriver,
    /** Whether the FTS5 trigram index exists on this build of SQLite. */
    readonly fullText: boolean,
  ) {}

  static async open(db: SqlDriver): Promise<Archive> {
    let fullText = false;
    try {
      await db.transaction(async (tx) => {
        const existed = await tx.get("SELECT 1 FROM sqlite_schema WHERE name = 'archived_orders_fts'");
        await tx.exec(ARCHIVE_FTS);
        // New index over an archive that already has rows (e.g. written by a build without FTS5): fill it.
        if (!existed) await tx.exec("INSERT INTO archived_orders_fts (archived_orders_fts) VALUES ('rebuild')");
      });
      fullText = true;
    } catch (err) {
      // No FTS5 or no trigram tokenizer (SQLite < 3.34) in this build: search with LIKE only. Anything else is real.
      if (!/no such module|no such tokenizer|fts5|trigram/i.test(String((err as Error | undefined)?.message)))
        throw err;
    }
    return new Archive(db, fullText);
  }

  /** Upserts by id, in one transaction, each with the part of its order the figures read (`figuresColumn`). */
  async archive(records: readonly ArchiveRecord[]): Promise<void> {
    const parsed = records
      .map((r) => ArchiveRecordSchema.parse(r))
      .map((r) => ({ ...r, figures: figuresColumn(r.json) }));
    if (parsed.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (const r of parsed) {
        await tx.run(
          `INSERT INTO archived_orders (id, city, archived_at, archived_ms, summary, json, figures)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET city = excluded.city, archived_at = excluded.archived_at,
             archived_ms = excluded.archived_ms, summary = excluded.summary, json = excluded.json,
             figures = excluded.figures`,
          [r.id, r.city, r.archivedAt, Date.parse(r.archivedAt), r.summary, r.json, r.figures],
        );
      }
    });
  }

  /** Newest first. */
  async search(query: ArchiveQuery = {}): Promise<ArchiveHit[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (query.city !== undefined) {
      where.push('city = ?');
      params.push(query.city);
    }
    const terms = (query.text ?? '').split(/\s+/u).filter((t) => t.length > 0);
    for (const term of terms) {
      if (this.fullText && [...term].length >= TRIGRAM) {
        // A quoted FTS5 string is one phrase; with the trigram tokenizer that is a substring match.
        where.push('seq IN (SELECT rowid FROM archived_orders_fts WHERE archived_orders_fts MATCH ?)');
        params.push(`"${term.replaceAll('"', '""')}"`);
      } else {
        where.push("summary LIKE ? ESCAPE '\\'");
        params.push(`%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      }
    }
    const int = (v: number | undefined, fallback: number) => (Number.isFinite(v) ? Math.floor(v as number) : fallback);
    const limit = Math.min(Math.max(int(query.limit, 50), 0), 500);
    const offset = Math.max(int(query.offset, 0), 0);
    params.push(limit, offset);
    return this.db.all<ArchiveHit>(
      `SELECT id, city, archived_at AS archivedAt, json FROM archived_orders
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY archived_ms DESC, seq DESC LIMIT ? OFFSET ?`,
      params,
    );
  }

  /**
   * The orders of `city` archived in [fromMs, toMs), oldest first, a page at a time (keyset on the city's
   * (archived_ms, seq) index: each page is one index range, however large the archive), so a caller can fold a
   * year of orders without holding them all. The next page is read while the caller works on this one. Each order
   * is the part the figures read where the archive keeps it (a sixth of the record's JSON, read without the record).
   */
  async *archivedBetween(
    city: string,
    fromMs: number,
    toMs: number,
    pageSize = 500,
  ): AsyncGenerator<ArchivedOrderJson[]> {
    // Each page starts where the last one ended, (archived_ms, seq) > the last row's: the index range begins at
    // its archived_ms, so a page costs the same at the end of a year as at its start.
    const page = (after: { archivedMs: number; seq: number } | null) => {
      const read = this.db.all<ArchivedOrderJson & { seq: number }>(
        `SELECT seq, id, archived_ms AS archivedMs, coalesce(figures, json_extract(json, '$.order')) AS "order"
         FROM archived_orders
         WHERE city = ? AND archived_ms >= ? AND archived_ms < ? ${after ? 'AND (archived_ms > ? OR seq > ?)' : ''}
         ORDER BY archived_ms, seq LIMIT ?`,
        after ? [city, after.archivedMs, toMs, after.archivedMs, after.seq, pageSize] : [city, fromMs, toMs, pageSize],
      );
      read.catch(() => undefined); // a caller that stops early leaves the last read unawaited
      return read;
    };
    let next: Promise<(ArchivedOrderJson & { seq: number })[]> | null = page(null);
    while (next) {
      const rows: (ArchivedOrderJson & { seq: number })[] = await next;
      next = rows.length === pageSize ? page(rows[rows.length - 1]!) : null;
      if (rows.length > 0) yield rows.map(({ id, archivedMs, order }) => ({ id, archivedMs, order }));
    }
  }
}
