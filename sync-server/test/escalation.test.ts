// The escalation ladder applied by real twin centres: a repair order whose crew is late gets exactly one escalation to
// the team lead, written by the centre its id names, at the right time, seen at both centres; none while it is
// paused; and with its centre down, the twin writes it instead, once, also after the two meet again.
// Short clocks come from an SLA policy file (on site within 1 minute, the team lead told 3 seconds later) and orders
// opened a little under a minute in the past; the centres check their ladders every 250 ms.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, createOrder, readOrder } from '@twinline/board';
import { DEFAULT_POLICY, escalationsDue, parsePolicy } from '@twinline/workorder';
import type { Actor, OrderDraft, OrderEvent, SlaPolicy } from '@twinline/workorder';
import { connectClient, eventually, freePort, login, startTwinCentre, tempDir } from './harness';
import type { CentreProcess, Client } from './harness';

const MARKER = '[ladder:on_site+0.05:team_lead]';
const draft: OrderDraft = {
  type: 'repair',
  channel: 'phone',
  priority: 'normal',
  region: { city: 'fuzhou', county: 'gulou', areaClass: 'urban' },
  address: '福州市鼓楼区五四路 158 号',
  callerNumber: '13805910001',
  description: '整栋楼停电',
};
const agent: Actor = { userId: 'agent.fz', role: 'agent', centre: 'fuzhou' };

function shortPolicy(): SlaPolicy {
  const p = structuredClone(DEFAULT_POLICY);
  p.types.repair.milestones.on_site = { from: 'accepted', minutes: 1 };
  p.types.repair.escalation = [{ deadline: 'on_site', after: 0.05, tell: 'team_lead' }];
  return parsePolicy(p);
}

const escalations = (c: Client, id: string): OrderEvent[] =>
  readOrder(c.doc, id)?.order.history.filter((e) => e.action === 'escalate') ?? [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('escalation ladder at the twin centres', () => {
  const policy = shortPolicy();
  const dir = tempDir('twinline-ladder-');
  const policyFile = join(dir, 'sla.json');
  const clients: Client[] = [];
  let ports: { fuzhou: number; xiamen: number };
  let fuzhou: CentreProcess;
  let xiamen: CentreProcess;
  const start = (name: 'fuzhou' | 'xiamen', dataDir?: string) =>
    startTwinCentre(name, ports, { dataDir, flags: ['--sla-policy', policyFile, '--escalation-ms', '250'] });
  const open = (c: Client) => (clients.push(c), c);

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(policyFile, JSON.stringify(policy));
    ports = { fuzhou: await freePort(), xiamen: await freePort() };
    [fuzhou, xiamen] = await Promise.all([start('fuzhou'), start('xiamen')]);
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await Promise.all([fuzhou?.stop(), xiamen?.stop()]);
    for (const d of [dir, fuzhou?.dataDir, xiamen?.dataDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('a late crew: one escalation to the team lead, by the order’s centre, at the right time; none while paused', async () => {
    const writer = open(connectClient(fuzhou, 'region/fuzhou', await login(fuzhou, 'agent.fz')));
    const lead = open(connectClient(xiamen, 'region/fuzhou', await login(xiamen, 'lead.xm')));
    await Promise.all([writer.synced(), lead.synced()]);
    // Both opened 55 s ago: on site due in about 5 s, the team lead's step 3 s after that.
    const opened = new Date(Date.now() - 55_000);
    const late = createOrder(writer.doc, draft, agent, { now: opened });
    const paused = createOrder(writer.doc, { ...draft, callerNumber: '13805910002' }, agent, { now: opened });
    act(writer.doc, late, { action: 'dispatch', stationId: 'st-fuzhou-gulou' }, agent);
    act(writer.doc, paused, { action: 'dispatch', stationId: 'st-fuzhou-gulou' }, agent);
    act(writer.doc, paused, { action: 'pause', reason: '客户不在家' }, agent);
    const [dueStep] = escalationsDue(readOrder(writer.doc, late)!.order, policy, new Date(Date.now() + 3_600_000));
    expect(dueStep?.marker).toBe(MARKER);

    await eventually(
      () => escalations(lead, late).length > 0,
      'the escalation reaches the team lead at xiamen',
      20_000,
    );
    const [event] = escalations(lead, late);
    expect(event!.by).toEqual({ userId: 'system', role: 'admin', centre: 'fuzhou' });
    expect(Date.parse(event!.at)).toBeGreaterThanOrEqual(Date.parse(dueStep!.dueAt));
    expect(Date.parse(event!.at) - Date.parse(dueStep!.dueAt)).toBeLessThan(5_000);
    expect(event!.reason).toMatch(/^到达现场超时 0 分钟（时限 \d+月\d+日 \d\d:\d\d），按升级规则通知班长。/);
    expect(event!.reason).toContain(MARKER);
    // Both centres keep checking: still exactly one, at both, and the paused order has none though its step was due.
    await sleep(1_500);
    expect(escalations(lead, late)).toHaveLength(1);
    expect(escalations(writer, late)).toHaveLength(1);
    expect(readOrder(writer.doc, late)!.order.escalation).toBe(1);
    expect(escalations(lead, paused)).toEqual([]);

    // Resumed: the clock runs on from where it stood (about 5 s left, then 3 s to the team lead's step).
    await sleep(2_000);
    act(writer.doc, paused, { action: 'resume' }, agent);
    const resumedAt = Date.now();
    const [pausedStep] = escalationsDue(readOrder(writer.doc, paused)!.order, policy, new Date(resumedAt + 3_600_000));
    expect(Date.parse(pausedStep!.dueAt)).toBeGreaterThan(resumedAt + 5_000); // the paused time did not count
    await eventually(() => escalations(lead, paused).length > 0, 'the resumed order is escalated', 20_000);
    expect(Date.parse(escalations(lead, paused)[0]!.at)).toBeGreaterThanOrEqual(Date.parse(pausedStep!.dueAt));
    await sleep(1_000);
    expect(escalations(writer, paused)).toHaveLength(1);
  }, 60_000);

  it('with its centre down, the twin escalates the order; once, also after they meet again', async () => {
    const writer = open(connectClient(fuzhou, 'region/fuzhou', await login(fuzhou, 'agent.fz')));
    const lead = open(connectClient(xiamen, 'region/fuzhou', await login(xiamen, 'lead.xm')));
    await Promise.all([writer.synced(), lead.synced()]);
    const id = createOrder(writer.doc, draft, agent, { now: new Date(Date.now() - 52_000) }); // step due in ~11 s
    await eventually(() => readOrder(lead.doc, id) !== undefined, 'the order reaches xiamen');
    writer.destroy();
    await fuzhou.stop();
    await eventually(() => escalations(lead, id).length > 0, 'xiamen escalates the fuzhou order', 25_000);
    expect(escalations(lead, id)[0]!.by.centre).toBe('xiamen');
    fuzhou = await start('fuzhou', fuzhou.dataDir);
    const back = open(connectClient(fuzhou, 'region/fuzhou', await login(fuzhou, 'lead.fz')));
    await back.synced();
    await eventually(() => escalations(back, id).length > 0, 'the restarted fuzhou has the escalation');
    await sleep(2_000); // several passes of both centres, with the twin up again
    expect(escalations(back, id)).toHaveLength(1);
    expect(escalations(lead, id)).toHaveLength(1);
  }, 60_000);
});
