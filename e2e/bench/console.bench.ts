// Console benchmarks in browser mode (Debian Chromium, real centres, real host with its SQLite cache):
//  1. keeping the board current under 100 remote edits a second, with 20,000 open orders on the board: the longest
//     main-thread task in the page (target < 50 ms);
//  2. cold start to a usable board from a cache holding those 20,000 orders, no centre answering (target < 1.5 s).
import type { Page } from 'playwright-core';
import * as Y from 'yjs';
import { comment, orderIds, regionDoc } from '@twinline/board';
import type { Actor } from '@twinline/workorder';
import type { BenchResult } from '../../scripts/bench';
import { connectClient, login as apiLogin, startTwins } from '../../sync-server/test/harness';
import { launchBrowser, login, startHost } from '../stack';

const ORDERS = 20_000;
const lead: Actor = { userId: 'lead.fz', role: 'team_lead', centre: 'fuzhou' };

/** Resolves when the board says it shows `n` orders. */
async function boardShows(page: Page, n: number, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const el = document.querySelector('[data-testid="board-count"]');
      return el !== null && Number(el.getAttribute('data-total')) >= want;
    },
    n,
    { timeout, polling: 50 },
  );
}

export default async function run(): Promise<BenchResult[]> {
  process.setMaxListeners(0);
  const results: BenchResult[] = [];
  // The escalation ladder would write into thousands of overdue demo orders at start: not part of this scenario.
  const twins = await startTwins({ demoOrders: ORDERS, logLevel: 'info', flags: ['--escalation-ms', '0'] });
  const browser = await launchBrowser();
  const centres = [
    { name: 'fuzhou', url: twins.fuzhou.url },
    { name: 'xiamen', url: twins.xiamen.url },
  ];
  try {
    // 1. A console signs in and fills its cache from the centre; then a remote client edits 100 times a second.
    const host = await startHost({ centres, home: 'fuzhou' });
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN' });
    await page.addInitScript(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(host.open);
    await login(page, 'lead.fz');
    await boardShows(page, ORDERS);

    const token = await apiLogin(twins.fuzhou, 'lead.fz');
    const editor = connectClient(twins.fuzhou, regionDoc('fuzhou'), token, new Y.Doc());
    await editor.synced();
    const ids = orderIds(editor.doc);
    await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks.length = 0));
    const seconds = 10;
    for (let s = 0; s < seconds; s++) {
      const t0 = Date.now();
      for (let i = 0; i < 100; i++) {
        comment(editor.doc, ids[(s * 100 + i) % ids.length]!, `远程备注 ${s}-${i}`, lead);
        await new Promise((r) => setTimeout(r, 8));
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - t0))));
    }
    await page.waitForTimeout(500);
    const tasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
    const longest = tasks.length ? Math.max(...tasks) : 0;
    results.push({
      name: `longest main-thread task while 100 remote edits/s arrive for ${seconds} s (${ORDERS.toLocaleString('en')} orders on the board)`,
      value: Math.round(longest),
      unit: 'ms',
      target: '< 50',
      met: longest < 50,
      note: `${tasks.length} long tasks (> 50 ms is a long task; 0 means none)`,
    });
    editor.destroy();
    await page.waitForTimeout(500); // let the cache batch flush
    await page.close();
    await host.stop();

    // 2. Both centres gone; the console opens from its cache alone.
    await Promise.all([twins.fuzhou.stop(), twins.xiamen.stop()]);
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const again = await startHost({ centres, home: 'fuzhou', dataDir: host.dataDir });
      const p = await browser.newPage({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN' });
      const t0 = Date.now();
      await p.goto(again.open);
      await boardShows(p, ORDERS, 30_000);
      samples.push(Date.now() - t0);
      await p.close();
      await again.stop();
    }
    const median = [...samples].sort((a, b) => a - b)[1]!;
    results.push({
      name: `cold start to a usable board from a cache of ${ORDERS.toLocaleString('en')} open orders, no centre up (median of 3)`,
      value: median,
      unit: 'ms',
      target: '< 1500',
      met: median < 1500,
      note: `runs: ${samples.join(', ')} ms (navigation to the board showing every order)`,
    });
  } finally {
    await browser.close();
    await Promise.all([twins.fuzhou.stop(), twins.xiamen.stop()]);
  }
  return results;
}
