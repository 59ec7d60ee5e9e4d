// Customer directory benchmarks: generate and import 1,000,000 customers (time, database size), then screen-pop
// lookups by phone on that directory, in the storage and over HTTP from a real centre process, plus quick search
// and a whole city's delta (what a console's cache downloads on first start).
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { customerAt } from '@twinline/demo-data/customers';
import { writeCustomersCsv } from '../src/customers-cli';
import { openCentreStorage } from '../src/storage';
import { login, startCentreProcess } from '../test/harness';
import type { BenchResult } from '../../scripts/bench';
import { fileSize, pct, round } from '../../scripts/bench-kit';

const COUNT = Number(process.env.TWINLINE_BENCH_CUSTOMERS ?? 1_000_000);
const SEED = 95598;

const size = fileSize;
/** Phones of customers spread over the whole directory (generated again from the seed, nothing kept). */
const samplePhones = (n: number) =>
  Array.from({ length: n }, (_, i) => customerAt(SEED, Math.floor(((i * 7919) % n) * (COUNT / n))).phones[0]!);

export default async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'twinline-customers-bench-'));
  const results: BenchResult[] = [];
  try {
    const csv = join(dir, 'customers.csv');
    let t0 = performance.now();
    const out = createWriteStream(csv);
    await writeCustomersCsv(out, COUNT, SEED);
    out.end();
    await once(out, 'finish');
    const generateS = (performance.now() - t0) / 1000;
    results.push({
      name: `generate ${COUNT.toLocaleString('en')} customers to CSV`,
      value: round(generateS, 1),
      unit: 's',
      target: '< 60',
      met: generateS < 60,
      note: `${Math.round(size(csv) / 2 ** 20)} MiB of CSV`,
    });
    console.error(`  generated in ${round(generateS, 1)} s`);

    const data = join(dir, 'centre');
    const storage = await openCentreStorage(data);
    t0 = performance.now();
    const summary = await storage.customers.importCsv(createReadStream(csv));
    const importS = (performance.now() - t0) / 1000;
    await storage.close();
    rmSync(csv);
    const dbBytes = size(join(data, 'centre.sqlite')) + size(join(data, 'centre.sqlite-wal'));
    results.push(
      {
        name: `import ${COUNT.toLocaleString('en')} customers from CSV (parse, validate, upsert, phone and search indexes)`,
        value: round(importS, 1),
        unit: 's',
        target: '< 120',
        met: importS < 120 && summary.changed === COUNT,
        note: `${Math.round(COUNT / importS).toLocaleString('en')} rows/s, ${summary.batches} transactions`,
      },
      { name: 'directory database size', value: Math.round(dbBytes / 2 ** 20), unit: 'MiB' },
    );
    console.error(`  imported in ${round(importS, 1)} s, ${Math.round(dbBytes / 2 ** 20)} MiB`);

    // In the storage: what the centre's endpoint spends per lookup.
    const direct = await openCentreStorage(data);
    const phones = samplePhones(5000);
    const samples: number[] = [];
    for (const phone of phones) {
      const t = performance.now();
      const found = await direct.customers.byPhone(phone);
      samples.push(performance.now() - t);
      if (found.length === 0) throw new Error(`no customer for ${phone}`);
    }
    for (const p of [50, 95, 99])
      results.push({
        name: `lookup by phone p${p}, storage, ${COUNT.toLocaleString('en')} customers`,
        value: round(pct(samples, p), 3),
        unit: 'ms',
        ...(p === 99 ? { target: '< 5', met: pct(samples, 99) < 5 } : {}),
      });

    const queries = ['陈秀英', '湖滨南路', '林 阳光花园', '1380013', '福州市鼓楼区五四路'];
    const searches: number[] = [];
    for (let r = 0; r < 20; r++)
      for (const q of queries) {
        const t = performance.now();
        await direct.customers.search(q, { limit: 20 });
        searches.push(performance.now() - t);
      }
    results.push({
      name: 'quick search p95 (name, street, name + estate, phone prefix, address)',
      value: round(pct(searches, 95), 2),
      unit: 'ms',
      target: '< 50',
      met: pct(searches, 95) < 50,
    });

    t0 = performance.now();
    let rows = 0;
    for (let since = 0, more = true; more;) {
      const page = await direct.customers.delta('xiamen', since, 5000);
      rows += page.rows.length;
      since = page.nextVersion;
      more = page.more;
    }
    const deltaS = (performance.now() - t0) / 1000;
    results.push({
      name: "a whole city's delta from version 0 (Xiamen, pages of 5,000), storage",
      value: round(deltaS, 2),
      unit: 's',
      note: `${rows.toLocaleString('en')} customers`,
    });
    await direct.close();

    // Over HTTP from a real centre process: what a console's screen-pop waits for.
    const centre = await startCentreProcess({ name: 'fuzhou', dataDir: data, logLevel: 'info' });
    try {
      const token = await login(centre, 'agent.fz');
      const http: number[] = [];
      for (const phone of phones.slice(0, 2000)) {
        const t = performance.now();
        const res = await fetch(`${centre.http}/api/customers/by-phone?phone=${phone}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        await res.json();
        http.push(performance.now() - t);
      }
      for (const p of [50, 95, 99])
        results.push({
          name: `lookup by phone p${p}, HTTP GET /api/customers/by-phone`,
          value: round(pct(http, p), 2),
          unit: 'ms',
          ...(p === 95 ? { target: '< 20', met: pct(http, 95) < 20 } : {}),
        });
    } finally {
      await centre.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
