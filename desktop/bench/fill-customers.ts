// Filling a console's customer cache (customers.sqlite) with the demo directory (@twinline/demo-data/customers), for
// the screen-pop benchmarks: pages of one city, as CustomerSync writes them, with the delta cursor of a centre.
//
//   await fillCustomers({ count, seed, apply: (c) => host.dispatch('customers.apply', c) });   // through the bridge
//   await fillCustomerFile(dataDir, { count, seed, centre: 'xiamen' });  // fastest: the host's store, before it runs
//
// Customer i is a pure function of (seed, i) (customerAt), so a benchmark finds known callers without keeping them.
import type { Customer } from '@twinline/customers';
import { generateCustomers } from '@twinline/demo-data/customers';
import { MAX_CUSTOMERS_PER_APPLY } from '../src/common/bridge';
import { openCustomerStore } from '../src/node/host/customer-store';
import type { CustomerApply } from '../src/node/host/customer-store';

export interface FillCustomersOptions {
  /** Customers 0 … count-1 of the seed's directory. */
  count: number;
  seed: number;
  /** Writes one page (rows of one city). One page is written at a time; the next is generated meanwhile. */
  apply: (change: CustomerApply) => Promise<unknown>;
  /** Rows per page (default MAX_CUSTOMERS_PER_APPLY, the bridge's limit). */
  pageSize?: number;
  /** The centre whose delta cursors the pages carry (default 'fuzhou'): nextVersion counts the city's rows. */
  centre?: string;
  /** Called every 200,000 customers generated. */
  onProgress?: (generated: number) => void;
}

export interface FillResult {
  seconds: number;
  /** Pages written (apply calls). */
  pages: number;
}

/** Writes the directory's first `count` customers through `apply`, page by page of one city. */
export async function fillCustomers(o: FillCustomersOptions): Promise<FillResult> {
  const pageSize = o.pageSize ?? MAX_CUSTOMERS_PER_APPLY;
  const centre = o.centre ?? 'fuzhou';
  const pending = new Map<string, Customer[]>();
  const cursor = new Map<string, number>();
  let writing: Promise<unknown> = Promise.resolve();
  let pages = 0;
  const flush = async (city: string, caughtUp: boolean) => {
    const rows = pending.get(city) ?? [];
    pending.set(city, []);
    const nextVersion = (cursor.get(city) ?? 0) + rows.length;
    cursor.set(city, nextVersion);
    await writing; // the previous page; this one was generated while it was written
    writing = o.apply({ centre, city, rows, removed: [], nextVersion, caughtUp });
    pages++;
  };
  const t0 = performance.now();
  let generated = 0;
  for (const c of generateCustomers({ seed: o.seed, count: o.count })) {
    const city = c.region.city;
    let page = pending.get(city);
    if (!page) pending.set(city, (page = []));
    page.push(c);
    if (page.length >= pageSize) await flush(city, false);
    if (++generated % 200_000 === 0) o.onProgress?.(generated);
  }
  for (const city of pending.keys()) await flush(city, true);
  await writing;
  return { seconds: (performance.now() - t0) / 1000, pages };
}

/**
 * The fastest correct fill of a console's data dir before its host starts: the host's own customer store (its
 * schema, triggers, search index and checks; the bridge's schema check and HTTP skipped), pages of 50,000 rows and a
 * page cache that holds the indexes (a million customers in random key order otherwise re-read index pages for every
 * page written). Rejects unless the cache then holds exactly `count` customers.
 */
export async function fillCustomerFile(
  dataDir: string,
  o: Omit<FillCustomersOptions, 'apply' | 'pageSize'> & { pageSize?: number },
): Promise<FillResult & { customers: number }> {
  const store = await openCustomerStore(dataDir, { integrityCheck: 'none', cacheKiB: 1024 * 1024 });
  try {
    const result = await fillCustomers({ pageSize: 50_000, ...o, apply: (change) => store.apply(change) });
    const { customers } = await store.status();
    if (customers !== o.count) throw new Error(`the cache holds ${customers} customers, not ${o.count}`);
    return { ...result, customers };
  } finally {
    await store.close();
  }
}
