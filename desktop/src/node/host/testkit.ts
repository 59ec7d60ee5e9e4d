// Test helpers for the host: a fresh data directory per test, closed and removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { openHost } from './host';
import type { Host, HostOptions } from './host';

export function tempDir(prefix = 'twinline-desktop-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Opens hosts on directories it made, and closes and removes them all in `cleanup`. */
export function hostKit() {
  const hosts: Host[] = [];
  const dirs: Array<() => void> = [];
  return {
    dir(): string {
      const t = tempDir();
      dirs.push(t.cleanup);
      return t.dir;
    },
    async open(dataDir: string, opts: Partial<HostOptions> = {}): Promise<Host> {
      const host = await openHost({ dataDir, ...opts });
      hosts.push(host);
      return host;
    },
    async close(host: Host): Promise<void> {
      hosts.splice(hosts.indexOf(host), 1);
      await host.close();
    },
    async cleanup(): Promise<void> {
      await Promise.all(hosts.splice(0).map((h) => h.close().catch(() => undefined)));
      for (const rm of dirs.splice(0)) rm();
    },
  };
}

export const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
export const unb64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

/** A small board-like document edited in several steps; returns the doc and each step's update. */
export function editedDoc(steps = 5): { doc: Y.Doc; updates: Uint8Array[] } {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  const orders = doc.getMap<Y.Map<unknown>>('orders');
  for (let i = 0; i < steps; i++) {
    const order = new Y.Map<unknown>();
    orders.set(`order-${i}`, order);
    order.set('status', 'open');
    const text = new Y.Text();
    order.set('note', text);
    text.insert(0, `停电 第${i}号 — 鼓楼区`);
    if (i % 2 === 1) text.delete(0, 2); // deleted content: compaction must collect it
  }
  orders.delete('order-0');
  return { doc, updates };
}
