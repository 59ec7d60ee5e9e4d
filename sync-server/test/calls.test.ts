// Call routing in the centres: real centre processes with their Kamailio (twins, linked), softphones over WebSocket
// and a hotline trunk over UDP (test/sip-client.ts), agents' states through the console's API. Routing uses the
// demo configuration with short queue waits and a limit of one call in progress for Zhangzhou at Xiamen.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, login } from './harness';
import { UdpTrunk, header, headerAll } from './sip-client';
import {
  TestAgent,
  api,
  decisionsOf,
  kamailioInstalled,
  openEvents,
  signOutEveryone,
  startSipTwins,
  testRouting,
} from './sip-centres';
import type { SipCentre } from './sip-centres';

// Long enough for the test to watch the call wait (the team lead's snapshot) on a loaded machine.
const MAX_WAIT_MS = 4000;

const routing = (centre: 'fuzhou' | 'xiamen') =>
  testRouting(centre, { maxWaitMs: MAX_WAIT_MS, regionLimits: { zhangzhou: 1 } });

const TITLE = kamailioInstalled
  ? 'call routing in the centres'
  : 'call routing in the centres (skipped: kamailio is not installed; scripts/bootstrap.sh installs it)';

describe.skipIf(!kamailioInstalled)(TITLE, () => {
  let fuzhou: SipCentre;
  let xiamen: SipCentre;
  let trunk: UdpTrunk;
  let stopTwins: (() => Promise<void>) | undefined;
  const agents: TestAgent[] = [];

  beforeAll(async () => {
    ({
      fuzhou,
      xiamen,
      stop: stopTwins,
    } = await startSipTwins({ routing: { fuzhou: routing('fuzhou'), xiamen: routing('xiamen') } }));
    trunk = await UdpTrunk.open();
  }, 90_000);

  afterEach(async () => {
    for (const a of agents.splice(0)) a.close();
    await Promise.all([signOutEveryone(fuzhou, 'lead.fz'), signOutEveryone(xiamen, 'lead.xm')]);
  });

  afterAll(async () => {
    trunk?.close();
    await stopTwins?.();
  });

  async function agent(at: SipCentre, user: string, o: { register?: boolean } = {}): Promise<TestAgent> {
    const a = await TestAgent.signIn(at, user);
    agents.push(a);
    if (o.register ?? true) await a.register();
    return a;
  }

  const invitesFor = (a: TestAgent, callId: string) =>
    a.phone!.inbox.all.filter((m) => m.method === 'INVITE' && header(m, 'call-id') === callId);

  it('a call from a Xiamen number reaches the ready Xiamen repair agent idle longest; wrap-up kept with the call', async () => {
    const first = await agent(xiamen, 'agent4.xm');
    const second = await agent(xiamen, 'agent3.xm');
    await first.set('ready');
    await second.set('ready');

    const call = trunk.call(xiamen.udp, { caller: '05922123456', dialled: '95598*1' });
    await first.phone!.inbox.wait((m) => m.method === 'INVITE' && header(m, 'call-id') === call.callId, 'INVITE');
    expect((await call.final).status).toBe(200);
    expect(invitesFor(second, call.callId)).toEqual([]);
    expect(await decisionsOf(xiamen.centre, call.callId, 1)).toMatchObject([
      {
        decision: 'offer',
        reason: 'longest_idle',
        agentId: 'agent4.xm',
        region: 'xiamen',
        regionSource: 'area_code',
        group: 'repair',
      },
    ]);
    const [decision] = await decisionsOf(xiamen.centre, call.callId, 1);
    expect(decision!.zh).toContain('空闲最久');
    expect(decision!.en).toContain('idle longest');
    await eventually(async () => (await first.state()).state === 'on_call', 'agent4.xm on the call');

    expect((await call.hangup()).status).toBe(200);
    await eventually(async () => (await first.state()).state === 'after_call_work', 'after-call work');

    const wrapUp = { callId: call.callId, code: 'repair.outage', note: '小区停电，已派单' };
    const byOther = await api(xiamen.centre, '/api/agent/wrapup', { token: second.token, body: wrapUp });
    expect(byOther.status).toBe(403);
    expect(await first.state()).toMatchObject({ state: 'after_call_work' }); // another's wrap-up ends nothing
    const ok = await api(xiamen.centre, '/api/agent/wrapup', { token: first.token, body: wrapUp });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    // The agent's own wrap-up ends the after-call work early: ready again, its choice for after the call.
    expect(await first.state()).toMatchObject({ state: 'ready', last: { note: 'wrap-up done' } });

    const lead = await login(xiamen.centre, 'lead.xm');
    const recent = await api(xiamen.centre, '/api/calls/recent?limit=20', { token: lead });
    const row = (recent.body.calls as Record<string, unknown>[]).find((c) => c.callId === call.callId);
    expect(row).toMatchObject({
      caller: '05922123456',
      region: 'xiamen',
      group: 'repair',
      decision: 'offer',
      reason: 'longest_idle',
      agentId: 'agent4.xm',
      offers: 1,
      ending: 'completed',
      wrapUp: { code: 'repair.outage', note: '小区停电，已派单', by: 'agent4.xm' },
    });
    expect(row!.answeredAt).toBeGreaterThanOrEqual(row!.arrivedAt as number);
    expect(row!.endedAt).toBeGreaterThanOrEqual(row!.answeredAt as number);
  });

  it('an agent in not_ready gets nothing: the call queues, then overflows to Fuzhou after the longest wait', async () => {
    const resting = await agent(xiamen, 'agent4.xm');
    await resting.set('ready');
    await resting.set('not_ready', 'break');
    const fz = await agent(fuzhou, 'agent4.fz');
    await fz.set('ready');
    const lead = await login(xiamen.centre, 'lead.xm');

    const t0 = Date.now();
    const call = trunk.call(xiamen.udp, { caller: '05922000001', dialled: '95598*1' });
    expect((await decisionsOf(xiamen.centre, call.callId, 1))[0]).toMatchObject({
      decision: 'queue',
      reason: 'queued',
    });
    // The team lead sees the call waiting.
    await eventually(async () => {
      const snap = await api(xiamen.centre, '/api/calls/snapshot', { token: lead });
      const repair = (snap.body.groups as { id: string; waiting: number; longestWaitMs: number }[]).find(
        (g) => g.id === 'repair',
      );
      return repair!.waiting === 1 && repair!.longestWaitMs > 0;
    }, 'the repair queue shows the call');

    await fz.phone!.inbox.wait((m) => m.method === 'INVITE' && header(m, 'call-id') === call.callId, 'INVITE', 10_000);
    expect((await call.final).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(MAX_WAIT_MS - 100);
    expect(call.responses.filter((r) => (r.status ?? 0) >= 300)).toEqual([]);
    expect(invitesFor(resting, call.callId)).toEqual([]);
    expect((await decisionsOf(xiamen.centre, call.callId, 2)).map((d) => [d.decision, d.reason])).toEqual([
      ['queue', 'queued'],
      ['overflow', 'max_wait'],
    ]);
    expect(await decisionsOf(fuzhou.centre, call.callId, 1)).toMatchObject([
      { decision: 'offer', agentId: 'agent4.fz', region: 'xiamen', group: 'repair' },
    ]);
    expect((await call.hangup()).status).toBe(200);
  });

  it('a full region limit refuses that region with 503 while another region still gets through', async () => {
    const holder = await agent(xiamen, 'agent4.xm');
    holder.phone!.answer = 'ring';
    const other = await agent(xiamen, 'agent3.xm');
    await holder.set('ready');
    await other.set('ready');

    // Zhangzhou (0596) may hold one call at Xiamen: this one rings agent4.xm.
    const held = trunk.call(xiamen.udp, { caller: '05962000001', dialled: '95598*1' });
    await holder.phone!.inbox.wait((m) => m.method === 'INVITE' && header(m, 'call-id') === held.callId, 'INVITE');
    const refused = await trunk.call(xiamen.udp, { caller: '05962000002', dialled: '95598*1' }).final;
    expect([refused.status, refused.reason]).toEqual([503, 'Service Unavailable - region limit reached']);

    const xiamenCall = trunk.call(xiamen.udp, { caller: '05922000003', dialled: '95598*1' });
    expect((await xiamenCall.final).status).toBe(200);
    expect(invitesFor(other, xiamenCall.callId)).toHaveLength(1);
    expect((await xiamenCall.hangup()).status).toBe(200);

    held.cancel();
    expect((await held.final).status).toBe(487);
    // The caller gave up while it rang: agent4.xm is ready again, not missed.
    await eventually(async () => (await holder.state()).state === 'ready', 'agent4.xm ready again');
  });

  it('an agent who declines: the call goes back to the front of the queue and reaches the next agent', async () => {
    const decliner = await agent(xiamen, 'agent4.xm');
    decliner.phone!.answer = { code: 486, reason: 'Busy Here' };
    const next = await agent(xiamen, 'agent3.xm');
    await decliner.set('ready');
    await next.set('ready');

    const call = trunk.call(xiamen.udp, { caller: '05922000004', dialled: '95598*1' });
    await next.phone!.inbox.wait((m) => m.method === 'INVITE' && header(m, 'call-id') === call.callId, 'INVITE at B');
    expect((await call.final).status).toBe(200);
    expect(call.responses.filter((r) => (r.status ?? 0) >= 300)).toEqual([]);
    expect(invitesFor(decliner, call.callId)).toHaveLength(1);
    // Both ringing phones are told what the call is for: the skill group, the caller's region (once each, also on
    // the INVITE asked again after the decline).
    for (const invite of [invitesFor(decliner, call.callId)[0]!, invitesFor(next, call.callId)[0]!]) {
      expect(headerAll(invite, 'X-Twinline-Group')).toEqual(['repair']);
      expect(headerAll(invite, 'X-Twinline-Region')).toEqual(['xiamen']);
    }
    expect((await decisionsOf(xiamen.centre, call.callId, 2)).map((d) => [d.decision, d.agentId])).toEqual([
      ['offer', 'agent4.xm'],
      ['offer', 'agent3.xm'],
    ]);
    expect(await decliner.state()).toMatchObject({ state: 'not_ready', reason: 'missed' });
    expect((await call.hangup()).status).toBe(200);
  });

  it('declined with nobody else ready: the call waits at the front of the queue, then overflows; or the caller gives up', async () => {
    const decliner = await agent(xiamen, 'agent4.xm');
    decliner.phone!.answer = { code: 603, reason: 'Decline' };
    await decliner.set('ready');
    const fz = await agent(fuzhou, 'agent5.fz');
    await fz.set('ready');

    const call = trunk.call(xiamen.udp, { caller: '05922000006', dialled: '95598*1' });
    await fz.phone!.inbox.wait((m) => m.method === 'INVITE' && header(m, 'call-id') === call.callId, 'INVITE', 10_000);
    expect((await call.final).status).toBe(200);
    expect(call.responses.filter((r) => (r.status ?? 0) >= 300)).toEqual([]);
    expect((await decisionsOf(xiamen.centre, call.callId, 3)).map((d) => [d.decision, d.reason])).toEqual([
      ['offer', 'longest_idle'],
      ['queue', 'requeued'],
      ['overflow', 'max_wait'],
    ]);
    expect((await call.hangup()).status).toBe(200);

    // Again, and the caller hangs up while the call waits after the decline: it leaves the queue.
    await decliner.set('ready');
    const lead = await login(xiamen.centre, 'lead.xm');
    const gaveUp = trunk.call(xiamen.udp, { caller: '05922000007', dialled: '95598*1' });
    await eventually(
      async () => (await decisionsOf(xiamen.centre, gaveUp.callId, 1)).some((d) => d.reason === 'requeued'),
      'requeued after the decline',
    );
    gaveUp.cancel();
    expect((await gaveUp.final).status).toBe(487);
    await eventually(async () => {
      const snap = await api(xiamen.centre, '/api/calls/snapshot', { token: lead });
      return (snap.body.calls as unknown[]).length === 0;
    }, 'no call left at Xiamen');
  });

  it('an agent without a registered phone cannot go ready; a phone lost while ready fails over at once', async () => {
    const lost = await agent(xiamen, 'agent5.xm', { register: false });
    const refused = await api(xiamen.centre, '/api/agent/state', { token: lost.token, body: { state: 'ready' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/no phone registered.*register the softphone/);

    await lost.register();
    await lost.set('ready');
    const next = await agent(xiamen, 'agent3.xm');
    await next.set('ready');
    await lost.unregister();
    expect((await lost.state()).state).toBe('ready');

    const t0 = Date.now();
    const call = trunk.call(xiamen.udp, { caller: '05922000005', dialled: '95598*1' });
    expect((await call.final).status).toBe(200);
    // At once: not after ringing the lost phone out (14 s).
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(invitesFor(next, call.callId)).toHaveLength(1);
    expect(await lost.state()).toMatchObject({ state: 'not_ready', reason: 'missed' });
    expect((await call.hangup()).status).toBe(200);
  });

  it("pushes state changes: the agent's own stream, and the team lead's snapshot", async () => {
    const a = await agent(xiamen, 'agent6.xm', { register: false });
    const own = await openEvents(xiamen.centre, a.token);
    const lead = await openEvents(xiamen.centre, await login(xiamen.centre, 'lead.xm'));
    try {
      expect(own.status).toBe(200);
      expect(own.contentType).toMatch(/^text\/event-stream/);
      await own.next((e) => e.event === 'state' && e.data.state === 'signed_out', 'the current state');
      await lead.next((e) => e.event === 'snapshot', 'the first snapshot');

      await a.set('not_ready', 'meeting');
      await own.next(
        (e) => e.event === 'state' && e.data.state === 'not_ready' && e.data.reason === 'meeting',
        'not_ready (meeting) pushed',
      );
      await lead.next(
        (e) =>
          e.event === 'snapshot' &&
          (e.data.agents as { agentId: string; state: string }[]).some(
            (x) => x.agentId === 'agent6.xm' && x.state === 'not_ready',
          ),
        "the lead's snapshot shows it",
      );
      expect(lead.events.some((e) => e.event === 'state')).toBe(false);
      const anonymous = await openEvents(xiamen.centre, 'not-a-token');
      expect(anonymous.status).toBe(401);
      anonymous.close();
    } finally {
      own.close();
      lead.close();
    }
  });

  it('the agent API refuses bad input (400), no token (401) and an agent forcing another (403)', async () => {
    const token = await login(xiamen.centre, 'agent1.xm');
    const post = (body: unknown, t = token) => api(xiamen.centre, '/api/agent/state', { token: t, body });

    const bad = await post({ state: 'sleeping' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^state: must be one of ready, not_ready, signed_out/);
    const noReason = await post({ state: 'not_ready' });
    expect([noReason.status, noReason.body.error]).toEqual([
      400,
      'reason: not_ready needs a reason: break, meal, training, meeting, other',
    ]);
    expect((await post({ state: 'not_ready', reason: 'missed' })).status).toBe(400);
    expect((await post('{"state":')).body.error).toBe('body is not valid JSON');
    expect((await api(xiamen.centre, '/api/agent/state', { body: { state: 'ready' } })).status).toBe(401);
    expect((await api(xiamen.centre, '/api/agent/state')).status).toBe(401);

    const forcing = await post({ state: 'not_ready', reason: 'break', agent: 'agent2.xm' });
    expect([forcing.status, forcing.body.error]).toEqual([403, 'an agent may change only its own state']);
    const peek = await api(xiamen.centre, '/api/agent/state?agent=agent2.xm', { token });
    expect(peek.status).toBe(403);

    const lead = await login(xiamen.centre, 'lead.xm');
    const forced = await post({ state: 'not_ready', reason: 'training', agent: 'agent2.xm' }, lead);
    expect(forced.status).toBe(200);
    expect(forced.body).toMatchObject({ agentId: 'agent2.xm', state: 'not_ready', reason: 'training' });
    expect(forced.body.last).toMatchObject({ by: { role: 'team_lead', userId: 'lead.xm' } });
    const forcedReady = await post({ state: 'ready', agent: 'agent2.xm' }, lead);
    expect([forcedReady.status, forcedReady.body.error]).toEqual([
      403,
      'a team lead may force not_ready or sign-out, not ready',
    ]);
    const dispatcher = await login(xiamen.centre, 'disp.xiamen-siming');
    expect((await post({ state: 'signed_out' }, dispatcher)).status).toBe(403);
    // The twin's agents are listed as guests (they work here after a failover); someone in neither list is not.
    const guest = await post({ state: 'not_ready', reason: 'break', agent: 'agent1.fz' }, lead);
    expect(guest.body).toMatchObject({ agentId: 'agent1.fz', home: 'fuzhou', centre: 'xiamen', state: 'not_ready' });
    const notAnAgentHere = await post({ state: 'not_ready', reason: 'break', agent: 'disp.xiamen-siming' }, lead);
    expect(notAnAgentHere.status).toBe(404);

    const wrap = await api(xiamen.centre, '/api/agent/wrapup', {
      token,
      body: { callId: 'x', code: 'has spaces', note: '' },
    });
    expect([wrap.status, wrap.body.error]).toEqual([400, 'code: a wrap-up code: 1-32 letters, digits, _ . -']);
    const unknown = await api(xiamen.centre, '/api/agent/wrapup', { token, body: { callId: 'nope', code: 'x' } });
    expect(unknown.status).toBe(404);
    // An outbound call's wrap-up carries what the phone knows; a forged number is refused and nothing is kept.
    const forged = await api(xiamen.centre, '/api/agent/wrapup', {
      token,
      body: {
        callId: 'out-1',
        code: 'callback',
        outbound: { remote: '<sip:x>', startedAt: 1, answeredAt: null, endedAt: 2 },
      },
    });
    expect([forged.status, forged.body.error]).toEqual([400, 'outbound.remote: the number called']);
    const recent = await api(xiamen.centre, '/api/calls/recent?limit=50', { token: lead });
    expect((recent.body.calls as { callId: string }[]).some((c) => c.callId === 'out-1')).toBe(false);
  });

  it("an agent's state survives a restart of its centre", async () => {
    const a = await agent(xiamen, 'agent1.xm', { register: false });
    await a.set('not_ready', 'meal');
    const lead = await login(xiamen.centre, 'lead.xm');
    const forced = await api(xiamen.centre, '/api/agent/state', {
      token: lead,
      body: { state: 'not_ready', reason: 'training', agent: 'agent2.xm' },
    });
    expect(forced.status).toBe(200);

    await xiamen.restart();
    // The console reconnects with the token it has and reads the same state back.
    expect(await a.state()).toMatchObject({
      state: 'not_ready',
      reason: 'meal',
      last: { by: { userId: 'agent1.xm' } },
    });
    const other = await api(xiamen.centre, '/api/agent/state?agent=agent2.xm', { token: lead });
    expect(other.body).toMatchObject({ state: 'not_ready', reason: 'training', last: { by: { userId: 'lead.xm' } } });
    expect(xiamen.centre.logs.find((l) => l.msg === 'call routing restored')).toMatchObject({
      agents: { not_ready: 2 },
    });
  });
});
