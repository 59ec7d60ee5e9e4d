import { chmodSync, copyFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as Y from 'yjs';
import { afterEach, describe, expect, it } from 'vitest';
import { CACHE_FILE, openCacheStore } from './cache-store';
import { b64, editedDoc, hostKit, unb64 } from './testkit';

const kit = hostKit();
afterEach(() => kit.cleanup());

/** A real cache with a document and a draft in it, closed; returns its directory and the file's bytes. */
async function realCache(): Promise<{ dir: string; bytes: Buffer }> {
  const dir = kit.dir();
  const host = await kit.open(dir);
  const { updates } = editedDoc(40);
  await host.handlers['cache.appendUpdates']({ doc: 'region/fuzhou', updates: updates.map(b64) });
  // Enough rows that the file spans many pages, so truncation cuts real content.
  for (let i = 0; i < 300; i++) {
    await host.handlers['drafts.put']({
      id: `d${i}`,
      json: JSON.stringify({ n: i, pad: randomBytes(64).toString('hex') }),
      updatedAt: i,
    });
  }
  await kit.close(host);
  return { dir, bytes: readFileSync(join(dir, CACHE_FILE)) };
}

function asideFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^cache\.corrupt-.*\.sqlite$/.test(f));
}

describe('a corrupt or unreadable cache never stops the console', () => {
  const damages: Array<[string, (file: string, original: Buffer) => void]> = [
    ['random bytes', (file) => writeFileSync(file, randomBytes(64 * 1024))],
    ['truncated to half', (file, original) => truncateSync(file, Math.floor(original.length / 2))],
    ['truncated to 100 bytes (header cut)', (file) => truncateSync(file, 100)],
    ['a text file', (file) => writeFileSync(file, 'this is not a database\n'.repeat(200))],
  ];

  for (const [what, damage] of damages) {
    it(`${what}: moves it aside, starts fresh, reports recoveredFrom, and works`, async () => {
      const { dir, bytes } = await realCache();
      const file = join(dir, CACHE_FILE);
      damage(file, bytes);
      const damaged = readFileSync(file);

      const host = await kit.open(dir);
      const status = await host.handlers['cache.status']({});
      expect(status.file).toBe(file);
      expect(status.recoveredFrom).toMatch(/cache\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z\.sqlite$/);
      expect(status.recoveryReason).toBeTruthy();
      expect(status.docs).toBe(0);
      // The bad file is kept byte for byte where the status says.
      expect(asideFiles(dir)).toHaveLength(1);
      expect(readFileSync(status.recoveredFrom!).equals(damaged)).toBe(true);
      // The fresh cache works: append, load, drafts.
      const { doc, updates } = editedDoc(3);
      await host.handlers['cache.appendUpdates']({ doc: 'region/fuzhou', updates: updates.map(b64) });
      const copy = new Y.Doc();
      for (const u of (await host.handlers['cache.loadDoc']({ doc: 'region/fuzhou' })).updates)
        Y.applyUpdate(copy, unb64(u));
      expect(copy.getMap('orders').toJSON()).toEqual(doc.getMap('orders').toJSON());
      expect(await host.handlers['drafts.put']({ id: 'x', json: '{}', updatedAt: 1 })).toEqual({ stored: true });
      await kit.close(host);

      // Next start is healthy again: no new recovery, data kept.
      const again = await kit.open(dir);
      const next = await again.handlers['cache.status']({});
      expect(next.recoveredFrom).toBeUndefined();
      expect(next.docs).toBe(1);
      expect(asideFiles(dir)).toHaveLength(1);
    });
  }

  it('never lets a leftover WAL of the bad file leak into the fresh cache', async () => {
    const { dir } = await realCache();
    const file = join(dir, CACHE_FILE);
    writeFileSync(file, randomBytes(8192));
    writeFileSync(`${file}-wal`, randomBytes(4096));
    const host = await kit.open(dir);
    const status = await host.handlers['cache.status']({});
    expect(status.recoveredFrom).toBeDefined();
    expect(status.docs).toBe(0);
    // (SQLite itself discards a WAL with a bad header; a real one is renamed to `<aside>-wal` with the file.)
    expect(await host.handlers['drafts.put']({ id: 'after', json: '{}', updatedAt: 1 })).toEqual({ stored: true });
  });

  it('does not treat a healthy cache as corrupt (no recoveredFrom, nothing moved)', async () => {
    const { dir } = await realCache();
    const host = await kit.open(dir);
    const status = await host.handlers['cache.status']({});
    expect(status.recoveredFrom).toBeUndefined();
    expect(status.docs).toBe(1);
    expect(asideFiles(dir)).toEqual([]);
    expect((await host.handlers['drafts.list']({})).drafts).toHaveLength(300);
  });

  // Root ignores directory permissions, so this one only runs as an ordinary user.
  const privileged = process.platform === 'win32' || process.getuid?.() === 0;
  const why = privileged
    ? ' [skipped: root (or Windows) ignores directory permissions, so no read-only dir can be made]'
    : '';
  it.skipIf(privileged)(
    `falls back to an in-memory cache when the directory cannot take a fresh file${why}`,
    async () => {
      const { dir } = await realCache();
      const file = join(dir, CACHE_FILE);
      writeFileSync(file, randomBytes(8192));
      chmodSync(dir, 0o500);
      try {
        const store = await openCacheStore(dir);
        const status = await store.status();
        expect(status.file).toBe(':memory:');
        expect(status.recoveryReason).toMatch(/in memory/);
        await store.close();
      } finally {
        chmodSync(dir, 0o700);
      }
    },
  );

  it('garbage-collects deleted text when compacting (load into a Y.Doc and re-encode, not mergeUpdates)', async () => {
    const dir = kit.dir();
    const store = await openCacheStore(dir, { compactAtOpen: false });
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    const text = doc.getText('note');
    for (let i = 0; i < 50; i++) {
      text.insert(0, '临时内容'.repeat(50));
      text.delete(0, text.length);
    }
    text.insert(0, '最终');
    await store.appendUpdates('region/fuzhou', updates);
    const merged = Y.mergeUpdates(updates).byteLength;
    const before = statSync(join(dir, CACHE_FILE)).size;
    expect(before).toBeGreaterThan(0);
    const stats = await store.compactAll();
    expect(stats).toEqual({ docs: 1, rowsBefore: updates.length, rowsAfter: 1 });
    const [row] = await store.loadDoc('region/fuzhou');
    expect(row!.byteLength).toBeLessThan(merged);
    const copy = new Y.Doc();
    Y.applyUpdate(copy, row!);
    expect(copy.getText('note').toString()).toBe('最终');
    await store.close();
  });

  it('survives a copied file that is damaged mid-way (quick_check finds it)', async () => {
    const { dir, bytes } = await realCache();
    const file = join(dir, CACHE_FILE);
    const copy = Buffer.from(bytes);
    // Scribble over a page in the middle of the file, leaving the header intact.
    randomBytes(4096).copy(copy, Math.floor(copy.length / 2 / 4096) * 4096);
    writeFileSync(file, copy);
    copyFileSync(file, `${file}.damaged`);
    const host = await kit.open(dir);
    const status = await host.handlers['cache.status']({});
    expect(status.recoveredFrom).toBeDefined();
    expect(readFileSync(status.recoveredFrom!).equals(readFileSync(`${file}.damaged`))).toBe(true);
  });
});
