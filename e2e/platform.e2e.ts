// The desktop platform in browser mode: the Node host serves the built renderer to Debian's Chromium, the renderer
// reaches the host's SQLite cache and settings through the one bridge, under a strict CSP, and a corrupt cache file
// is set aside without stopping the console.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, startHost } from './stack';
import type { HostProcess } from './stack';

const centres = [
  { name: 'fuzhou', url: 'ws://127.0.0.1:4401' },
  { name: 'xiamen', url: 'ws://127.0.0.1:4402' },
];

describe('desktop platform in browser mode', () => {
  let browser: Browser;
  const hosts: HostProcess[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(hosts.map((h) => h.stop()));
  });

  async function open(dataDir?: string): Promise<{ host: HostProcess; page: Page; cspViolations: string[] }> {
    const host = await startHost({ centres, home: 'fuzhou', dataDir });
    hosts.push(host);
    const page = await browser.newPage({ locale: 'zh-CN' });
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (m.text().includes('Content Security Policy')) cspViolations.push(m.text());
    });
    await page.goto(host.open);
    return { host, page, cspViolations };
  }

  it('the renderer reaches the host cache and settings through the bridge, with no CSP violation', async () => {
    const { page, host, cspViolations } = await open();
    await page.getByTestId('cache-status').waitFor();
    expect(await page.getByTestId('mode').textContent()).toBe('bridge: browser');
    const status = JSON.parse((await page.getByTestId('cache-status').textContent())!) as { file: string };
    expect(status.file).toBe(join(host.dataDir, 'cache.sqlite'));
    const settings = JSON.parse((await page.getByTestId('settings').textContent())!) as {
      homeCentre: string;
      centres: { name: string }[];
    };
    expect(settings.homeCentre).toBe('fuzhou');
    expect(settings.centres.map((c) => c.name)).toEqual(['fuzhou', 'xiamen']);
    expect(cspViolations).toEqual([]);
    // Without the per-launch token the host refuses the bridge.
    const res = await page.request.post(new URL('/bridge/cache.status', host.open).toString(), { data: {} });
    expect(res.status()).toBe(401);
    await screenshot(page, 'platform-browser-mode');
  });

  it('a corrupt cache file is set aside and the console says so', async () => {
    const first = await open();
    await first.page.getByTestId('cache-status').waitFor();
    await first.page.close();
    await first.host.stop();
    writeFileSync(join(first.host.dataDir, 'cache.sqlite'), Buffer.from('not a database '.repeat(200)));
    const again = await open(first.host.dataDir);
    await again.page.getByTestId('recovered').waitFor({ timeout: 15_000 });
    expect(await again.page.getByTestId('recovered').textContent()).toContain('cache.corrupt-');
    const status = JSON.parse((await again.page.getByTestId('cache-status').textContent())!) as { docs: number };
    expect(status.docs).toBe(0);
  });
});
