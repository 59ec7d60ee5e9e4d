// Twin replication: a stopped centre catches up on return, and a cut link heals into one state with nothing lost.
import { afterAll, describe, expect, it } from 'vitest';
import { comment, createOrder, readOrder, snapshot } from '@twinline/board';
import type { Actor } from '@twinline/workorder';
import { connectClient, eventually, freePort, login, startCentreProcess, tcpProxy } from './harness';
import type { CentreProcess, Client } from './harness';

const draft = (city: string, text: string) => ({
  type: 'complaint' as const,
  channel: 'phone' as const,
  priority: 'normal' as const,
  region: { city, county: 'gulou', areaClass: 'urban' as const },
  address: '福州市鼓楼区五四路 1 号',
  callerNumber: '059187654321',
  description: text,
});

const lead = (centre: string): Actor => ({
  userId: centre === 'fuzhou' ? 'lead.fz' : 'lead.xm',
  role: 'team_lead',
  centre,
});

describe('replication between the twins', () => {
  const procs: CentreProcess[] = [];
  const clients: Client[] = [];
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await Promise.all(procs.map((p) => p.stop()));
  });

  it('a centre that was down catches up by state-vector diff when it returns', async () => {
    const [fp, xp] = [await freePort(), await freePort()];
    const fuzhou = await startCentreProcess({ name: 'fuzhou', port: fp, peer: `ws://127.0.0.1:${xp}` });
    let xiamen = await startCentreProcess({ name: 'xiamen', port: xp, peer: `ws://127.0.0.1:${fp}` });
    procs.push(fuzhou, xiamen);
    const xmDir = xiamen.dataDir;
    await xiamen.stop();
    const a = connectClient(fuzhou, 'region/fuzhou', await login(fuzhou, 'lead.fz'));
    clients.push(a);
    await a.synced();
    const ids = Array.from({ length: 30 }, (_, i) =>
      createOrder(a.doc, draft('fuzhou', `xiamen 不在时的第 ${i} 单`), lead('fuzhou')),
    );
    xiamen = await startCentreProcess({ name: 'xiamen', port: xp, peer: `ws://127.0.0.1:${fp}`, dataDir: xmDir });
    procs.push(xiamen);
    const b = connectClient(xiamen, 'region/fuzhou', await login(xiamen, 'lead.xm'));
    clients.push(b);
    await eventually(
      () => ids.every((id) => readOrder(b.doc, id)),
      'xiamen has every order made while it was down',
      15_000,
    );
    const metrics = await (await fetch(`${fuzhou.http}/metrics`)).text();
    expect(metrics).toMatch(/twinline_peer_connected\{centre="fuzhou"\} 1/);
  }, 90_000);

  it('a cut link between the centres heals into one state with nothing lost', async () => {
    const [fp, xp] = [await freePort(), await freePort()];
    const toXiamen = await tcpProxy(xp);
    const toFuzhou = await tcpProxy(fp);
    const fuzhou = await startCentreProcess({ name: 'fuzhou', port: fp, peer: `ws://127.0.0.1:${toXiamen.port}` });
    const xiamen = await startCentreProcess({ name: 'xiamen', port: xp, peer: `ws://127.0.0.1:${toFuzhou.port}` });
    procs.push(fuzhou, xiamen);
    const a = connectClient(fuzhou, 'region/ningde', await login(fuzhou, 'lead.fz'));
    const b = connectClient(xiamen, 'region/ningde', await login(xiamen, 'lead.xm'));
    clients.push(a, b);
    await Promise.all([a.synced(), b.synced()]);
    const linkUp = (l: Record<string, unknown>) => l.msg === 'link to twin centre up';
    await Promise.all([fuzhou.waitForLog(linkUp), xiamen.waitForLog(linkUp)]);
    const shared = createOrder(a.doc, draft('ningde', '链路断开前的单'), lead('fuzhou'));
    await eventually(() => !!readOrder(b.doc, shared), 'order replicated before the cut');

    toXiamen.cut();
    toFuzhou.cut();
    await fuzhou.waitForLog((l) => l.msg === 'link to twin centre down');
    const onlyA = createOrder(a.doc, draft('ningde', '福州侧断链期间'), lead('fuzhou'));
    const onlyB = createOrder(b.doc, draft('ningde', '厦门侧断链期间'), lead('xiamen'));
    comment(a.doc, shared, '福州的备注', lead('fuzhou'));
    comment(b.doc, shared, '厦门的备注', lead('xiamen'));
    await new Promise((r) => setTimeout(r, 500));
    expect(readOrder(a.doc, onlyB)).toBeUndefined(); // really cut

    toXiamen.heal();
    toFuzhou.heal();
    await eventually(
      () => !!readOrder(a.doc, onlyB) && !!readOrder(b.doc, onlyA) && readOrder(a.doc, shared)!.comments.length === 2,
      'both sides have everything after the link heals',
      20_000,
    );
    await eventually(() => JSON.stringify(snapshot(a.doc)) === JSON.stringify(snapshot(b.doc)), 'identical boards');
    expect(
      readOrder(b.doc, shared)!
        .comments.map((c) => c.text)
        .sort(),
    ).toEqual(['厦门的备注', '福州的备注']);
    await Promise.all([toXiamen.close(), toFuzhou.close()]);
  }, 90_000);
});
