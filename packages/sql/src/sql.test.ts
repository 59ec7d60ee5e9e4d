import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptDatabaseError, migrate, openSqlite3 } from './index';
import type { SqlDriver, SqlExecutor } from './index';

let dir: string;
const open: SqlDriver[] = [];
const openDb = async (name = 'test.sqlite', opts = {}) => {
  const db = await openSqlite3(join(dir, name), opts);
  open.push(db);
  return db;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-sql-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('openSqlite3', () => {
  it('round-trips rows, BLOBs and named parameters, with the promised pragmas', async () => {
    const db = await openDb();
    await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, data BLOB)');
    const blob = new Uint8Array([0, 1, 2, 255]);
    const r = await db.run('INSERT INTO t (name, data) VALUES (?, ?)', ['热线', blob]);
    expect(r).toEqual({ changes: 1, lastID: 1 });
    await db.run('INSERT INTO t (name, data) VALUES ($name, $data)', { $name: 'b', $data: Buffer.from([9]) });
    const row = await db.get<{ name: string; data: Uint8Array }>('SELECT name, data FROM t WHERE id = ?', [1]);
    expect(row?.name).toBe('热线');
    expect(row?.data).toBeInstanceOf(Uint8Array);
    expect([...(row?.data ?? [])]).toEqual([0, 1, 2, 255]);
    expect(await db.all('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await db.get('SELECT * FROM t WHERE id = 99')).toBeUndefined();
    expect(await db.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await db.get('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
    expect(await db.get('PRAGMA synchronous')).toEqual({ synchronous: 1 }); // NORMAL
    expect(await db.get('PRAGMA busy_timeout')).toEqual({ timeout: 5000 });
    await db.close();
    const again = await openDb();
    expect(await again.get('SELECT count(*) AS n FROM t')).toEqual({ n: 2 });
  });

  it('rolls a transaction back when its function throws, leaving nothing behind', async () => {
    const db = await openDb();
    await db.exec('CREATE TABLE t (x INTEGER)');
    await expect(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t VALUES (1)');
        await tx.run('INSERT INTO t VALUES (2)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.get('SELECT count(*) AS n FROM t')).toEqual({ n: 0 });
    // And the connection is usable afterwards (no transaction left open).
    await db.transaction((tx) => tx.run('INSERT INTO t VALUES (3)'));
    expect(await db.all('SELECT x FROM t')).toEqual([{ x: 3 }]);
  });

  it('serialises concurrent transactions and keeps top-level statements out of a running one', async () => {
    const db = await openDb();
    await db.exec('CREATE TABLE counter (n INTEGER); INSERT INTO counter VALUES (0)');
    const log: string[] = [];
    // Read-modify-write with a yield in between: lost updates if two transactions interleaved.
    const bump = (i: number) =>
      db.transaction(async (tx) => {
        log.push(`start ${i}`);
        const row = await tx.get<{ n: number }>('SELECT n FROM counter');
        await new Promise((r) => setTimeout(r, 2));
        await tx.run('UPDATE counter SET n = ?', [(row?.n ?? 0) + 1]);
        log.push(`end ${i}`);
      });
    const failing = db.transaction(async (tx) => {
      await tx.run('UPDATE counter SET n = n + 1000');
      throw new Error('rolled back');
    });
    const outside = db.run('UPDATE counter SET n = n + 100'); // must not join `failing` and be rolled back with it
    await Promise.all([...Array.from({ length: 20 }, (_, i) => bump(i)), failing.catch(() => undefined), outside]);
    expect(await db.get('SELECT n FROM counter')).toEqual({ n: 120 });
    for (let i = 0; i < 20; i++) expect(log.indexOf(`end ${i}`)).toBe(log.indexOf(`start ${i}`) + 1);
  });

  it('refuses to deadlock when the driver is used inside its own transaction', async () => {
    const db = await openDb();
    await db.exec('CREATE TABLE t (x INTEGER)');
    await expect(db.transaction(() => db.run('INSERT INTO t VALUES (1)'))).rejects.toThrow(/use the tx argument/);
    let leaked: SqlExecutor | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.run('INSERT INTO t VALUES (1)')).rejects.toThrow(/after its transaction finished/);
  });

  it('rejects a file of random bytes with CorruptDatabaseError naming the file, without touching it', async () => {
    const file = join(dir, 'random.sqlite');
    const bytes = randomBytes(64 * 1024);
    writeFileSync(file, bytes);
    const err = await openSqlite3(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptDatabaseError);
    expect((err as CorruptDatabaseError).file).toBe(file);
    expect((err as Error).message).toContain(file);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('rejects truncated copies of a real database quickly (CorruptDatabaseError, never a hang)', async () => {
    const db = await openDb('real.sqlite');
    await db.exec('CREATE TABLE t (x TEXT, y BLOB); CREATE INDEX t_x ON t (x)');
    await db.transaction(async (tx) => {
      for (let i = 0; i < 1500; i++) await tx.run('INSERT INTO t VALUES (?, ?)', [`row ${i}`, randomBytes(200)]);
    });
    await db.close();
    const original = join(dir, 'real.sqlite');
    const size = readFileSync(original).length;
    expect(size).toBeGreaterThan(100_000);
    for (const cut of [50, 4096, Math.floor(size / 2), size - 4096]) {
      const copy = join(dir, `cut-${cut}.sqlite`);
      copyFileSync(original, copy);
      truncateSync(copy, cut);
      const started = Date.now();
      const err = await openSqlite3(copy).catch((e: unknown) => e);
      expect(err, `truncated to ${cut}`).toBeInstanceOf(CorruptDatabaseError);
      expect(Date.now() - started).toBeLessThan(5000);
    }
  });
});

describe('migrate', () => {
  it('applies each step once, tracked in user_version', async () => {
    const steps = ['CREATE TABLE a (x)', 'CREATE TABLE b (y); INSERT INTO b VALUES (1)'];
    const db = await openDb();
    expect(await migrate(db, steps.slice(0, 1))).toBe(1);
    expect(await migrate(db, steps)).toBe(2);
    expect(await migrate(db, steps)).toBe(2);
    expect(await db.all('SELECT y FROM b')).toEqual([{ y: 1 }]);
    await expect(migrate(db, steps.slice(0, 1))).rejects.toThrow(/newer than this build/);
  });

  it('leaves the previous version intact when a step fails', async () => {
    const db = await openDb();
    await expect(migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE c (z); SELECT nonsense('])).rejects.toThrow();
    expect(await db.get('PRAGMA user_version')).toEqual({ user_version: 1 });
    expect(await db.all("SELECT name FROM sqlite_schema WHERE name = 'c'")).toEqual([]);
  });
});
