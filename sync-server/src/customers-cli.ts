// The customer directory from the command line:
//   tsx sync-server/src/customers-cli.ts generate --count 1000000 --seed 95598 --out customers.csv
//   tsx sync-server/src/customers-cli.ts import --data .data/fuzhou customers.csv
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { CUSTOMER_CSV_HEADER, csvLine, customerToCsv } from '@twinline/customers';
import { cityById, isCityId } from '@twinline/demo-data';
import { generateCustomers } from '@twinline/demo-data/customers';
import { CustomerCsvError, openCentreStorage } from './storage';
import type { ImportSummary } from './storage';

const HELP = `twinline customers: the centre's customer directory (screen-pop)

  generate --count <n> [--seed <s>] [--out <file.csv>]
      write n synthetic customers (zh-CN, Fujian) as CSV; default seed 95598, default out: standard output
  import --data <centre data dir> [--batch <n>] [--dry-run] <file.csv>
      upsert a customer CSV into the centre's directory, one transaction per batch (default 20000 rows);
      bad rows are skipped and listed with their line numbers; --dry-run only checks the file
      exit code: 0 all rows imported, 2 some rows rejected, 1 the file could not be imported

The CSV columns: ${CUSTOMER_CSV_HEADER.trim()}`;

const int = (name: string, v: string | undefined, fallback: number): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${v}`);
  return n;
};

/** Writes `count` customers of `seed` as CSV to `out`, in chunks with backpressure. Returns the rows written. */
export async function writeCustomersCsv(out: Writable, count: number, seed: number): Promise<number> {
  let chunk = CUSTOMER_CSV_HEADER;
  let n = 0;
  for (const c of generateCustomers({ seed, count })) {
    chunk += csvLine(customerToCsv(c));
    if (++n % 2000 === 0) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  if (chunk) out.write(chunk);
  return n;
}

async function generate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { count: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } },
  });
  if (values.count === undefined) throw new Error('generate needs --count');
  const count = int('count', values.count, 0);
  const seed = int('seed', values.seed, 95598);
  const started = performance.now();
  const toFile = values.out !== undefined && values.out !== '-';
  const out = toFile ? createWriteStream(resolve(values.out!)) : process.stdout;
  await writeCustomersCsv(out, count, seed);
  if (toFile) {
    out.end();
    await once(out, 'finish');
  }
  const s = ((performance.now() - started) / 1000).toFixed(1);
  console.error(`generated ${count} customers (seed ${seed}) in ${s} s${toFile ? ` → ${values.out}` : ''}`);
  return 0;
}

async function importFile(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { data: { type: 'string' }, batch: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  });
  if (!values.data) throw new Error('import needs --data <centre data dir>');
  if (positionals.length !== 1) throw new Error('import needs exactly one CSV file');
  const storage = await openCentreStorage(resolve(values.data));
  const report = (s: Readonly<ImportSummary>) =>
    console.error(
      `  ${s.rows} rows read, ${s.changed} written, ${s.rejectedCount} rejected (${(s.ms / 1000).toFixed(1)} s)`,
    );
  let summary: ImportSummary;
  try {
    let batches = 0;
    summary = await storage.customers.importCsv(createReadStream(resolve(positionals[0]!)), {
      batchSize: values.batch === undefined ? undefined : int('batch', values.batch, 20_000),
      dryRun: values['dry-run'],
      // A bare local number in a row gets the area code of the row's city.
      areaCodeOf: (city) => (isCityId(city) ? cityById(city).areaCode : undefined),
      onProgress: (s) => {
        if (++batches % 20 === 0) report(s);
      },
    });
  } catch (err) {
    if (err instanceof CustomerCsvError) {
      console.error(`import stopped: ${err.message}`);
      report(err.summary);
      return 1;
    }
    throw err;
  } finally {
    await storage.close();
  }
  for (const r of summary.rejected) console.error(`line ${r.line}: ${r.errors.join('; ')}`);
  if (summary.rejectedCount > summary.rejected.length)
    console.error(`… and ${summary.rejectedCount - summary.rejected.length} more rejected rows`);
  console.log(JSON.stringify({ ...summary, rejected: undefined, dryRun: values['dry-run'] || undefined }));
  return summary.rejectedCount > 0 ? 2 : 0;
}

/** Runs one command; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'generate') return generate(rest);
  if (command === 'import') return importFile(rest);
  console.log(HELP);
  return command === undefined || command === 'help' || command === '--help' || command === '-h' ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(`twinline customers: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}
