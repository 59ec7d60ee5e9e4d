// Opening one of the host's SQLite files so that a bad file never stops the console (used by cache-store.ts and
// customer-store.ts). If the file is corrupt, truncated, not a database, or from a newer build, it is renamed aside
// to `<name>.corrupt-<timestamp>.sqlite` (kept for support, never deleted) with its -wal/-shm, and a fresh file is
// opened and migrated. If even that fails (read-only directory), the store runs in memory for this session.
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptDatabaseError, migrate, openDatabase } from '@twinline/sql';
import type { OpenOptions, SqlDriver } from '@twinline/sql';

export interface RecoverableFile {
  db: SqlDriver;
  /** Set when the file was unreadable: where it was moved (undefined if it could not be moved). */
  recoveredFrom?: string;
  /** What SQLite said about the bad file (and, if the store is in memory, why). */
  recoveryReason?: string;
}

export interface OpenRecoverableOptions {
  /** Called when the file was moved aside (for the host's log). */
  onRecovered?: (info: { file: string; movedTo: string | undefined; reason: string }) => void;
  /** Passed to the driver (e.g. the integrity check at open). */
  sqlite?: OpenOptions;
}

/** SQLite's own codes for a file that is not (or no longer) a database. */
const UNREADABLE_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CANTOPEN', 'SQLITE_IOERR']);

/** True for errors that mean "this file cannot be used", as opposed to a bug or a busy lock. */
export function isUnreadable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof CorruptDatabaseError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREADABLE_CODES.has(code)) return true;
    if (e instanceof Error && /newer than this build/.test(e.message)) return true;
  }
  return false;
}

function reasonOf(err: unknown): string {
  if (err instanceof CorruptDatabaseError) return err.details.slice(0, 3).join('; ') || err.message;
  return err instanceof Error ? err.message : String(err);
}

async function openAndMigrate(file: string, migrations: readonly string[], opts: OpenOptions): Promise<SqlDriver> {
  const db = await openDatabase(file, opts);
  try {
    await migrate(db, migrations);
    return db;
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

/** `cache.corrupt-2026-11-23T14-03-22-123Z.sqlite` for cache.sqlite, with -1, -2 … if that name is taken. */
function asideName(dir: string, fileName: string): string {
  const base = fileName.replace(/\.sqlite$/, '');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let candidate = join(dir, `${base}.corrupt-${stamp}.sqlite`);
  for (let i = 1; existsSync(candidate); i++) candidate = join(dir, `${base}.corrupt-${stamp}-${i}.sqlite`);
  return candidate;
}

/** Moves the bad file and its WAL/SHM companions aside; the companions belong to the bad file, not the fresh one. */
function moveAside(file: string, aside: string): void {
  renameSync(file, aside);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
  }
}

/** Opens `<dir>/<fileName>` with its migrations; a bad file is set aside and replaced (see the top of this file). */
export async function openRecoverable(
  dir: string,
  fileName: string,
  migrations: readonly string[],
  opts: OpenRecoverableOptions = {},
): Promise<RecoverableFile> {
  const file = join(dir, fileName);
  const sqlite = opts.sqlite ?? {};
  try {
    return { db: await openAndMigrate(file, migrations, sqlite) };
  } catch (err) {
    if (!isUnreadable(err) || !existsSync(file)) throw err;
    let recoveryReason = reasonOf(err);
    let recoveredFrom: string | undefined;
    let db: SqlDriver;
    try {
      recoveredFrom = asideName(dir, fileName);
      moveAside(file, recoveredFrom);
      db = await openAndMigrate(file, migrations, sqlite);
    } catch (second) {
      // Cannot move it or cannot create a new file (read-only disk, permissions): keep the console running in memory.
      recoveredFrom = existsSync(recoveredFrom ?? '') ? recoveredFrom : undefined;
      recoveryReason = `${recoveryReason}; a fresh file could not be created either (${reasonOf(second)}), so the cache is in memory for this session`;
      db = await openAndMigrate(':memory:', migrations, sqlite);
    }
    opts.onRecovered?.({ file, movedTo: recoveredFrom, reason: recoveryReason });
    return { db, ...(recoveredFrom !== undefined ? { recoveredFrom } : {}), recoveryReason };
  }
}
