// Failover with real centre processes: kill -9 the home centre, then lose both and restart the console offline.
import { beforeAll, describe, expect, it } from 'vitest';
import { CITY_IDS, comment, createOrder, readOrder, regionDoc } from '@twinline/board';
import { eventually, login } from '../../../sync-server/test/harness';
import type { CentreProcess } from '../../../sync-server/test/harness';
import type { BoardState } from './connection';
import { MemoryCache } from './cache';
import { at, consolesOnTwins } from './testkit';
import type { Twins } from './testkit';

process.setMaxListeners(100); // y-websocket adds a process 'exit' listener per provider under Node

type Actor = Parameters<typeof createOrder>[2];

const draft = (city: 'fuzhou' | 'xiamen', county: string, address: string) => ({
  type: 'repair' as const,
  channel: 'phone' as const,
  priority: 'urgent' as const,
  region: { city, county, areaClass: 'urban' as const },
  address,
  callerNumber: '05911234567',
  callerName: '陈先生',
  description: '小区停水，水管爆裂',
});

describe('console failover between the twin centres', () => {
  const env = consolesOnTwins();
  const open = env.open;
  let twins: Twins;
  const running = (c: CentreProcess) => c.child.exitCode === null && c.child.signalCode === null;

  beforeAll(() => {
    twins = env.twins;
  });

  it('kill -9 of the home centre: every document is on the twin within 3 s and keeps working', async () => {
    const agentFz: Actor = { userId: 'agent1.fz', role: 'agent', centre: 'fuzhou' };
    const docs = CITY_IDS.map(regionDoc); // an agent's console: all nine region documents
    // The worst case of the jitter (0.999 of 1000 ms), so the bound holds for every console, not just a lucky one.
    const a = open({
      centres: at(twins.fuzhou, twins.xiamen),
      token: await login(twins.fuzhou, 'agent1.fz'),
      docs,
      random: () => 0.999,
    });
    const b = open({
      centres: at(twins.xiamen, twins.fuzhou),
      token: await login(twins.xiamen, 'agent1.xm'),
      docs: ['region/xiamen'],
    });
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    expect(a.getState()).toEqual({ centre: 'fuzhou', status: 'synced', failedOver: false });
    const before = createOrder(a.doc('region/xiamen'), draft('xiamen', 'siming', '厦门市思明区湖滨南路 1 号'), agentFz);
    await eventually(() => readOrder(b.doc('region/xiamen'), before) !== undefined, 'order reaches xiamen');

    const seen: (BoardState & { t: number })[] = [];
    a.onState((s) => seen.push({ ...s, t: Date.now() }));
    const killedAt = Date.now();
    await twins.fuzhou.stop('SIGKILL');
    await eventually(
      () => a.getState().centre === 'xiamen' && a.getState().status === 'synced',
      'synced on xiamen',
      6000,
    );
    const tookMs = seen.find((s) => s.centre === 'xiamen' && s.status === 'synced')!.t - killedAt;
    console.log(`failover: home centre killed -> all ${docs.length} documents synced on the twin in ${tookMs} ms`);
    expect(tookMs).toBeLessThan(3000);
    expect(a.getState()).toEqual({ centre: 'xiamen', status: 'synced', failedOver: true });
    expect(seen.map((s) => s.status)).toContain('offline'); // the console showed it was cut off meanwhile

    const after = createOrder(a.doc('region/xiamen'), draft('xiamen', 'huli', '厦门市湖里区金山路 2 号'), agentFz);
    await eventually(
      () => readOrder(b.doc('region/xiamen'), after) !== undefined,
      'post-failover order reaches xiamen',
    );
    // It stays on the twin: no automatic move back.
    expect(a.getState().centre).toBe('xiamen');
  });

  it('both centres down: offline work survives a console restart and reaches the board when a centre returns', async () => {
    if (!running(twins.fuzhou)) twins.fuzhou = await twins.start.fuzhou(twins.fuzhou.dataDir);
    const agent: Actor = { userId: 'agent2.fz', role: 'agent', centre: 'fuzhou' };
    const token = await login(twins.fuzhou, 'agent2.fz');
    const watcherToken = await login(twins.xiamen, 'agent2.xm');
    const cache = new MemoryCache();
    const options = {
      centres: at(twins.fuzhou, twins.xiamen),
      token,
      docs: ['region/fuzhou'],
      cache,
      jitterMs: 200,
      maxBackoffMs: 1000,
    };
    const a = open(options);
    await a.whenSynced();

    await Promise.all([twins.fuzhou.stop('SIGKILL'), twins.xiamen.stop('SIGKILL')]);
    await eventually(() => a.getState().status === 'offline', 'console offline', 5000);
    const id = createOrder(a.doc('region/fuzhou'), draft('fuzhou', 'gulou', '福州市鼓楼区五四路 3 号'), agent);
    await a.destroy(); // the console is closed while no centre answers

    const b = open(options); // ... and started again, still offline
    await b.ready;
    expect(readOrder(b.doc('region/fuzhou'), id)?.order.draft.address).toBe('福州市鼓楼区五四路 3 号');
    comment(b.doc('region/fuzhou'), id, '用户来电催办', agent);
    await new Promise((r) => setTimeout(r, 2500)); // a few rounds of trying both centres
    expect(b.getState().status).toBe('offline');

    twins.xiamen = await twins.start.xiamen(twins.xiamen.dataDir);
    const c = open({ centres: at(twins.xiamen, twins.fuzhou), token: watcherToken, docs: ['region/fuzhou'] });
    await eventually(
      () => readOrder(c.doc('region/fuzhou'), id)?.comments.length === 1,
      'offline order and comment reach a console on xiamen',
      15_000,
    );
    expect(b.getState()).toMatchObject({ centre: 'xiamen', status: 'synced', failedOver: true });
  });
});
