// The board stays small: archived orders leave it after retention and stay searchable; idle documents unload.
import { afterAll, describe, expect, it } from 'vitest';
import { act, createOrder, readOrder } from '@twinline/board';
import type { Actor } from '@twinline/workorder';
import { connectClient, eventually, login, startCentreProcess } from './harness';
import type { CentreProcess, Client } from './harness';

const lead: Actor = { userId: 'lead.fz', role: 'team_lead', centre: 'fuzhou' };

describe('centre housekeeping', () => {
  const procs: CentreProcess[] = [];
  const clients: Client[] = [];
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await Promise.all(procs.map((p) => p.stop()));
  });

  it('an archived order leaves the live board after retention and is found in the archive', async () => {
    const centre = await startCentreProcess({
      name: 'fuzhou',
      flags: ['--retention-ms', '1500', '--janitor-ms', '300'],
    });
    procs.push(centre);
    const token = await login(centre, 'lead.fz');
    const c = connectClient(centre, 'region/longyan', token);
    clients.push(c);
    await c.synced();
    const id = createOrder(
      c.doc,
      {
        type: 'repair',
        channel: 'phone',
        priority: 'urgent',
        region: { city: 'longyan', county: 'xinluo', areaClass: 'urban' },
        address: '龙岩市新罗区九一路 66 号',
        callerNumber: '059788889999',
        description: '路灯线路短路',
      },
      lead,
    );
    const steps = [
      { action: 'dispatch', stationId: 'st-longyan-xinluo' },
      { action: 'take' },
      { action: 'assign', crewId: 'crew-1' },
      { action: 'arrive' },
      { action: 'handle', note: '更换熔断器' },
      { action: 'reply', note: '已恢复' },
      { action: 'callback', satisfaction: 'very_satisfied' },
      { action: 'archive' },
    ] as const;
    for (const s of steps) act(c.doc, id, s, lead);
    expect(readOrder(c.doc, id)!.order.state).toBe('archived');
    await eventually(() => readOrder(c.doc, id) === undefined, 'archived order removed from the live board', 15_000);
    const res = await fetch(`${centre.http}/api/archive?q=${encodeURIComponent('九一路')}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await res.json()) as {
      results: { id: string; record: { order: { state: string; satisfaction: string } } }[];
    };
    expect(body.results.map((r) => r.id)).toEqual([id]);
    expect(body.results[0]!.record.order).toMatchObject({ state: 'archived', satisfaction: 'very_satisfied' });
    const denied = await fetch(`${centre.http}/api/archive?q=x`);
    expect(denied.status).toBe(401);
  }, 60_000);

  it('a document nobody has open is unloaded, and served again from SQLite', async () => {
    const centre = await startCentreProcess({ name: 'xiamen', flags: ['--unload-ms', '200'] });
    procs.push(centre);
    const token = await login(centre, 'lead.xm');
    const health = async () => (await (await fetch(`${centre.http}/health`)).json()) as { documentsLoaded: number };
    // The demo roster written into every city's document at start: those documents are let go too.
    await eventually(async () => (await health()).documentsLoaded === 0, 'the seeded documents unloaded');
    const c = connectClient(centre, 'region/zhangzhou', token);
    await c.synced();
    const id = createOrder(
      c.doc,
      {
        type: 'consultation',
        channel: 'app',
        priority: 'normal',
        region: { city: 'zhangzhou', county: 'xiangcheng', areaClass: 'urban' },
        address: '漳州市芗城区胜利路 1 号',
        callerNumber: '13800000000',
        description: '咨询峰谷电价',
      },
      { userId: 'lead.xm', role: 'team_lead', centre: 'xiamen' },
    );
    expect((await health()).documentsLoaded).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    c.destroy();
    await eventually(async () => (await health()).documentsLoaded === 0, 'document unloaded');
    const again = connectClient(centre, 'region/zhangzhou', token);
    clients.push(again);
    await again.synced();
    expect(readOrder(again.doc, id)?.order.draft.description).toBe('咨询峰谷电价');
  }, 60_000);
});
