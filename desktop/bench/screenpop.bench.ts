// Screen-pop data benchmark: a console host's customer cache filled with 1,000,000 synthetic customers through the
// host's own handler map (customers.apply, pages of 5,000 of one city, as CustomerSync writes them), then the lookup
// the screen-pop makes, `customers.byPhone`, through the real bridge transport of browser mode (HTTP POST to the
// host with the per-launch token, the renderer's bridge client validating the answer), for random known numbers.
// The whole screen-pop (INVITE to card rendered) has a p95 budget of 100 ms; this is its data part (the whole:
// e2e/bench/screenpop.bench.ts). The fill is desktop/bench/fill-customers.ts, shared with that benchmark.
//
// Run alone: node --import tsx -e "import('./desktop/bench/screenpop.bench.ts').then((m) => m.default()).then(console.table)"
// TWINLINE_BENCH_CUSTOMERS=100000 for a shorter run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Customer } from '@twinline/customers';
import { customerAt, generateCustomers } from '@twinline/demo-data/customers';
import { fillCustomers } from './fill-customers';
import { MAX_CUSTOMERS_PER_APPLY } from '../src/common/bridge';
import { createBridgeClient } from '../src/browser/bridge-client';
import { CUSTOMERS_FILE } from '../src/node/host/customer-store';
import { openHost } from '../src/node/host/host';
import { serveHost } from '../src/node/host/serve';
import type { BenchResult } from '../../scripts/bench';
import { fileSize, pct, round } from '../../scripts/bench-kit';

const COUNT = Number(process.env.TWINLINE_BENCH_CUSTOMERS ?? 1_000_000);
const SEED = 95598;
const LOOKUPS = 3000;

const size = fileSize;
/** A small deterministic PRNG (the same numbers every run). */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

export default async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'twinline-screenpop-bench-'));
  const results: BenchResult[] = [];
  const n = COUNT.toLocaleString('en');
  try {
    // Fill through the handler map (validation included), one city per page, as the sync does.
    let host = await openHost({ dataDir: dir });
    const fill = await fillCustomers({
      count: COUNT,
      seed: SEED,
      apply: async (change) => {
        const reply = await host.dispatch('customers.apply', change);
        if (!reply.ok) throw new Error(`customers.apply: ${reply.error.message}`);
      },
      onProgress: (done) => console.error(`  ${done.toLocaleString('en')} generated`),
    });
    const fillS = fill.seconds;
    const calls = fill.pages;
    const status = await host.handlers['customers.status']({});
    if (status.customers !== COUNT) throw new Error(`the cache holds ${status.customers} customers, not ${COUNT}`);
    await host.close();
    const file = join(dir, CUSTOMERS_FILE);
    const bytes = size(file) + size(`${file}-wal`);
    results.push(
      {
        name: `fill the console's customer cache with ${n} customers (generate + customers.apply in pages of ${MAX_CUSTOMERS_PER_APPLY.toLocaleString('en')})`,
        value: round(fillS, 1),
        unit: 's',
        note: `${Math.round(COUNT / fillS).toLocaleString('en')} customers/s, ${calls} calls; generation included (the next page is made while one is written); phone, name and trigram indexes`,
      },
      {
        name: 'customer cache file size',
        value: Math.round(bytes / 2 ** 20),
        unit: 'MiB',
        note: `${Math.round(bytes / COUNT)} bytes per customer${status.fullText ? ' (with the trigram search index)' : ''}`,
      },
    );
    console.error(`  filled in ${round(fillS, 1)} s, ${Math.round(bytes / 2 ** 20)} MiB`);

    // A restart on the full file: the board does not wait, the customer cache is ready after its integrity check.
    const t0 = performance.now();
    host = await openHost({ dataDir: dir });
    const hostMs = performance.now() - t0;
    await host.customers;
    const customersMs = performance.now() - t0;
    results.push({
      name: `host restart with ${n} cached customers: customer cache ready (quick_check of the file)`,
      value: Math.round(customersMs),
      unit: 'ms',
      note: `the host (board cache) was ready after ${Math.round(hostMs)} ms and does not wait for it`,
    });

    const served = await serveHost({
      dispatch: host.dispatch,
      rendererDir: join(dir, 'no-renderer'),
      settings: () => host.handlers['settings.get']({}),
    });
    try {
      const bridge = createBridgeClient({ hostUrl: served.url, token: served.token, fetch });
      const random = lcg(4242);
      const known = () => {
        const c = customerAt(SEED, Math.floor(random() * COUNT));
        return { account: c.account, phone: c.phones[Math.floor(random() * c.phones.length)]! };
      };
      for (let i = 0; i < 100; i++) await bridge.call('customers.byPhone', { phone: known().phone }); // warm-up
      const samples: number[] = [];
      let found = 0;
      for (let i = 0; i < LOOKUPS; i++) {
        const { account, phone } = known();
        const t = performance.now();
        const r = await bridge.call('customers.byPhone', { phone });
        samples.push(performance.now() - t);
        if (r.customers.some((c) => c.account === account)) found++;
      }
      if (found !== LOOKUPS) throw new Error(`only ${found} of ${LOOKUPS} known numbers were found`);
      for (const p of [50, 95, 99])
        results.push({
          name: `customers.byPhone p${p}, browser-mode bridge (HTTP to the host), ${n} customers`,
          value: round(pct(samples, p), 2),
          unit: 'ms',
          ...(p === 95 ? { target: '< 20 (of the 100 ms screen-pop)', met: pct(samples, 95) < 20 } : {}),
          ...(p === 50 ? { note: `${LOOKUPS} random known numbers, all found` } : {}),
        });

      // The same lookups while the sync writes pages (a first download, a full resync at the twin): new customers in
      // pages of 2,000 (CustomerSync's default), one after another, as fast as the host takes them.
      let writing = true;
      let written = 0;
      const writer = (async () => {
        for (let start = COUNT; writing; start += 2000) {
          const byCity = new Map<string, Customer[]>();
          for (const c of generateCustomers({ seed: SEED, count: 2000, start }))
            byCity.set(c.region.city, [...(byCity.get(c.region.city) ?? []), c]);
          for (const [city, rows] of byCity) {
            const reply = await host.dispatch('customers.apply', { centre: 'xiamen', city, rows, removed: [] });
            if (!reply.ok) throw new Error(`customers.apply: ${reply.error.message}`);
            written += rows.length;
          }
        }
      })();
      const busy: number[] = [];
      for (let i = 0; i < 1000; i++) {
        const { phone } = known();
        const t = performance.now();
        await bridge.call('customers.byPhone', { phone });
        busy.push(performance.now() - t);
      }
      writing = false;
      await writer;
      for (const p of [50, 95, 99])
        results.push({
          name: `customers.byPhone p${p} while the sync writes pages of 2,000 customers`,
          value: round(pct(busy, p), 2),
          unit: 'ms',
          ...(p === 95 ? { target: '< 20', met: pct(busy, 95) < 20 } : {}),
          ...(p === 50 ? { note: `${written.toLocaleString('en')} customers written meanwhile` } : {}),
        });

      const unknown: number[] = [];
      for (let i = 0; i < 500; i++) {
        const phone = `130${String(Math.floor(random() * 1e8)).padStart(8, '0')}`;
        const t = performance.now();
        await bridge.call('customers.byPhone', { phone });
        unknown.push(performance.now() - t);
      }
      results.push({
        name: 'customers.byPhone p95 for numbers not in the cache',
        value: round(pct(unknown, 95), 2),
        unit: 'ms',
      });

      const queries = ['陈秀英', '湖滨南路', '林 阳光花园', '1380013', '福州市鼓楼区五四路', '陈'];
      const searches: number[] = [];
      for (let r = 0; r < 10; r++)
        for (const q of queries) {
          const t = performance.now();
          await bridge.call('customers.search', { q, limit: 20 });
          searches.push(performance.now() - t);
        }
      results.push({
        name: 'customers.search p95, browser-mode bridge (name, street, name + estate, phone prefix, address, surname)',
        value: round(pct(searches, 95), 2),
        unit: 'ms',
        target: '< 100',
        met: pct(searches, 95) < 100,
      });
      const st = performance.now();
      await bridge.call('customers.status', {});
      results.push({ name: 'customers.status', value: round(performance.now() - st, 2), unit: 'ms' });
    } finally {
      await served.close();
      await host.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
