// The SQL surface the rest of Twinline sees. Nothing in this file knows which SQLite binding is underneath:
// an adapter (sqlite3.ts today) supplies a RawConnection and an error classifier, and everything else
// (serialised transactions, open-time pragmas, the corruption check) lives here, so swapping the binding
// for node:sqlite or better-sqlite3 means writing one new adapter file.
import { AsyncLocalStorage } from 'node:async_hooks';

/** A value SQLite can store. BLOBs go in as Uint8Array/Buffer and come back as Buffer (a Uint8Array). */
export type SqlValue = string | number | null | Uint8Array;
/** Positional (`?`) or named (`$name` / `:name` / `@name`, key includes the sigil) parameters. */
export type SqlParams = readonly SqlValue[] | Readonly<Record<string, SqlValue>>;

export interface RunResult {
  /** Rows changed by an INSERT/UPDATE/DELETE. */
  changes: number;
  /** Rowid of the last row inserted on this connection. */
  lastID: number;
}

/** Statements that can run either at top level or inside a transaction. */
export interface SqlExecutor {
  /** Runs one or more statements without parameters (schema, pragmas). */
  exec(sql: string): Promise<void>;
  run(sql: string, params?: SqlParams): Promise<RunResult>;
  get<T>(sql: string, params?: SqlParams): Promise<T | undefined>;
  all<T>(sql: string, params?: SqlParams): Promise<T[]>;
}

export interface SqlDriver extends SqlExecutor {
  /**
   * Runs `fn` inside BEGIN IMMEDIATE … COMMIT; ROLLBACK (and rethrow) if it throws. Transactions are serialised:
   * one at a time on the connection, and top-level statements wait for the running transaction to finish
   * rather than leaking into it. Inside `fn`, use `tx` — calling the driver itself there throws (it would deadlock).
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Waits for the running transaction and queued statements, then closes the connection. */
  close(): Promise<void>;
  /** The file this connection was opened on. */
  readonly file: string;
}

/** The file exists but is not a healthy SQLite database (random bytes, truncated, failed integrity check). */
export class CorruptDatabaseError extends Error {
  override readonly name = 'CorruptDatabaseError';
  readonly code = 'TWINLINE_CORRUPT_DATABASE';
  constructor(
    readonly file: string,
    /** What SQLite reported: the error message or the first lines of the integrity check. */
    readonly details: string[],
    options?: { cause?: unknown },
  ) {
    super(
      `SQLite database ${file} is corrupt or is not a SQLite database (${details.slice(0, 3).join('; ')}). ` +
        'The file was left untouched; restore it from a backup or move it aside to start empty.',
      options,
    );
  }
}

export type IntegrityCheck = 'quick' | 'full' | 'none';

export interface OpenOptions {
  /** How long a statement waits for another connection's lock before failing with SQLITE_BUSY. Default 5000 ms. */
  busyTimeoutMs?: number;
  /**
   * Check run at open so a damaged file fails now, not mid-shift: 'quick' (PRAGMA quick_check, default; reads every
   * page, O(size)), 'full' (integrity_check, also verifies indexes), or 'none'.
   */
  integrityCheck?: IntegrityCheck;
  /** WAL synchronous level. NORMAL (default) survives process crashes; FULL also survives power loss. */
  synchronous?: 'NORMAL' | 'FULL';
}

/** The minimum an adapter implements: unserialised primitives on one connection. */
export interface RawConnection {
  exec(sql: string): Promise<void>;
  run(sql: string, params?: SqlParams): Promise<RunResult>;
  get<T>(sql: string, params?: SqlParams): Promise<T | undefined>;
  all<T>(sql: string, params?: SqlParams): Promise<T[]>;
  close(): Promise<void>;
}

class Mutex {
  private tail: Promise<void> = Promise.resolve();
  /** Resolves with a release function once every earlier holder has released. FIFO. */
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return acquired;
  }
}

interface TxToken {
  active: boolean;
}

/** Wraps a raw connection with the FIFO lock that makes transactions and top-level statements not interleave. */
export function createSerialisedDriver(raw: RawConnection, file: string): SqlDriver {
  const mutex = new Mutex();
  const inTx = new AsyncLocalStorage<TxToken>();
  let closed = false;

  const guard = async <T>(what: string, op: () => Promise<T>): Promise<T> => {
    if (closed) throw new Error(`SQLite database ${file} is closed (${what})`);
    if (inTx.getStore()?.active) {
      throw new Error(
        `${what} called on the driver inside its own transaction; use the tx argument (it would deadlock)`,
      );
    }
    const release = await mutex.lock();
    try {
      if (closed) throw new Error(`SQLite database ${file} is closed (${what})`);
      return await op();
    } finally {
      release();
    }
  };

  const txHandle = (token: TxToken): SqlExecutor => {
    const check = () => {
      if (!token.active) throw new Error('transaction handle used after its transaction finished');
    };
    return {
      exec: async (sql) => (check(), raw.exec(sql)),
      run: async (sql, params) => (check(), raw.run(sql, params)),
      get: async <T>(sql: string, params?: SqlParams) => (check(), raw.get<T>(sql, params)),
      all: async <T>(sql: string, params?: SqlParams) => (check(), raw.all<T>(sql, params)),
    };
  };

  return {
    file,
    exec: (sql) => guard('exec', () => raw.exec(sql)),
    run: (sql, params) => guard('run', () => raw.run(sql, params)),
    get: <T>(sql: string, params?: SqlParams) => guard('get', () => raw.get<T>(sql, params)),
    all: <T>(sql: string, params?: SqlParams) => guard('all', () => raw.all<T>(sql, params)),
    transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>) =>
      guard('transaction', async () => {
        const token: TxToken = { active: true };
        await raw.exec('BEGIN IMMEDIATE');
        try {
          const result = await inTx.run(token, () => fn(txHandle(token)));
          await raw.exec('COMMIT');
          return result;
        } catch (err) {
          // SQLite may already have rolled back by itself (e.g. SQLITE_FULL); then ROLLBACK errors, which we ignore.
          await raw.exec('ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          token.active = false;
        }
      }),
    close: async () => {
      if (closed) return;
      const release = await mutex.lock();
      try {
        if (closed) return;
        closed = true;
        await raw.close();
      } finally {
        release();
      }
    },
  };
}

const PRAGMA_OK = /^ok$/i;

/**
 * Checks the file first (read-only work, so a damaged file is never written to), then sets the connection pragmas.
 * `isCorruption` is the adapter's classifier for its own error objects (SQLITE_CORRUPT / SQLITE_NOTADB).
 */
export async function prepareConnection(
  db: SqlDriver,
  opts: OpenOptions,
  isCorruption: (err: unknown) => boolean,
): Promise<void> {
  const check = opts.integrityCheck ?? 'quick';
  try {
    // Connection-level only (writes nothing): wait for another process's lock instead of failing with SQLITE_BUSY.
    const busy = Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000));
    await db.exec(`PRAGMA busy_timeout = ${busy}`);
    if (check !== 'none') {
      const pragma = check === 'full' ? 'integrity_check' : 'quick_check';
      const rows = await db.all<Record<string, unknown>>(`PRAGMA ${pragma}`);
      const lines = rows.map((r) => String(Object.values(r)[0]));
      if (lines.length !== 1 || !PRAGMA_OK.test(lines[0] ?? '')) {
        throw new CorruptDatabaseError(db.file, lines.slice(0, 10));
      }
    } else {
      // Still touch the header so a non-database fails here rather than on first use.
      await db.get('SELECT count(*) FROM sqlite_schema');
    }
    const mode = await db.get<{ journal_mode: string }>('PRAGMA journal_mode = WAL');
    if (mode?.journal_mode.toLowerCase() !== 'wal' && !db.file.startsWith(':memory:')) {
      throw new Error(`SQLite database ${db.file} refused WAL mode (journal_mode=${mode?.journal_mode})`);
    }
    await db.exec(`PRAGMA synchronous = ${opts.synchronous ?? 'NORMAL'}`);
    await db.exec('PRAGMA foreign_keys = ON');
  } catch (err) {
    await db.close().catch(() => undefined);
    if (err instanceof CorruptDatabaseError) throw err;
    if (isCorruption(err)) throw new CorruptDatabaseError(db.file, [errorMessage(err)], { cause: err });
    throw new Error(`Could not open SQLite database ${db.file}: ${errorMessage(err)}`, { cause: err });
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
