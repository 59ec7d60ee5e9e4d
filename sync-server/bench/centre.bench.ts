// Centre benchmarks: relay latency (same centre and across the twins), memory over connect/disconnect rounds, and
// presence traffic with 500 consoles on one document.
import * as Y from 'yjs';
import { comment, createOrder } from '@twinline/board';
import type { Actor } from '@twinline/workorder';
import { connectClient, eventually, login, startTwins } from '../test/harness';
import type { CentreProcess, Client } from '../test/harness';
import type { BenchResult } from '../../scripts/bench';
import { pct, round } from '../../scripts/bench-kit';

const lead: Actor = { userId: 'lead.fz', role: 'team_lead', centre: 'fuzhou' };
const draft = {
  type: 'repair' as const,
  channel: 'phone' as const,
  priority: 'normal' as const,
  region: { city: 'fuzhou', county: 'gulou', areaClass: 'urban' as const },
  address: '福州市鼓楼区东街 1 号',
  callerNumber: '059100000000',
  description: '压测工单',
};

async function relayLatency(from: Client, to: Client, n: number): Promise<number[]> {
  const id = createOrder(from.doc, draft, lead);
  await eventually(() => to.doc.getMap('orders').has(id), 'order arrives');
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const arrived = new Promise<void>((res) => to.doc.once('update', () => res()));
    const t0 = performance.now();
    comment(from.doc, id, `第 ${i} 条`, lead);
    await arrived;
    samples.push(performance.now() - t0);
  }
  return samples;
}

async function rss(c: CentreProcess): Promise<number> {
  const text = await (await fetch(`${c.http}/metrics`)).text();
  return Number(/process_resident_memory_bytes\{[^}]*\} (\d+)/.exec(text)?.[1] ?? NaN);
}

export default async function run(): Promise<BenchResult[]> {
  process.setMaxListeners(0); // y-websocket adds an exit listener per provider under Node
  const { fuzhou, xiamen } = await startTwins({ logLevel: 'info' });
  const results: BenchResult[] = [];
  try {
    const token = await login(fuzhou, 'lead.fz');
    const a = connectClient(fuzhou, 'region/fuzhou', token);
    const b = connectClient(fuzhou, 'region/fuzhou', token);
    const c = connectClient(xiamen, 'region/fuzhou', await login(xiamen, 'lead.xm'));
    await Promise.all([a.synced(), b.synced(), c.synced()]);
    const same = await relayLatency(a, b, 1000);
    results.push(
      { name: 'relay p50, one centre (commit to SQLite, then relay)', value: round(pct(same, 50)), unit: 'ms' },
      { name: 'relay p99, one centre', value: round(pct(same, 99)), unit: 'ms' },
    );
    const twin = await relayLatency(a, c, 500);
    results.push(
      { name: 'relay p50, across the twins', value: round(pct(twin, 50)), unit: 'ms' },
      { name: 'relay p99, across the twins', value: round(pct(twin, 99)), unit: 'ms' },
    );
    for (const x of [a, b, c]) x.destroy();

    // Many consoles, spread over the demo accounts that may open region/fuzhou (a user may hold 16 sockets at most).
    const { DEMO_ACCOUNTS } = await import('@twinline/demo-data/people');
    const tokens = await Promise.all(
      DEMO_ACCOUNTS.filter((u) => u.role !== 'dispatcher' || u.city === 'fuzhou').map((u) => login(fuzhou, u.username)),
    );
    const tokenFor = (i: number) => tokens[i % tokens.length]!;
    console.error(`  relay done; ${tokens.length} accounts logged in`);

    // Memory over a shift: 3 rounds of 300 consoles connecting (with presence) and leaving.
    const rounds: number[] = [];
    for (let r = 0; r < 3; r++) {
      const cs = Array.from({ length: 300 }, (_, i) => {
        const cl = connectClient(fuzhou, 'region/fuzhou', tokenFor(i), new Y.Doc());
        cl.provider.awareness.setLocalStateField('user', { name: `坐席${i}` });
        return cl;
      });
      await Promise.all(cs.map((x) => x.synced()));
      for (const x of cs) x.destroy();
      await new Promise((res) => setTimeout(res, 12_000)); // past the unload delay
      rounds.push(await rss(fuzhou));
      console.error(`  memory round ${r + 1}: ${Math.round(rounds[r]! / 2 ** 20)} MiB`);
    }
    const growth = rounds[2]! / rounds[0]!;
    results.push({
      name: 'centre RSS after round 3 / after round 1 (300 consoles join and leave per round)',
      value: round(growth, 3),
      unit: 'ratio',
      target: '< 1.10',
      met: growth < 1.1,
      note: `RSS ${rounds.map((x) => Math.round(x / 2 ** 20)).join(' / ')} MiB`,
    });

    // Presence: 500 consoles on one document, each changing its presence 10 times a second for 5 s.
    const many = Array.from({ length: 500 }, (_, i) => connectClient(fuzhou, 'region/fuzhou', tokenFor(i)));
    await Promise.all(many.map((x) => x.synced()));
    let received = 0;
    for (const x of many) x.provider.awareness.on('update', () => received++);
    const t0 = Date.now();
    const timer = setInterval(() => {
      for (const [i, x] of many.entries()) x.provider.awareness.setLocalStateField('cursor', { i, t: Date.now() });
    }, 100);
    await new Promise((res) => setTimeout(res, 5000));
    clearInterval(timer);
    const secs = (Date.now() - t0) / 1000;
    const perConsole = received / many.length / secs;
    results.push({
      name: 'presence updates applied per console per second (500 consoles × 10 changes/s)',
      value: round(perConsole, 1),
      unit: 'per s',
      target: '≤ 20 (unbatched relay would be 5,000)',
      met: perConsole <= 20,
      note: 'server batches every 100 ms and rate-limits each socket to 5/s',
    });
    for (const x of many) x.destroy();
  } finally {
    await Promise.all([fuzhou.stop(), xiamen.stop()]);
  }
  return results;
}
