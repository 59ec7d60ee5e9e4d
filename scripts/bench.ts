// `pnpm bench`: runs every benchmark module and writes bench/RESULTS.md with the machine and the date.
// Targets are checked here (as ratios or figures within one run), never as timed assertions in the test suite.
import { cpus, totalmem, hostname } from 'node:os';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
  note?: string;
}

const ROOT = resolve(import.meta.dirname, '..');
const MODULES = [
  'packages/board/src/bench/year.bench.ts',
  'packages/routing/src/bench/routing.bench.ts',
  'sync-server/bench/centre.bench.ts',
  'sync-server/bench/customers.bench.ts',
  'sync-server/bench/calls.bench.ts',
  'desktop/bench/screenpop.bench.ts',
  'e2e/bench/console.bench.ts',
  'e2e/bench/sip.bench.ts',
];

const only = process.argv.slice(2);
const rows: { module: string; result: BenchResult }[] = [];
for (const path of MODULES) {
  if (only.length && !only.some((o) => path.includes(o))) continue;
  console.error(`bench: ${path}`);
  let results: BenchResult[];
  try {
    const mod = (await import(resolve(ROOT, path))) as { default: () => Promise<BenchResult[]> };
    results = await mod.default();
  } catch (error) {
    // One broken benchmark must not hide the others' figures: record it as a failed row.
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    console.error(`  FAILED: ${message}`);
    results = [{ name: `${path} failed to run`, value: NaN, unit: '', met: false, note: message.replaceAll('|', '/') }];
  }
  for (const result of results) {
    rows.push({ module: path, result });
    console.error(
      `  ${result.name}: ${result.value} ${result.unit}${result.target ? ` (target ${result.target}${result.met === undefined ? '' : result.met ? ', met' : ', NOT met'})` : ''}`,
    );
  }
}

const cpu = cpus();
const machine = `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, host ${hostname()}`;
const lines = [
  '# Benchmark results',
  '',
  `Run ${new Date().toISOString()} on ${machine}.`,
  'Written by `pnpm bench`; one run, a noisy shared machine: compare figures within a run, not across runs.',
  '',
  '| benchmark | value | unit | target | met | note |',
  '|---|---|---|---|---|---|',
  ...rows.map(
    ({ result: r }) =>
      `| ${r.name} | ${r.value} | ${r.unit} | ${r.target ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : 'NO'} | ${r.note ?? ''} |`,
  ),
  '',
];
writeFileSync(resolve(ROOT, 'bench/RESULTS.md'), lines.join('\n'));
console.error('bench: wrote bench/RESULTS.md');
