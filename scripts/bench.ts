// `pnpm bench`: runs every benchmark module and writes bench/RESULTS.md with the machine and the date, one section a
// module. `pnpm bench <filter>…` runs only the modules whose path contains a filter and keeps the other sections.
// Targets are checked here (as ratios or figures within one run), never as timed assertions in the test suite.
import { cpus, totalmem, hostname } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
  'packages/workorder/src/bench/sla.bench.ts',
  'packages/routing/src/bench/routing.bench.ts',
  'sync-server/bench/centre.bench.ts',
  'sync-server/bench/figures.bench.ts',
  'sync-server/bench/customers.bench.ts',
  'sync-server/bench/calls.bench.ts',
  'desktop/bench/screenpop.bench.ts',
  'desktop/bench/outage-area.bench.ts',
  'e2e/bench/console.bench.ts',
  'e2e/bench/sip.bench.ts',
  'e2e/bench/screenpop.bench.ts',
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
const OUT = resolve(ROOT, 'bench/RESULTS.md');
const HEADING = /^## `([^`]+)`$/;

/** The sections of the results file as it is, by module path (a file from before sections has none). */
function sectionsOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | null = null;
  let lines: string[] = [];
  const flush = () => current && out.set(current, lines.join('\n').trimEnd());
  for (const line of text.split('\n')) {
    const m = HEADING.exec(line);
    if (m) {
      flush();
      current = m[1]!;
      lines = [line];
    } else if (current) lines.push(line);
  }
  flush();
  return out;
}

const sections = existsSync(OUT) ? sectionsOf(readFileSync(OUT, 'utf8')) : new Map<string, string>();
const at = new Date().toISOString();
for (const path of MODULES) {
  const mine = rows.filter((r) => r.module === path);
  if (mine.length === 0) continue;
  sections.set(
    path,
    [
      `## \`${path}\``,
      '',
      `Run ${at} on ${machine}.`,
      '',
      '| benchmark | value | unit | target | met | note |',
      '|---|---|---|---|---|---|',
      ...mine.map(
        ({ result: r }) =>
          `| ${r.name} | ${r.value} | ${r.unit} | ${r.target ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : 'NO'} | ${r.note ?? ''} |`,
      ),
    ].join('\n'),
  );
}
const lines = [
  '# Benchmark results',
  '',
  'Written by `pnpm bench` (all modules) or `pnpm bench <filter>` (only the modules whose path contains the filter;',
  'the other sections stay as they were). Each section is one run on a noisy shared machine: compare figures within',
  'a section, not across sections or runs.',
  '',
  ...MODULES.filter((m) => sections.has(m)).flatMap((m) => [sections.get(m)!, '']),
];
writeFileSync(OUT, lines.join('\n'));
console.error('bench: wrote bench/RESULTS.md');
