// Cross-centre sync, presence, restart and kill -9: real centre processes, the unmodified y-websocket client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrder, readOrder, snapshot, act } from '@twinline/board';
import type { Actor } from '@twinline/workorder';
import { connectClient, eventually, login, startTwins } from './harness';
import type { Client } from './harness';

const draft = {
  type: 'repair' as const,
  channel: 'phone' as const,
  priority: 'urgent' as const,
  region: { city: 'xiamen', county: 'siming', areaClass: 'urban' as const },
  address: '厦门市思明区湖滨南路 88 号',
  callerNumber: '05921234567',
  callerName: '林女士',
  description: '整栋楼停电，电梯困人',
};

describe('twin centres', () => {
  let twins: Awaited<ReturnType<typeof startTwins>>;
  const clients: Client[] = [];
  const open = (c: Client) => (clients.push(c), c);

  beforeAll(async () => {
    twins = await startTwins();
  }, 90_000);
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await Promise.all([twins.fuzhou.stop(), twins.xiamen.stop()]);
  });

  const agentXm: Actor = { userId: 'agent1.xm', role: 'agent', centre: 'xiamen' };

  it('an order made at xiamen reaches a team lead at fuzhou, with its steps', async () => {
    const a = open(connectClient(twins.xiamen, 'region/xiamen', await login(twins.xiamen, 'agent1.xm')));
    const b = open(connectClient(twins.fuzhou, 'region/xiamen', await login(twins.fuzhou, 'lead.fz')));
    await Promise.all([a.synced(), b.synced()]);
    const id = createOrder(a.doc, draft, agentXm);
    act(a.doc, id, { action: 'dispatch', stationId: 'st-xiamen-siming' }, agentXm);
    await eventually(() => readOrder(b.doc, id)?.order.state === 'dispatched', 'order dispatched at fuzhou');
    expect(readOrder(b.doc, id)!.order.draft.address).toBe(draft.address);
    expect(readOrder(b.doc, id)!.order.history.map((e) => e.by.centre)).toEqual(['xiamen', 'xiamen']);
  });

  it('presence: a console sees who else has the document open', async () => {
    const a = open(connectClient(twins.fuzhou, 'region/putian', await login(twins.fuzhou, 'agent1.fz')));
    const b = open(connectClient(twins.fuzhou, 'region/putian', await login(twins.fuzhou, 'lead.fz')));
    await Promise.all([a.synced(), b.synced()]);
    a.provider.awareness.setLocalStateField('user', { name: '陈坐席', viewing: 'order-1' });
    await eventually(
      () => [...b.provider.awareness.getStates().values()].some((s) => s.user?.name === '陈坐席'),
      'presence relayed',
    );
    a.provider.disconnect();
    await eventually(
      () => ![...b.provider.awareness.getStates().values()].some((s) => s.user?.name === '陈坐席'),
      'presence removed when the socket closes',
    );
  });

  it('a restarted centre serves everything it had, and kill -9 mid-burst loses nothing a client received', async () => {
    const token = await login(twins.fuzhou, 'agent1.fz');
    const writer = open(connectClient(twins.fuzhou, 'region/fuzhou', token));
    const watcher = open(connectClient(twins.fuzhou, 'region/fuzhou', await login(twins.fuzhou, 'lead.fz')));
    await Promise.all([writer.synced(), watcher.synced()]);
    const actor: Actor = { userId: 'agent1.fz', role: 'agent', centre: 'fuzhou' };
    // Stop the twin so the only copy of what follows is fuzhou's own SQLite file.
    await twins.xiamen.stop();
    const fuzhouDraft = { ...draft, region: { city: 'fuzhou', county: 'gulou', areaClass: 'urban' as const } };
    let burst = true;
    const writing = (async () => {
      for (let i = 0; burst && i < 2000; i++) {
        createOrder(writer.doc, { ...fuzhouDraft, description: `第 ${i} 单` }, actor);
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 1));
      }
    })();
    await eventually(() => snapshot(watcher.doc).length > 150, 'watcher received part of the burst', 20_000);
    await twins.fuzhou.stop('SIGKILL');
    burst = false;
    await writing;
    const received = snapshot(watcher.doc).map((o) => o.order.id);
    writer.destroy();
    watcher.destroy();

    twins.fuzhou = await twins.start.fuzhou(twins.fuzhou.dataDir);
    const reader = open(connectClient(twins.fuzhou, 'region/fuzhou', token));
    await reader.synced();
    const stored = new Set(snapshot(reader.doc).map((o) => o.order.id));
    const lost = received.filter((id) => !stored.has(id));
    expect(received.length).toBeGreaterThan(150);
    expect(lost).toEqual([]);
    twins.xiamen = await twins.start.xiamen(twins.xiamen.dataDir);
  }, 90_000);
});
