import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite3 } from '@twinline/sql';
import { CorruptDatabaseError, openCentreStorage } from './index';
import type { CentreStorage, CentreStorageOptions } from './index';

let dir: string;
const opened: CentreStorage[] = [];
const open = async (opts?: CentreStorageOptions) => {
  const s = await openCentreStorage(dir, opts);
  opened.push(s);
  return s;
};
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-storage-'));
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** A Y.Doc whose every local change is captured as an update. */
function recordingDoc() {
  const ydoc = new Y.Doc();
  const updates: Uint8Array[] = [];
  ydoc.on('update', (u: Uint8Array) => updates.push(u));
  return { ydoc, updates };
}

function rebuild(updates: Uint8Array[]): Y.Doc {
  const ydoc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(ydoc, u);
  // Y.Doc#toJSON only shows root types the doc has been told about.
  ydoc.getMap('orders');
  ydoc.getText('log');
  ydoc.getArray('seq');
  return ydoc;
}

/** Content equality as the brief defines it: encode both states, decode into fresh docs, compare toJSON. */
const content = (ydoc: Y.Doc) => rebuild([Y.encodeStateAsUpdate(ydoc)]).toJSON();

function edit(ydoc: Y.Doc, i: number) {
  ydoc.transact(() => {
    ydoc.getMap('orders').set(`o${i % 40}`, { n: i, note: `工单${i} 北京市朝阳区` });
    const t = ydoc.getText('log');
    t.insert(t.length, `line ${i}\n`);
    if (t.length > 300) t.delete(0, 100);
    const a = ydoc.getArray<number>('seq');
    a.push([i]);
    if (a.length > 20) a.delete(0, 5);
  });
}

describe('Yjs update log', () => {
  it('appends and loads in order, rebuilding the same doc; lists docs; reports stats', async () => {
    const s = await open();
    const { ydoc, updates } = recordingDoc();
    for (let i = 0; i < 30; i++) edit(ydoc, i);
    for (const u of updates) await s.appendUpdate('board/bj', u);
    await s.appendUpdate('board/sh', updates[0]!);
    const loaded = await s.loadUpdates('board/bj');
    expect(loaded.map((u) => [...u])).toEqual(updates.map((u) => [...u]));
    expect(rebuild(loaded).toJSON()).toEqual(ydoc.toJSON());
    expect(await s.listDocs()).toEqual(['board/bj', 'board/sh']);
    const bytes = updates.reduce((n, u) => n + u.byteLength, 0);
    expect(await s.stats('board/bj')).toEqual({ rows: 30, bytes });
    expect(await s.stats('nothing')).toEqual({ rows: 0, bytes: 0 });
    expect(await s.loadUpdates('nothing')).toEqual([]);
    await s.close();
    const again = await open();
    expect(rebuild(await again.loadUpdates('board/bj')).toJSON()).toEqual(ydoc.toJSON());
  });

  it('group-commits 2,000 concurrent appends, keeping order and every row', async () => {
    const s = await open({ compactEvery: 1_000_000 });
    const { ydoc, updates } = recordingDoc();
    for (let i = 0; i < 2000; i++) edit(ydoc, i);
    const started = performance.now();
    await Promise.all(updates.map((u, i) => s.appendUpdate(i % 2 ? 'a' : 'b', u)));
    const ms = performance.now() - started;
    console.log(`2,000 concurrent appends committed in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(5000);
    const a = await s.loadUpdates('a');
    const b = await s.loadUpdates('b');
    expect(a.map((u) => [...u])).toEqual(updates.filter((_, i) => i % 2).map((u) => [...u]));
    expect(b.map((u) => [...u])).toEqual(updates.filter((_, i) => !(i % 2)).map((u) => [...u]));
  });

  it('rejects appends after close but writes those queued before it', async () => {
    const s = await openCentreStorage(dir);
    const { ydoc, updates } = recordingDoc();
    for (let i = 0; i < 10; i++) edit(ydoc, i);
    const pending = updates.map((u) => s.appendUpdate('d', u));
    await s.close();
    await Promise.all(pending);
    await expect(s.appendUpdate('d', updates[0]!)).rejects.toThrow(/closed/);
    const again = await open();
    expect((await again.stats('d')).rows).toBe(10);
  });

  it('compacts to one row with identical content, and appends during compaction survive', async () => {
    const s = await open({ compactEvery: 1_000_000 });
    const { ydoc, updates } = recordingDoc();
    for (let i = 0; i < 1000; i++) edit(ydoc, i);
    for (const u of updates.slice(0, 800)) void s.appendUpdate('d', u);
    const before = await s.stats('d');
    expect(before.rows).toBe(800);
    // Start compaction, then append the rest while it runs.
    const order: string[] = [];
    const compaction = s.compact('d').then((r) => (order.push('compaction'), r));
    const late = Promise.all(updates.slice(800).map((u) => s.appendUpdate('d', u))).then(() => order.push('late'));
    const result = await compaction;
    await late;
    // The late rows were committed while the compaction was running (after its read, before its commit)…
    expect(order).toEqual(['late', 'compaction']);
    // …and were left alone: only the 800 rows it read were folded.
    expect(result.replaced).toBe(800);
    const after = await s.stats('d');
    expect(after.rows).toBe(1 + 1000 - result.replaced);
    console.log(
      `compaction: ${before.rows} rows (${result.replaced} folded) / ${before.bytes} B -> 1 row / ${result.bytesAfter} B ` +
        `(${(before.bytes / result.bytesAfter).toFixed(1)}x smaller)`,
    );
    expect(result.bytesAfter).toBeLessThan(before.bytes);
    const loaded = await s.loadUpdates('d');
    expect(content(rebuild(loaded))).toEqual(content(ydoc));
    // Compacting again folds the late rows in too.
    await s.compact('d');
    expect((await s.stats('d')).rows).toBe(1);
    expect(content(rebuild(await s.loadUpdates('d')))).toEqual(content(ydoc));
  });

  it('keeps updates whose dependencies are missing through compaction', async () => {
    const s = await open();
    const { ydoc, updates } = recordingDoc();
    for (let i = 0; i < 6; i++) edit(ydoc, i);
    // Store everything except update 0: the others depend on it and stay pending in the compacting doc.
    for (const u of updates.slice(1)) await s.appendUpdate('gap', u);
    await s.compact('gap');
    expect((await s.stats('gap')).rows).toBe(1);
    await s.appendUpdate('gap', updates[0]!);
    expect(content(rebuild(await s.loadUpdates('gap')))).toEqual(content(ydoc));
  });

  it('auto-compacts in the background once a doc passes compactEvery rows', async () => {
    const s = await open({ compactEvery: 50 });
    const { ydoc, updates } = recordingDoc();
    for (let i = 0; i < 120; i++) edit(ydoc, i);
    for (const u of updates) await s.appendUpdate('auto', u);
    await s.close(); // waits for background compaction
    const again = await open({ compactEvery: 50 });
    const { rows } = await again.stats('auto');
    expect(rows).toBeLessThanOrEqual(51);
    expect(content(rebuild(await again.loadUpdates('auto')))).toEqual(content(ydoc));
  });
});

describe('accounts', () => {
  const alice = {
    username: 'alice',
    displayName: '李华',
    role: 'dispatcher',
    centre: 'north',
    stationId: 's1',
  } as const;

  it('verifies the right password and returns null for a wrong one or an unknown user', async () => {
    const s = await open();
    await s.upsertAccount(alice, 'correct horse');
    expect(await s.verifyLogin('alice', 'correct horse')).toEqual(alice);
    expect(await s.verifyLogin('alice', 'Correct horse')).toBeNull();
    expect(await s.verifyLogin('alice', '')).toBeNull();
    expect(await s.verifyLogin('bob', 'correct horse')).toBeNull();
    expect(await s.getAccount('alice')).toEqual(alice);
    expect(await s.getAccount('bob')).toBeNull();
    // Upsert replaces the profile and the password.
    await s.upsertAccount({ ...alice, role: 'team_lead', stationId: undefined, city: '北京' }, 'new pass');
    expect(await s.verifyLogin('alice', 'correct horse')).toBeNull();
    expect(await s.verifyLogin('alice', 'new pass')).toEqual({
      username: 'alice',
      displayName: '李华',
      role: 'team_lead',
      centre: 'north',
      city: '北京',
    });
    await s.upsertAccount({ username: 'zed', displayName: 'Z', role: 'agent', centre: 'south' }, 'pw');
    expect((await s.listAccounts()).map((a) => a.username)).toEqual(['alice', 'zed']);
    await expect(s.upsertAccount({ ...alice, role: 'root' as 'admin' }, 'pw')).rejects.toThrow();
  });

  it('stores salted scrypt hashes: no password inside, different salts for equal passwords', async () => {
    const s = await open();
    await s.upsertAccount(alice, 'same password');
    await s.upsertAccount({ ...alice, username: 'bob' }, 'same password');
    await s.close();
    const db = await openSqlite3(join(dir, 'centre.sqlite'));
    const rows = await db.all<{ password_hash: string }>('SELECT password_hash FROM accounts ORDER BY username');
    await db.close();
    expect(rows).toHaveLength(2);
    for (const { password_hash } of rows) {
      expect(password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
      expect(password_hash).not.toContain('same password');
      expect(password_hash).not.toContain(Buffer.from('same password').toString('base64'));
    }
    const salt = (h: string) => h.split('$')[4];
    expect(salt(rows[0]!.password_hash)).not.toBe(salt(rows[1]!.password_hash));
    expect(rows[0]!.password_hash).not.toBe(rows[1]!.password_hash);
    const file = readFileSync(join(dir, 'centre.sqlite'));
    expect(file.includes('same password')).toBe(false);
  });
});

describe('order archive', () => {
  const record = (id: string, city: string, archivedAt: string, summary: string) => ({
    id,
    city,
    archivedAt,
    summary,
    json: JSON.stringify({ id, summary }),
  });

  it('finds Chinese text by substring, filters by city, newest first, upserts by id', async () => {
    const s = await open();
    expect(s.fullTextSearch).toBe(true);
    await s.archiveOrders([
      record('w1', '北京', '2026-11-01T08:00:00Z', '北京市朝阳区建国路88号 13812345678 停水 张伟'),
      record('w2', '上海', '2026-11-02T08:00:00Z', '上海市浦东新区世纪大道100号 13900001111 停电 王芳'),
      record('w3', '北京', '2026-11-03T08:00:00Z', '北京市海淀区中关村大街1号 燃气泄漏 刘洋'),
      record('w4', '北京', '2026-11-02T09:00:00+08:00', '北京市朝阳区望京街5号 水压低 Zhang Wei'),
    ]);
    const ids = async (q: Parameters<CentreStorage['searchArchive']>[0]) => (await s.searchArchive(q)).map((h) => h.id);
    expect(await ids({})).toEqual(['w3', 'w2', 'w4', 'w1']);
    expect(await ids({ text: '朝阳区' })).toEqual(['w4', 'w1']); // trigram (3 chars)
    expect(await ids({ text: '建国路88' })).toEqual(['w1']);
    expect(await ids({ text: '停电' })).toEqual(['w2']); // 2 chars: LIKE fallback
    expect(await ids({ text: '水' })).toEqual(['w4', 'w1']);
    expect(await ids({ text: '2345' })).toEqual(['w1']); // part of a caller number
    expect(await ids({ text: 'zhang' })).toEqual(['w4']); // case-insensitive Latin
    expect(await ids({ text: '朝阳区 望京' })).toEqual(['w4']); // all terms must match
    expect(await ids({ text: '北京市', city: '北京', limit: 2 })).toEqual(['w3', 'w4']);
    expect(await ids({ text: '北京市', city: '北京', limit: 2, offset: 2 })).toEqual(['w1']);
    expect(await ids({ text: '"; DROP TABLE archived_orders; --' })).toEqual([]);
    expect(await ids({ text: '100%' })).toEqual([]);
    const [hit] = await s.searchArchive({ text: '中关村' });
    expect(hit).toEqual({ id: 'w3', city: '北京', archivedAt: '2026-11-03T08:00:00Z', json: expect.any(String) });
    // Upsert: the old summary is no longer searchable, the new one is.
    await s.archiveOrders([record('w1', '北京', '2026-11-04T08:00:00Z', '北京市东城区王府井 已办结')]);
    expect(await ids({ text: '建国路' })).toEqual([]);
    expect(await ids({ text: '王府井' })).toEqual(['w1']);
    expect(await ids({})).toEqual(['w1', 'w3', 'w2', 'w4']);
    await expect(s.archiveOrders([record('bad', '北京', 'yesterday', 'x')])).rejects.toThrow();
  });

  it("reads a city's orders archived in a period, oldest first, in pages, each once (many at the same instant)", async () => {
    const s = await open();
    const base = Date.parse('2026-11-01T00:00:00Z');
    // 1,300 orders of one city over 13 instants (100 at each), some of another city, one just outside each bound.
    const at = (i: number) => new Date(base + Math.floor(i / 100) * 60_000).toISOString();
    const rows = Array.from({ length: 1300 }, (_, i) => ({
      id: `p${i}`,
      city: 'fuzhou',
      archivedAt: at(1299 - i), // written newest first: the seq order is not the time order
      summary: '',
      json: JSON.stringify({ id: `p${i}`, order: { id: `p${i}`, state: 'archived' } }),
    }));
    const others = [
      { ...rows[0]!, id: 'x1', city: 'xiamen', archivedAt: at(0) },
      { ...rows[0]!, id: 'early', archivedAt: new Date(base - 1).toISOString() },
      { ...rows[0]!, id: 'late', archivedAt: at(1300) },
    ];
    await s.archiveOrders([...rows, ...others]);
    const pages: string[][] = [];
    for await (const page of s.archivedBetween('fuzhou', base, base + 13 * 60_000)) pages.push(page.map((r) => r.id));
    expect(pages.map((p) => p.length)).toEqual([500, 500, 300]);
    const ids = pages.flat();
    expect(new Set(ids).size).toBe(1300);
    expect(ids[0]).toBe('p1200'); // archived first (at base), the first written of those
    expect(ids.at(-1)).toBe('p99');
    const first: { id: string; archivedMs: number; order: string }[] = [];
    for await (const page of s.archivedBetween('fuzhou', base, base + 1)) first.push(...page);
    expect(first).toHaveLength(100);
    expect(first[0]).toEqual({ id: 'p1200', archivedMs: base, order: '{"id":"p1200","state":"archived"}' });
  });
});

describe('opening', () => {
  it('creates the directory and rejects a corrupt centre.sqlite with CorruptDatabaseError, leaving it untouched', async () => {
    const nested = join(dir, 'a', 'b');
    const s = await openCentreStorage(nested);
    expect(s.file).toBe(join(nested, 'centre.sqlite'));
    await s.close();

    const file = join(dir, 'centre.sqlite');
    const garbage = randomBytes(32 * 1024);
    writeFileSync(file, garbage);
    const err = await openCentreStorage(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptDatabaseError);
    expect((err as Error).message).toContain(file);
    expect(readFileSync(file).equals(garbage)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['a', 'centre.sqlite']);
  });
});
