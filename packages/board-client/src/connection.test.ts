// BoardConnection against real centre processes: sync across the twins, a refused token, jittered failover dials.
import { beforeAll, describe, expect, it } from 'vitest';
import { createOrder, readOrder } from '@twinline/board';
import { eventually, freePort, login } from '../../../sync-server/test/harness';
import type { ConnectionEvent } from './connection';
import * as prng from 'lib0/prng';
import { at, consolesOnTwins } from './testkit';
import type { Twins } from './testkit';

type Actor = Parameters<typeof createOrder>[2];
process.setMaxListeners(100); // y-websocket adds a process 'exit' listener per provider under Node

/** A seeded random source (lib0's PRNG), so runs are repeatable. */
const seeded = (seed: number): (() => number) => {
  const gen = prng.create(seed);
  return () => prng.real53(gen);
};

describe('BoardConnection', () => {
  const env = consolesOnTwins();
  const open = env.open;
  let twins: Twins;

  beforeAll(() => {
    twins = env.twins;
  });

  it('an order created on a fuzhou console appears on a console whose home is xiamen', async () => {
    const agent: Actor = { userId: 'agent.fz', role: 'agent', centre: 'fuzhou' };
    const docs = ['region/xiamen', 'region/putian'];
    const [tokenA, tokenB] = [await login(twins.fuzhou, 'agent.fz'), await login(twins.xiamen, 'lead.xm')];
    const a = open({ centres: at(twins.fuzhou, twins.xiamen), token: tokenA, docs });
    const b = open({ centres: at(twins.xiamen, twins.fuzhou), token: tokenB, docs });
    expect(a.getState()).toEqual({ centre: 'fuzhou', status: 'offline', failedOver: false }); // until ready
    const states: string[] = [];
    a.onState((s) => states.push(s.status));
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    expect(a.getState()).toEqual({ centre: 'fuzhou', status: 'synced', failedOver: false });
    expect(b.getState()).toEqual({ centre: 'xiamen', status: 'synced', failedOver: false });
    expect(states).toContain('connecting');
    const id = createOrder(
      a.doc('region/xiamen'),
      {
        type: 'repair',
        channel: 'phone',
        priority: 'urgent',
        region: { city: 'xiamen', county: 'siming', areaClass: 'urban' },
        address: '厦门市思明区湖滨南路 88 号',
        callerNumber: '05921234567',
        callerName: '林女士',
        description: '整栋楼停电，电梯困人',
      },
      agent,
    );
    await eventually(() => readOrder(b.doc('region/xiamen'), id) !== undefined, 'order reaches the xiamen console');
    expect(readOrder(b.doc('region/xiamen'), id)!.order.history[0]!.by.userId).toBe('agent.fz');
    expect(() => a.doc('region/fuzhou')).toThrow(/not one of this console/);
  });

  it('a bad token is terminal: offline with 4401, no failover, no reconnect loop', async () => {
    const events: ConnectionEvent[] = [];
    const refusedBefore = twins.fuzhou.logs.filter((l) => l.msg === 'connection refused').length;
    const c = open({
      centres: at(twins.fuzhou, twins.xiamen),
      token: 'not-a-token',
      docs: ['region/fuzhou', 'region/xiamen'],
      failoverAfterMs: 300,
      jitterMs: 0,
    });
    c.onEvent((e) => events.push(e));
    await eventually(() => c.getState().lastError?.code === 4401, 'refused with 4401');
    await new Promise((r) => setTimeout(r, 1500)); // five failover periods
    expect(c.getState()).toMatchObject({ centre: 'fuzhou', status: 'offline', failedOver: false });
    expect(c.getState().lastError).toEqual({ code: 4401, reason: 'missing, invalid or expired token' });
    expect(events.filter((e) => e.type === 'dial')).toHaveLength(1);
    const refused = twins.fuzhou.logs.filter((l) => l.msg === 'connection refused').length - refusedBefore;
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(2); // at most one try per document
    expect(twins.xiamen.logs.some((l) => l.msg === 'connection refused')).toBe(false);

    // After a new login the host hands over a fresh token and the console comes up.
    c.setToken(await login(twins.fuzhou, 'agent2.fz'));
    await c.whenSynced();
    expect(c.getState()).toEqual({ centre: 'fuzhou', status: 'synced', failedOver: false });
  });

  it('moves between centres when told, and pauses while the network is down', async () => {
    const network = new EventTarget();
    const g = globalThis as unknown as Record<string, unknown>;
    g.addEventListener = network.addEventListener.bind(network);
    g.removeEventListener = network.removeEventListener.bind(network);
    try {
      const c = open({
        centres: at(twins.fuzhou, twins.xiamen),
        token: await login(twins.fuzhou, 'agent3.fz'),
        docs: ['region/ningde'],
        failoverAfterMs: 300,
      });
      await c.whenSynced();
      c.switchTo('xiamen');
      await c.whenSynced();
      expect(c.getState()).toEqual({ centre: 'xiamen', status: 'synced', failedOver: true });
      c.switchTo('fuzhou');
      await c.whenSynced();
      expect(c.getState()).toEqual({ centre: 'fuzhou', status: 'synced', failedOver: false });

      network.dispatchEvent(new Event('offline'));
      expect(c.getState().status).toBe('offline');
      await new Promise((r) => setTimeout(r, 800)); // well past failoverAfterMs: our own network is no reason to move
      expect(c.getState()).toEqual({ centre: 'fuzhou', status: 'offline', failedOver: false });
      network.dispatchEvent(new Event('online'));
      await c.whenSynced();
      expect(c.getState()).toEqual({ centre: 'fuzhou', status: 'synced', failedOver: false });
      await c.destroy();
    } finally {
      delete g.addEventListener;
      delete g.removeEventListener;
    }
  });

  it('20 consoles losing their home centre dial the twin at spread-out times', async () => {
    // Home is an address nothing listens on: every console finds it unreachable at about the same moment.
    const dead = { name: 'fuzhou', url: `ws://127.0.0.1:${await freePort()}` };
    const users = ['agent.xm', ...[1, 2, 3, 4, 5, 6].map((i) => `agent${i}.xm`), 'lead.xm', 'lead2.xm', 'agent.fz'];
    const tokens = await Promise.all(users.map((u) => login(twins.xiamen, u)));
    const dials: { console: number; delayMs: number; first: number }[] = [];
    const consoles = tokens.concat(tokens).map((token, i) => {
      const random = seeded(1000 + i);
      const first = seeded(1000 + i)(); // what this console's random source yields first
      const c = open({ centres: [dead, at(twins.xiamen)[0]!], token, docs: ['region/xiamen'], jitterMs: 1000, random });
      c.onEvent(
        (e) => e.type === 'dial' && e.reason === 'failover' && dials.push({ console: i, delayMs: e.delayMs, first }),
      );
      return c;
    });
    await eventually(() => dials.length === 20, 'every console failed over', 8000);

    const delays = dials.map((d) => d.delayMs).sort((x, y) => x - y);
    for (const d of dials) expect(d.delayMs).toBe(Math.round(d.first * 1000)); // drawn from the injected source
    expect(delays[0]!).toBeGreaterThanOrEqual(0);
    expect(delays[19]!).toBeLessThanOrEqual(1000);
    expect(delays[19]! - delays[0]!).toBeGreaterThan(700); // spread over the window ...
    const buckets = new Map<number, number>();
    for (const d of delays) buckets.set(Math.floor(d / 100), (buckets.get(Math.floor(d / 100)) ?? 0) + 1);
    expect(buckets.size).toBeGreaterThanOrEqual(7); // ... not bunched: most 100 ms slots used
    expect(Math.max(...buckets.values())).toBeLessThanOrEqual(5);

    await Promise.all(consoles.map((c) => c.whenSynced()));
    for (const c of consoles) expect(c.getState()).toEqual({ centre: 'xiamen', status: 'synced', failedOver: true });
  });
});
