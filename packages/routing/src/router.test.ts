import { describe, it, expect } from 'vitest';
import { AgentStateError, foldAgentEvents, type Actor, type AgentEvent, type Target } from './agent';
import type { RoutingConfigInput } from './config';
import type { Call, Decision, RouterOutput } from './decision';
import { Router, RoutingError } from './router';
import { demoRoutingConfig } from './testkit';

// The Xiamen centre's router. Xiamen normally serves Xiamen, Quanzhou, Zhangzhou and Longyan; Fuzhou the rest.
const AGENTS = [
  { id: 'r1', skills: ['repair'] },
  { id: 'r2', skills: ['repair'] },
  { id: 'r3', skills: ['repair', 'business'] },
  { id: 'b1', skills: ['business'] },
  { id: 'c1', skills: ['complaint'] },
  { id: 'm1', skills: ['minnan'] },
  { id: 'f1', skills: ['fuzhouhua'] },
];
const XM = '05921234567'; // Xiamen landline
const QZ = '059512345678'; // Quanzhou landline
const ZZ = '05961234567'; // Zhangzhou landline
const FZ = '059187654321'; // Fuzhou landline: a city the Fuzhou centre serves
const S = 1000;
const LEAD: Actor = { role: 'team_lead', userId: 'lead.xm' };

function setup(overrides: Partial<RoutingConfigInput> = {}) {
  const config = demoRoutingConfig('xiamen', { agents: AGENTS, ...overrides });
  const router = new Router(config);
  const log: AgentEvent[] = [];
  const take = (o: RouterOutput) => {
    log.push(...o.events);
    return o.decisions;
  };
  const set = (agentId: string, at: number, target: Target, by: Actor = { role: 'agent', userId: agentId }) =>
    take(router.agentEvent({ type: 'set_state', agentId, at, by, target }));
  return {
    config,
    router,
    log,
    set,
    ready: (agentId: string, at: number) => set(agentId, at, { to: 'ready' }),
    notReady: (agentId: string, at: number) => set(agentId, at, { to: 'not_ready', reason: 'break' }),
    arrive: (id: string, caller: string, at: number, extra: Partial<Call> = {}) =>
      take(router.callArrived({ id, caller, ...extra }, at)),
    answer: (id: string, at: number) => take(router.callAnswered(id, at)),
    end: (id: string, how: Parameters<Router['callEnded']>[1], at: number) => take(router.callEnded(id, how, at)),
    tick: (at: number) => take(router.tick(at)),
    state: (agentId: string) => router.agentStates().get(agentId)!.status,
  };
}

const only = (ds: Decision[]): Decision => {
  expect(ds).toHaveLength(1);
  return ds[0]!;
};
const offeredTo = (ds: Decision[]) => ds.filter((d) => d.kind === 'offer').map((d) => d.agentId);

describe('offering to the longest-idle ready agent', () => {
  it('picks the agent ready longest; after a call, the agent goes to the back', () => {
    const t = setup();
    t.ready('r2', 10 * S);
    t.ready('r1', 0);
    t.ready('r3', 5 * S);
    const d = only(t.arrive('k1', XM, 60 * S));
    expect(d).toMatchObject({ kind: 'offer', agentId: 'r1', reason: 'longest_idle', idleMs: 60 * S, waitedMs: 0 });
    expect(t.state('r1')).toMatchObject({ state: 'ringing', callId: 'k1' });
    t.answer('k1', 62 * S);
    t.end('k1', 'completed', 120 * S);
    expect(t.state('r1')).toEqual({ state: 'after_call_work', callId: 'k1', until: 150 * S });
    t.tick(150 * S);
    expect(t.state('r1')).toEqual({ state: 'ready' });
    // r1 has been idle since 150 s (after-call work does not count): r3 (5 s) and r2 (10 s) come first.
    expect(offeredTo(t.arrive('k2', XM, 151 * S))).toEqual(['r3']);
    expect(offeredTo(t.arrive('k3', XM, 152 * S))).toEqual(['r2']);
    expect(offeredTo(t.arrive('k4', XM, 153 * S))).toEqual(['r1']);
  });

  it('an offer the caller abandoned does not send the agent to the back', () => {
    const t = setup();
    t.ready('r1', 0);
    t.ready('r2', 1 * S);
    expect(offeredTo(t.arrive('k1', XM, 10 * S))).toEqual(['r1']);
    t.end('k1', 'abandoned', 12 * S);
    expect(t.state('r1')).toEqual({ state: 'ready' });
    expect(offeredTo(t.arrive('k2', XM, 13 * S))).toEqual(['r1']);
  });

  it('matches skills: a business call goes only to business agents, never to repair-only ones', () => {
    const t = setup();
    t.ready('r1', 0);
    t.ready('b1', 5 * S);
    t.ready('r3', 3 * S);
    expect(offeredTo(t.arrive('k1', XM, 10 * S, { menu: { service: '2' } }))).toEqual(['r3']);
    expect(offeredTo(t.arrive('k2', XM, 11 * S, { menu: { service: '2' } }))).toEqual(['b1']);
    const d = only(t.arrive('k3', XM, 12 * S, { menu: { service: '2' } }));
    expect(d).toMatchObject({ kind: 'queue', group: 'business', groupSource: 'menu', position: 1 });
    expect(t.state('r1')).toEqual({ state: 'ready' });
  });

  it('dialect calls go to the dialect groups (9 Minnan, 8 Fuzhou speech) and wait for them', () => {
    const t = setup();
    for (const a of ['r1', 'm1', 'f1']) t.ready(a, 0);
    expect(only(t.arrive('k1', XM, 10 * S, { menu: { service: '9' } }))).toMatchObject({
      kind: 'offer',
      group: 'minnan',
      agentId: 'm1',
    });
    expect(only(t.arrive('k2', XM, 11 * S, { menu: { service: '8' } }))).toMatchObject({
      kind: 'offer',
      group: 'fuzhouhua',
      agentId: 'f1',
    });
    // The Minnan agent is busy: the next Minnan caller waits for it, even with a repair agent free.
    expect(only(t.arrive('k3', XM, 12 * S, { menu: { service: '9' } }))).toMatchObject({
      kind: 'queue',
      group: 'minnan',
    });
    expect(t.state('r1')).toEqual({ state: 'ready' });
    t.end('k1', 'rejected', 13 * S); // m1 declines k1: k1 goes back ahead of k3
    t.ready('m1', 14 * S);
    expect(t.router.snapshot(14 * S).calls.find((c) => c.callId === 'k1')).toMatchObject({ status: 'ringing' });
  });

  it('records the region binding in the decision: area code, mobile segment, menu digit', () => {
    const t = setup();
    t.ready('r1', 0);
    t.ready('r2', 0);
    t.ready('r3', 0);
    expect(only(t.arrive('k1', QZ, S))).toMatchObject({ region: 'quanzhou', regionSource: 'area_code' });
    expect(only(t.arrive('k2', '13959712345', S))).toMatchObject({ region: 'longyan', regionSource: 'mobile_prefix' });
    expect(only(t.arrive('k3', '19912345678', S, { menu: { region: '6' } }))).toMatchObject({
      region: 'zhangzhou',
      regionSource: 'menu',
    });
  });
});

describe('queueing', () => {
  it('holds calls in order (VIP ahead of others, oldest first) and gives them to agents as they become ready', () => {
    const t = setup();
    t.notReady('r1', 0);
    t.notReady('r2', 0);
    const q1 = only(t.arrive('q1', XM, 1 * S));
    expect(q1).toMatchObject({ kind: 'queue', reason: 'queued', position: 1 });
    expect(only(t.arrive('q2', XM, 2 * S))).toMatchObject({ position: 2 });
    expect(only(t.arrive('v1', XM, 3 * S, { vip: true }))).toMatchObject({ position: 1 });
    expect(only(t.arrive('q3', XM, 4 * S))).toMatchObject({ position: 4 });
    expect(t.router.snapshot(10 * S).groups.find((g) => g.id === 'repair')).toMatchObject({
      waiting: 4,
      longestWaitMs: 9 * S,
      ready: 0,
      signedIn: 2,
    });
    expect(only(t.ready('r1', 20 * S))).toMatchObject({ kind: 'offer', callId: 'v1', agentId: 'r1', waitedMs: 17 * S });
    expect(only(t.ready('r2', 21 * S))).toMatchObject({ callId: 'q1', agentId: 'r2' });
    t.end('q1', 'rejected', 22 * S); // q1 back at the front: ahead of q2
    expect(only(t.ready('r3', 23 * S))).toMatchObject({ callId: 'q1', agentId: 'r3' });
  });

  it('estimates the wait from the position, the agents staffing the group and the mean handling time', () => {
    const t = setup();
    t.ready('r1', 0);
    t.ready('r2', 0);
    t.arrive('k1', XM, S);
    t.arrive('k2', XM, S);
    const d = only(t.arrive('k3', XM, S));
    // Two agents staffing repair, 240 s expected handling: position 1 waits about 120 s.
    expect(d).toMatchObject({ kind: 'queue', position: 1, estimatedWaitMs: 120 * S });
    expect(d.text.en).toMatch(/queued at position 1, estimated wait 120 s/);
    expect(d.text.zh).toMatch(/排队第 1 位，预计等待 120 秒/);
  });

  it('a caller hanging up in the queue leaves it, and the calls behind move up', () => {
    const t = setup();
    t.notReady('r1', 0);
    t.arrive('q1', XM, 1 * S);
    t.arrive('q2', XM, 2 * S);
    t.end('q1', 'abandoned', 3 * S);
    expect(t.router.snapshot(4 * S).calls).toEqual([expect.objectContaining({ callId: 'q2', position: 1 })]);
    expect(t.router.snapshot(4 * S).regions.find((r) => r.id === 'xiamen')!.inProgress).toBe(1);
    expect(t.end('gone', 'abandoned', 5 * S)).toEqual([]); // unknown calls are ignored
  });

  it('overflows to the twin after the longest wait, and not a moment before', () => {
    const t = setup();
    t.notReady('r1', 0);
    t.arrive('q1', XM, 10 * S);
    expect(t.tick(70 * S - 1)).toEqual([]);
    const d = only(t.tick(70 * S));
    expect(d).toMatchObject({ kind: 'overflow', reason: 'max_wait', to: 'fuzhou', callId: 'q1', waitedMs: 60 * S });
    expect(d.text.zh).toMatch(/溢出至对端中心 fuzhou/);
    expect(t.router.snapshot(70 * S).calls).toEqual([]);
  });

  it('a full queue overflows at once, or is refused 486 when the twin cannot take it', () => {
    const t = setup({ groups: demoRoutingConfig('xiamen').groups.map((g) => ({ ...g, queueLimit: 1 })) });
    t.notReady('r1', 0);
    t.arrive('q1', XM, S);
    expect(only(t.arrive('q2', XM, S))).toMatchObject({ kind: 'overflow', reason: 'queue_full' });
    t.router.setTwin('down');
    expect(only(t.arrive('q3', XM, S))).toMatchObject({
      kind: 'reject',
      reason: 'queue_full',
      sipCode: 486,
      noOverflow: 'twin_down',
    });
  });

  it('with nobody of the group signed in: overflow, or 480 when the twin is down', () => {
    const t = setup();
    expect(only(t.arrive('k1', XM, S, { menu: { service: '3' } }))).toMatchObject({
      kind: 'overflow',
      reason: 'no_agent_signed_in',
    });
    t.router.setTwin('down');
    const d = only(t.arrive('k2', XM, S, { menu: { service: '3' } }));
    expect(d).toMatchObject({ kind: 'reject', sipCode: 480, reason: 'no_agent_signed_in', noOverflow: 'twin_down' });
    expect(d.kind === 'reject' && d.sipReason).toMatch(/no agent signed in/);
    expect(d.text.en).toMatch(/no agent of complaint is signed in, and the twin centre is down; refused with 480/);
  });
});

describe('the twin centre', () => {
  it('calls from a region the twin serves go to the twin while it is up, and are served here when it is not', () => {
    const t = setup();
    t.ready('r1', 0);
    expect(only(t.arrive('k1', FZ, S))).toMatchObject({ kind: 'overflow', reason: 'home_centre', region: 'fuzhou' });
    t.router.setTwin('full');
    expect(only(t.arrive('k2', FZ, S))).toMatchObject({ kind: 'offer', region: 'fuzhou', agentId: 'r1' });
  });

  it('never sends a call back to the twin it came from: no overflow loop', () => {
    const t = setup();
    t.notReady('r1', 0);
    // From the twin, for a region the twin serves: served here (the twin already gave up on it).
    expect(only(t.arrive('k1', FZ, 0, { fromTwin: true }))).toMatchObject({ kind: 'queue', region: 'fuzhou' });
    const d = only(t.tick(60 * S));
    expect(d).toMatchObject({ kind: 'reject', reason: 'max_wait', sipCode: 486, noOverflow: 'from_twin' });
    expect(d.text.zh).toMatch(/来电本由对端中心溢出而来/);
    // Nobody signed in for complaints: a call from the twin is refused 480, not bounced back.
    expect(only(t.arrive('k2', XM, S, { fromTwin: true, menu: { service: '3' } }))).toMatchObject({
      kind: 'reject',
      sipCode: 480,
      noOverflow: 'from_twin',
    });
  });

  it('refuses with a clear code when the twin is full after the longest wait', () => {
    const t = setup();
    t.notReady('r1', 0);
    t.router.setTwin('full');
    t.arrive('k1', XM, 0);
    expect(only(t.tick(60 * S))).toMatchObject({ kind: 'reject', sipCode: 486, noOverflow: 'twin_full' });
    expect(t.router.snapshot(60 * S).twin).toEqual({ id: 'fuzhou', status: 'full' });
  });
});

describe('per-region limits', () => {
  const limited = () =>
    setup({
      regions: demoRoutingConfig('xiamen').regions.map((r) =>
        r.id === 'quanzhou' ? { ...r, maxCallsInProgress: 2 } : r,
      ),
    });

  it('refuses a region past its limit (503) while other regions still get through', () => {
    const t = limited();
    t.ready('r1', 0);
    expect(only(t.arrive('qz1', QZ, S))).toMatchObject({ kind: 'offer' }); // ringing: in progress
    expect(only(t.arrive('qz2', QZ, S))).toMatchObject({ kind: 'queue' });
    const d = only(t.arrive('qz3', QZ, S));
    expect(d).toMatchObject({ kind: 'reject', reason: 'region_limit', sipCode: 503, region: 'quanzhou' });
    expect(d.kind === 'reject' && d.sipReason).toBe('Service Unavailable - region limit reached');
    expect(d.text.zh).toMatch(/泉州在途来电已达上限.*拒绝（503）/);
    expect(only(t.arrive('zz1', ZZ, S))).toMatchObject({ kind: 'queue', region: 'zhangzhou' });
    expect(only(t.arrive('xm1', XM, S))).toMatchObject({ kind: 'queue', region: 'xiamen' });
    expect(t.router.snapshot(S).regions.find((r) => r.id === 'quanzhou')).toMatchObject({ inProgress: 2, limit: 2 });
  });

  it('counts connected calls until they end, then lets the next call from the region in', () => {
    const t = limited();
    t.ready('r1', 0);
    t.ready('r2', 0);
    t.arrive('qz1', QZ, S);
    t.arrive('qz2', QZ, S);
    t.answer('qz1', 2 * S);
    t.answer('qz2', 2 * S);
    expect(only(t.arrive('qz3', QZ, 3 * S))).toMatchObject({ kind: 'reject', reason: 'region_limit' });
    t.end('qz1', 'completed', 4 * S);
    expect(only(t.arrive('qz4', QZ, 5 * S))).toMatchObject({ kind: 'queue' });
  });

  it('is checked first: a full region is refused even when an agent is ready', () => {
    const t = limited();
    t.ready('r1', 0);
    t.ready('r2', 0);
    t.ready('r3', 0);
    t.arrive('qz1', QZ, S);
    t.arrive('qz2', QZ, S);
    expect(only(t.arrive('qz3', QZ, S))).toMatchObject({ kind: 'reject', reason: 'region_limit' });
    expect(t.state('r3')).toEqual({ state: 'ready' });
  });
});

describe('offers not answered', () => {
  it('an offer ringing out makes the agent not_ready(missed) and the call goes to the next agent', () => {
    const t = setup();
    t.ready('r1', 0);
    t.ready('r2', 1 * S);
    t.arrive('k1', XM, 10 * S);
    expect(t.tick(24 * S)).toEqual([]);
    const d = t.tick(25 * S);
    expect(offeredTo(d)).toEqual(['r2']);
    expect(t.state('r1')).toEqual({ state: 'not_ready', reason: 'missed' });
    expect(t.log.at(-2)).toMatchObject({ type: 'withdraw', agentId: 'r1', at: 25 * S, outcome: 'missed' });
  });

  it('with nobody else ready the call goes back to the front of the queue and says who missed it', () => {
    const t = setup();
    t.ready('r1', 0);
    t.arrive('k1', XM, S);
    t.notReady('r2', 0);
    t.arrive('k2', XM, 2 * S, { vip: true });
    const d = only(t.end('k1', 'rejected', 3 * S));
    expect(d).toMatchObject({ kind: 'queue', reason: 'requeued', position: 1, withdrawnFrom: 'r1', callId: 'k1' });
    expect(d.text.en).toMatch(/not answered by r1, back at the front; queued at position 1/);
    expect(t.state('r1')).toEqual({ state: 'not_ready', reason: 'missed' });
    expect(only(t.ready('r2', 4 * S))).toMatchObject({ callId: 'k1', agentId: 'r2' });
  });

  it('an unreachable phone counts as missed', () => {
    const t = setup();
    t.ready('r1', 0);
    t.arrive('k1', XM, S);
    t.end('k1', 'unreachable', 2 * S);
    expect(t.state('r1')).toEqual({ state: 'not_ready', reason: 'missed' });
  });
});

describe('after-call work', () => {
  it('ends on its timer and the agent takes the waiting call; a chosen break is kept instead', () => {
    const t = setup();
    t.ready('r1', 0);
    t.ready('r2', 0);
    t.arrive('k1', XM, S);
    t.arrive('k2', XM, S);
    t.answer('k1', 2 * S);
    t.answer('k2', 2 * S);
    t.notReady('r2', 3 * S); // on a call: a break for after it
    t.arrive('k3', XM, 4 * S);
    t.end('k1', 'completed', 10 * S);
    t.end('k2', 'completed', 10 * S);
    expect(t.tick(39 * S)).toEqual([]);
    expect(t.state('r1').state).toBe('after_call_work');
    const d = t.tick(41 * S);
    expect(d).toEqual([expect.objectContaining({ kind: 'offer', agentId: 'r1', callId: 'k3' })]);
    expect(t.state('r2')).toEqual({ state: 'not_ready', reason: 'break' });
    const acwEnd = t.log.find((e) => e.type === 'acw_end' && e.agentId === 'r1');
    expect(acwEnd).toMatchObject({ at: 40 * S, by: { role: 'system' } }); // written with the time it was due
  });

  it('a late tick handles what fell due in the order it fell due: the agent freed first takes the call', () => {
    const t = setup();
    t.ready('r1', 0);
    t.arrive('k1', XM, 0);
    t.answer('k1', S);
    t.end('k1', 'completed', 10 * S); // after-call work until 40 s
    t.notReady('r2', 0);
    t.arrive('k2', XM, 0); // longest wait runs out at 60 s
    const d = t.tick(100 * S); // the centre was busy: nothing ran for a while
    expect(d).toEqual([expect.objectContaining({ kind: 'offer', callId: 'k2', agentId: 'r1', at: 100 * S })]);
    expect(t.log.find((e) => e.type === 'acw_end')).toMatchObject({ at: 40 * S });
  });

  it('the agent may end it early by going ready', () => {
    const t = setup();
    t.ready('r1', 0);
    t.arrive('k1', XM, S);
    t.answer('k1', 2 * S);
    t.notReady('r2', 0);
    t.arrive('k2', XM, 3 * S);
    t.end('k1', 'completed', 5 * S);
    expect(offeredTo(t.ready('r1', 8 * S))).toEqual(['r1']);
  });
});

describe('team leads and permissions', () => {
  it('a lead forces a ready agent to not_ready, and it gets no calls', () => {
    const t = setup();
    t.ready('r1', 0);
    t.ready('r2', 5 * S);
    t.set('r1', S, { to: 'not_ready', reason: 'meeting' }, LEAD);
    expect(t.state('r1')).toEqual({ state: 'not_ready', reason: 'meeting' });
    expect(offeredTo(t.arrive('k1', XM, 10 * S))).toEqual(['r2']);
  });

  it('forcing a ringing agent puts the call back in front and offers it on; on a call it waits for the end', () => {
    const t = setup();
    t.ready('r1', 0);
    t.ready('r2', 5 * S);
    t.arrive('k1', XM, 10 * S);
    expect(offeredTo(t.set('r1', 11 * S, { to: 'signed_out' }, LEAD))).toEqual(['r2']);
    expect(t.state('r1').state).toBe('signed_out');
    t.answer('k1', 12 * S);
    t.set('r2', 13 * S, { to: 'signed_out' }, LEAD);
    expect(t.state('r2')).toMatchObject({ state: 'on_call' });
    t.end('k1', 'completed', 20 * S);
    t.tick(50 * S);
    expect(t.state('r2').state).toBe('signed_out');
  });

  it('refuses a lead making someone ready, an agent changing another, and unknown agents', () => {
    const t = setup();
    expect(() => t.set('r1', 0, { to: 'ready' }, LEAD)).toThrow(AgentStateError);
    expect(() => t.set('r1', 0, { to: 'ready' }, { role: 'agent', userId: 'r2' })).toThrow(/only its own/);
    expect(() => t.ready('nobody', 0)).toThrow(RoutingError);
    expect(() => t.router.agentEvent({ type: 'acw_end', agentId: 'r1', at: 0, by: { role: 'system' } })).toThrow(
      /from the router itself/,
    );
  });
});

describe('replay', () => {
  it('the agent states are the fold of the events the router put out, and a restored router agrees', () => {
    const t = setup();
    t.ready('r1', 0);
    t.ready('r2', S);
    t.ready('m1', S);
    t.notReady('b1', S);
    t.arrive('k1', XM, 2 * S);
    t.arrive('k2', XM, 2 * S);
    t.arrive('k3', XM, 2 * S, { menu: { service: '9' } });
    t.answer('k1', 3 * S);
    t.end('k1', 'completed', 30 * S);
    t.set('b1', 31 * S, { to: 'signed_out' }, LEAD);
    t.tick(40 * S); // k2 rings out at 17 s; k3 too
    const live = t.router.agentStates();
    expect(foldAgentEvents(t.log)).toEqual(new Map([...live].filter(([id]) => t.log.some((e) => e.agentId === id))));
    const restored = Router.restore(t.config, JSON.parse(JSON.stringify(t.log)) as AgentEvent[]);
    expect(restored.agentStates()).toEqual(live);
    expect(restored.snapshot(40 * S).agents).toEqual(t.router.snapshot(40 * S).agents);
    expect(restored.snapshot(40 * S).groups.map((g) => [g.id, g.ready, g.signedIn])).toEqual(
      t.router.snapshot(40 * S).groups.map((g) => [g.id, g.ready, g.signedIn]),
    );
  });

  it('a call ringing or connected across a restart can still be answered and ended', () => {
    const t = setup();
    t.ready('r1', 0);
    t.ready('r2', 0);
    t.arrive('k1', XM, S);
    t.arrive('k2', XM, S);
    t.answer('k2', 2 * S);
    const r = Router.restore(t.config, t.log);
    const ringing = [...r.agentStates().values()].find((s) => s.status.state === 'ringing')!;
    expect(r.callAnswered('k1', 3 * S).events).toEqual([expect.objectContaining({ type: 'answer', callId: 'k1' })]);
    expect(r.callEnded('k1', 'completed', 4 * S).events[0]).toMatchObject({ type: 'hangup', agentId: ringing.agentId });
    expect(r.callEnded('k2', 'completed', 4 * S).events[0]).toMatchObject({ type: 'hangup' });
  });

  it('a repeated arrival (a retransmission) describes the call again without counting it twice', () => {
    const t = setup();
    t.notReady('r1', 0);
    t.arrive('k1', XM, S);
    expect(only(t.arrive('k1', XM, 2 * S))).toMatchObject({ kind: 'queue', position: 1 });
    expect(t.router.snapshot(2 * S).regions.find((r) => r.id === 'xiamen')!.inProgress).toBe(1);
  });
});
