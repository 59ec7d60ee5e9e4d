// The CallCentre in process, with a real centre database and a hand-driven clock: what Kamailio's asks get back
// while calls wait, after a decline, and when the router moves on without being asked; what is kept for a restart.
// (test/calls.test.ts runs the same through real centres and Kamailio.)
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { demoRoutingConfig } from '@twinline/routing/testkit';
import { parseRoutingConfig } from '@twinline/routing';
import type { TwinStatus } from '@twinline/routing';
import type { Principal } from '@twinline/board';
import { CallCentre } from '../src/calls/call-centre';
import { createLogger } from '../src/log';
import { openCentreStorage } from '../src/storage';
import type { CentreStorage } from '../src/storage';
import type { RouteAnswer, RouteRequest } from '../src/sip/contract';
import { tempDir } from './harness';

const base = demoRoutingConfig('xiamen');
const routing = parseRoutingConfig({ ...base, groups: base.groups.map((g) => ({ ...g, maxWaitMs: 30_000 })) });
const log = createLogger('xiamen', process.env.CALLS_LOG ?? 'silent');
const VIP = '05920000009';

const agent = (userId: string): Principal => ({ userId, role: 'agent', centre: 'xiamen' });
const lead: Principal = { userId: 'lead.xm', role: 'team_lead', centre: 'xiamen' };

describe('the call centre (in process)', () => {
  let dir: string;
  let storage: CentreStorage;
  let centre: CallCentre;
  let clock = 1_800_000_000_000;
  let twin: TwinStatus = 'up';
  const opened: CallCentre[] = [];

  async function open(): Promise<CallCentre> {
    storage = await openCentreStorage(dir);
    centre = await CallCentre.open({
      routing,
      store: storage.calls,
      log,
      twinStatus: () => twin,
      phones: () => 1,
      isVip: async (caller) => caller === VIP,
      now: () => clock,
    });
    opened.push(centre);
    return centre;
  }

  async function setup(): Promise<CallCentre> {
    dir = tempDir('twinline-calls-');
    twin = 'up';
    return open();
  }

  afterEach(async () => {
    for (const c of opened.splice(0)) await c.stop();
    await storage?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Kamailio's ask: the answer promise, and the abort Kamailio's CANCEL would trigger. */
  function ask(callId: string, caller: string, more: Partial<RouteRequest> = {}) {
    const controller = new AbortController();
    let answer: RouteAnswer | undefined;
    const promise = centre
      .decide(
        { callId, centre: 'xiamen', caller, dialled: '95598*1', digit: '1', fromTwin: false, ...more },
        { signal: controller.signal },
      )
      .then((a) => (answer = a));
    return { promise, abort: () => controller.abort(), answered: () => answer };
  }

  const settle = () => new Promise((r) => setTimeout(r, 20));
  const ready = (id: string) => centre.setAgentState(agent(id), { state: 'ready' });
  const breakFor = (id: string) => centre.setAgentState(agent(id), { state: 'not_ready', reason: 'break' });
  const tick = (ms: number) => {
    clock += ms;
    centre.tick();
  };

  it('a queued call waits for its answer; a VIP who called later is served first', async () => {
    await setup();
    await ready('agent4.xm');
    await breakFor('agent4.xm');
    const normal = ask('call-a', '05922000001');
    clock += 1000;
    const vip = ask('call-b', VIP);
    await settle();
    expect([normal.answered(), vip.answered()]).toEqual([undefined, undefined]);
    expect(centre.snapshot().groups.find((g) => g.id === 'repair')).toMatchObject({ waiting: 2 });

    await ready('agent4.xm');
    // The phone is told what the call is for and how long the caller waited (shown while it rings).
    expect(await vip.promise).toEqual({
      action: 'agent',
      user: 'agent4.xm',
      ringMs: 14_000,
      group: 'repair',
      region: 'xiamen',
      waitedMs: 0,
    });
    await settle();
    expect(normal.answered()).toBeUndefined();
    expect(centre.agentState('agent4.xm')).toMatchObject({ state: 'ringing', callId: 'call-b' });
  });

  it('after a decline the next ask gets the next agent; an offer made while nobody asks waits for the next ask', async () => {
    await setup();
    await ready('agent4.xm');
    clock += 1000;
    await ready('agent3.xm');
    const first = ask('call-x', '05922000002');
    expect(await first.promise).toMatchObject({ action: 'agent', user: 'agent4.xm' });
    const retry = ask('call-x', '05922000002', { retry: true, failedUser: 'agent4.xm', failedCode: 486, attempt: 2 });
    expect(await retry.promise).toMatchObject({ action: 'agent', user: 'agent3.xm' });
    expect(centre.agentState('agent4.xm')).toMatchObject({ state: 'not_ready', reason: 'missed' });
    expect(centre.agentState('agent4.xm').last).toMatchObject({ type: 'withdraw' });

    // agent5.xm is offered call-y, then goes on a break while it rings (its console declines the call later):
    // the call goes back to the queue; agent1.xm becomes ready and is offered it with Kamailio not asking.
    await ready('agent5.xm');
    const y = ask('call-y', '05922000003');
    expect(await y.promise).toMatchObject({ action: 'agent', user: 'agent5.xm' });
    await breakFor('agent5.xm');
    await ready('agent1.xm');
    expect(centre.agentState('agent1.xm')).toMatchObject({ state: 'ringing', callId: 'call-y' });
    const again = ask('call-y', '05922000003', { retry: true, failedUser: 'agent5.xm', failedCode: 603, attempt: 2 });
    expect(await again.promise).toMatchObject({ action: 'agent', user: 'agent1.xm' });
    expect(centre.agentState('agent5.xm')).toMatchObject({ state: 'not_ready', reason: 'break' });

    // agent3.xm (on call-x) is done; agent5.xm, offered call-z, goes on a break but answers anyway: the router
    // forgets the call, and agent3.xm, offered it meanwhile, is ready again without losing its place.
    await ready('agent5.xm');
    const z = ask('call-z', '05922000010');
    expect(await z.promise).toMatchObject({ action: 'agent', user: 'agent5.xm' });
    centre.onSipEvent({ event: 'answered', centre: 'xiamen', callId: 'call-x', code: 200, user: 'agent3.xm' });
    centre.onSipEvent({ event: 'bye', centre: 'xiamen', callId: 'call-x' });
    await centre.setAgentState(agent('agent3.xm'), { state: 'ready' });
    await breakFor('agent5.xm');
    expect(centre.agentState('agent3.xm')).toMatchObject({ state: 'ringing', callId: 'call-z' });
    centre.onSipEvent({ event: 'answered', centre: 'xiamen', callId: 'call-z', code: 200, user: 'agent5.xm' });
    expect(centre.agentState('agent3.xm')).toMatchObject({ state: 'ready' });
    expect(centre.snapshot().calls.map((c) => c.callId)).not.toContain('call-z');
    expect((await centre.recentCalls({ limit: 10 })).find((c) => c.callId === 'call-z')).toMatchObject({
      agentId: 'agent5.xm',
    });
  });

  it('a caller who hangs up while queued leaves the queue; a call Kamailio gives up on ends', async () => {
    await setup();
    await ready('agent4.xm');
    await breakFor('agent4.xm');
    const gone = ask('call-c', '05922000004');
    await settle();
    gone.abort();
    expect(await gone.promise).toEqual({ action: 'reject', code: 487, reason: 'Request Terminated' });
    expect(centre.snapshot().calls).toEqual([]);

    await ready('agent4.xm');
    const failed = ask('call-d', '05922000005');
    expect(await failed.promise).toMatchObject({ user: 'agent4.xm' });
    centre.onSipEvent({ event: 'failed', centre: 'xiamen', callId: 'call-d', code: 603, user: 'agent4.xm' });
    expect(centre.snapshot().calls).toEqual([]);
    expect(centre.agentState('agent4.xm')).toMatchObject({ state: 'not_ready', reason: 'missed' });
    const calls = await centre.recentCalls({ limit: 10 });
    expect(calls.find((c) => c.callId === 'call-c')).toMatchObject({ ending: 'abandoned', decision: 'queue' });
    expect(calls.find((c) => c.callId === 'call-d')).toMatchObject({ ending: 'failed', offers: 1 });
  });

  it('a queued call overflows after the longest wait while the twin is up, and is refused when it is down', async () => {
    await setup();
    await ready('agent4.xm');
    await breakFor('agent4.xm');
    const up = ask('call-e', '05922000006');
    await settle(); // the ask reaches the router (after the VIP lookup a queued call makes)
    tick(29_000);
    await settle();
    expect(up.answered()).toBeUndefined();
    tick(1000);
    expect(await up.promise).toEqual({ action: 'twin' });

    twin = 'down';
    const down = ask('call-f', '05922000007');
    await settle();
    tick(30_000);
    expect(await down.promise).toEqual({ action: 'reject', code: 486, reason: 'Busy Here - all agents busy' });
  });

  it('agent states come back after a restart, replayed from their last sign-out on', async () => {
    await setup();
    await ready('agent4.xm');
    const call = ask('call-g', '05922000008');
    expect(await call.promise).toMatchObject({ user: 'agent4.xm' });
    centre.onSipEvent({ event: 'answered', centre: 'xiamen', callId: 'call-g', code: 200, user: 'agent4.xm' });
    await centre.setAgentState(lead, { state: 'not_ready', reason: 'meeting', agent: 'agent4.xm' });
    centre.onSipEvent({ event: 'bye', centre: 'xiamen', callId: 'call-g' });
    await ready('agent3.xm');
    await centre.setAgentState(agent('agent3.xm'), { state: 'signed_out' });
    await ready('agent3.xm');
    await breakFor('agent3.xm');
    const before = [centre.agentState('agent4.xm'), centre.agentState('agent3.xm')];
    expect(before[0]).toMatchObject({ state: 'after_call_work', then: { to: 'not_ready', reason: 'meeting' } });

    await centre.stop();
    await storage.close();
    await open();
    expect([centre.agentState('agent4.xm'), centre.agentState('agent3.xm')]).toEqual(before);
    // agent3.xm's events before its sign-out are not replayed: its state does not need them.
    const { events } = await storage.calls.loadAgentEvents();
    expect(events.filter((e) => e.agentId === 'agent3.xm').map((e) => e.type)).toEqual(['set_state', 'set_state']);
    // After-call work ends on time after the restart, into the state the team lead chose during the call.
    tick(routing.groups[0]!.afterCallWorkMs);
    expect(centre.agentState('agent4.xm')).toMatchObject({ state: 'not_ready', reason: 'meeting' });
    const stored = await centre.recentCalls({ limit: 5 });
    expect(stored.find((c) => c.callId === 'call-g')).toMatchObject({ agentId: 'agent4.xm', ending: 'completed' });
  });
});
