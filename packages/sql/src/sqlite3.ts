// The ONLY file in Twinline that imports the `sqlite3` binding. It adapts node-sqlite3's callback API to
// RawConnection; locking, transactions, pragmas and the corruption check live in driver.ts. Moving to node:sqlite
// (Node >= 22.5) or better-sqlite3 is a one-file change: write a sibling adapter with the same openXxx signature
// and point index.ts at it.
import sqlite3 from 'sqlite3';
import { createSerialisedDriver, prepareConnection } from './driver';
import type { OpenOptions, RawConnection, RunResult, SqlDriver, SqlParams } from './driver';

/** node-sqlite3 binds Buffer as BLOB; hand it a zero-copy Buffer view for any other Uint8Array. */
function bindable(params: SqlParams | undefined): unknown {
  if (params === undefined) return [];
  const conv = (v: unknown) =>
    v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;
  if (Array.isArray(params)) return params.map(conv);
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, conv(v)]));
}

function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB';
}

function adapt(db: sqlite3.Database): RawConnection {
  return {
    exec: (sql) => new Promise((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve()))),
    run: (sql, params) =>
      new Promise<RunResult>((resolve, reject) =>
        db.run(sql, bindable(params), function (this: sqlite3.RunResult, err: Error | null) {
          if (err) reject(err);
          else resolve({ changes: this.changes, lastID: this.lastID });
        }),
      ),
    get: <T>(sql: string, params?: SqlParams) =>
      new Promise<T | undefined>((resolve, reject) =>
        db.get<T>(sql, bindable(params), (err, row) => (err ? reject(err) : resolve(row))),
      ),
    all: <T>(sql: string, params?: SqlParams) =>
      new Promise<T[]>((resolve, reject) =>
        db.all<T>(sql, bindable(params), (err, rows) => (err ? reject(err) : resolve(rows))),
      ),
    close: () => new Promise((resolve, reject) => db.close((err) => (err ? reject(err) : resolve()))),
  };
}

/**
 * Opens (creating if missing) a SQLite file with WAL, synchronous=NORMAL, busy_timeout and foreign_keys=ON, after
 * checking it with PRAGMA quick_check. A damaged or non-SQLite file rejects with CorruptDatabaseError and is not
 * written to.
 */
export async function openSqlite3(file: string, opts: OpenOptions = {}): Promise<SqlDriver> {
  const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
    const db: sqlite3.Database = new sqlite3.Database(file, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE, (err) =>
      err ? reject(new Error(`Could not open SQLite database ${file}: ${err.message}`, { cause: err })) : resolve(db),
    );
  });
  // Statements run in the order they are issued (the driver awaits each one anyway).
  raw.serialize();
  const driver = createSerialisedDriver(adapt(raw), file);
  await prepareConnection(driver, opts, isCorruption);
  return driver;
}
