// The demo customer directory: synthetic customers generated and upserted batch by batch (never all in memory). The
// same seed gives both centres the same directory, so a screen-pop finds the same customer at the twin.
import { generateCustomers } from '@twinline/demo-data/customers';
import type { Customer } from '@twinline/customers';
import type { Logger } from './log';
import type { CustomerDirectory } from './storage';

export interface SeedCustomersOptions {
  count: number;
  seed: number;
  /** Customers per transaction. Default 5000. */
  batchSize?: number;
  /** Stops between batches (whole batches only are written). */
  signal?: AbortSignal;
  onProgress?: (done: number) => void;
}

/** Writes customers [0, count) of the seed's directory; returns how many were written before any abort. */
export async function seedCustomers(directory: CustomerDirectory, opts: SeedCustomersOptions): Promise<number> {
  const size = opts.batchSize ?? 5000;
  let batch: Customer[] = [];
  let done = 0;
  for (const c of generateCustomers({ seed: opts.seed, count: opts.count })) {
    batch.push(c);
    if (batch.length < size) continue;
    if (opts.signal?.aborted) return done;
    await directory.upsert(batch);
    done += batch.length;
    batch = [];
    opts.onProgress?.(done);
  }
  if (batch.length && !opts.signal?.aborted) {
    await directory.upsert(batch);
    done += batch.length;
    opts.onProgress?.(done);
  }
  return done;
}

/**
 * In the background, fills a directory smaller than `count` with the demo customers (the centre answers meanwhile; lookups wait
 * for at most one batch). Returns stop(), which ends the seeding after the current batch.
 */
export function startDemoCustomers(
  directory: CustomerDirectory,
  opts: { count: number; seed: number },
  log: Logger,
): { stop(): Promise<void> } {
  const abort = new AbortController();
  const run = (async () => {
    // A seeding cut short last time (the centre stopped) is finished now: rows already there are left unchanged.
    if (opts.count === 0 || (await directory.stats()).customers >= opts.count) return;
    const started = performance.now();
    log.info({ customers: opts.count }, 'seeding the demo customer directory');
    const done = await seedCustomers(directory, { ...opts, signal: abort.signal });
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    if (done === opts.count) log.info({ customers: done, seconds }, 'demo customer directory seeded');
    else log.warn({ customers: done, of: opts.count }, 'demo customer seeding stopped part-way');
  })().catch((err: unknown) => log.error({ err }, 'demo customer seeding failed'));
  return {
    stop: async () => {
      abort.abort();
      await run;
    },
  };
}
