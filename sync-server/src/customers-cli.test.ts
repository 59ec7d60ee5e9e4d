import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from './customers-cli';
import { openCentreStorage } from './storage';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-customers-cli-'));
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('customers CLI', () => {
  it('generates a CSV and imports it into a centre data directory; exit 2 names the rejected line', async () => {
    const csv = join(dir, 'c.csv');
    expect(await main(['generate', '--count', '500', '--seed', '9', '--out', csv])).toBe(0);
    expect(readFileSync(csv, 'utf8').trimEnd().split('\n')).toHaveLength(501);
    appendFileSync(csv, '123,坏行,13800138000,xiamen,siming,某地,st-xiamen-siming,tq1,0,0,,,\n');
    expect(await main(['import', '--data', join(dir, 'centre'), csv])).toBe(2);
    expect(vi.mocked(console.error).mock.calls.flat().join('\n')).toMatch(/^line 502: account: /m);
    const storage = await openCentreStorage(join(dir, 'centre'));
    expect((await storage.customers.stats()).customers).toBe(500);
    await storage.close();
  });

  it('refuses a file that is not a customer CSV (exit 1) and a missing --count', async () => {
    const bad = join(dir, 'bad.csv');
    appendFileSync(bad, 'a,b,c\n1,2,3\n');
    expect(await main(['import', '--data', join(dir, 'centre'), bad])).toBe(1);
    await expect(main(['generate'])).rejects.toThrow(/--count/);
  });
});
