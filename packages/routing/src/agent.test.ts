import { describe, it, expect } from 'vitest';
import {
  AgentEventSchema,
  AgentStateError,
  applyAgentEvent,
  foldAgentEvents,
  initialAgentState,
  SYSTEM,
  type Actor,
  type AgentEvent,
  type AgentState,
  type Target,
} from './agent';

const self = (id: string) => ({ role: 'agent' as const, userId: id });
const lead: Actor = { role: 'team_lead', userId: 'lead.xm' };
const set = (agentId: string, at: number, target: Target, by: Actor = self(agentId)): AgentEvent => ({
  type: 'set_state',
  agentId,
  at,
  by,
  target,
});
const run = (events: AgentEvent[]): AgentState =>
  events.reduce((s, e) => applyAgentEvent(s, e), initialAgentState(events[0]!.agentId));

describe('agent states', () => {
  it('signs in, goes not ready with a reason, back to ready, and signs out', () => {
    let s = run([set('a1', 1000, { to: 'ready' })]);
    expect(s.status).toEqual({ state: 'ready' });
    expect(s.readySince).toBe(1000);
    s = applyAgentEvent(s, set('a1', 2000, { to: 'not_ready', reason: 'meal' }));
    expect(s.status).toEqual({ state: 'not_ready', reason: 'meal' });
    expect(s.last).toMatchObject({ type: 'set_state', at: 2000, by: self('a1') });
    s = applyAgentEvent(s, set('a1', 3000, { to: 'ready' }));
    expect(s.readySince).toBe(3000);
    s = applyAgentEvent(s, set('a1', 4000, { to: 'signed_out' }));
    expect(s.status.state).toBe('signed_out');
    expect(s.readySince).toBeNull();
  });

  it('a call: offer, answer, hang up, after-call work, then ready again with a fresh idle time', () => {
    const s = run([
      set('a1', 0, { to: 'ready' }),
      { type: 'offer', agentId: 'a1', at: 10, by: SYSTEM, callId: 'c1', expiresAt: 15_010 },
      { type: 'answer', agentId: 'a1', at: 20, by: SYSTEM, callId: 'c1' },
      { type: 'hangup', agentId: 'a1', at: 100, by: SYSTEM, callId: 'c1', acwUntil: 130 },
    ]);
    expect(s.status).toEqual({ state: 'after_call_work', callId: 'c1', until: 130 });
    const after = applyAgentEvent(s, { type: 'acw_end', agentId: 'a1', at: 130, by: SYSTEM });
    expect(after.status).toEqual({ state: 'ready' });
    expect(after.readySince).toBe(130);
  });

  it('on a call, a chosen state waits for the end of after-call work instead of cutting the call', () => {
    let s = run([
      set('a1', 0, { to: 'ready' }),
      { type: 'offer', agentId: 'a1', at: 10, by: SYSTEM, callId: 'c1', expiresAt: 99 },
      { type: 'answer', agentId: 'a1', at: 20, by: SYSTEM, callId: 'c1' },
      set('a1', 30, { to: 'not_ready', reason: 'break' }),
    ]);
    expect(s.status.state).toBe('on_call');
    expect(s.then).toEqual({ to: 'not_ready', reason: 'break' });
    s = applyAgentEvent(s, { type: 'hangup', agentId: 'a1', at: 40, by: SYSTEM, callId: 'c1', acwUntil: 70 });
    s = applyAgentEvent(s, { type: 'acw_end', agentId: 'a1', at: 70, by: SYSTEM });
    expect(s.status).toEqual({ state: 'not_ready', reason: 'break' });
    expect(s.then).toEqual({ to: 'ready' });
  });

  it('during after-call work the agent may end it early (ready) or leave (not ready, sign out)', () => {
    const acw = run([
      set('a1', 0, { to: 'ready' }),
      { type: 'offer', agentId: 'a1', at: 10, by: SYSTEM, callId: 'c1', expiresAt: 99 },
      { type: 'answer', agentId: 'a1', at: 20, by: SYSTEM, callId: 'c1' },
      { type: 'hangup', agentId: 'a1', at: 40, by: SYSTEM, callId: 'c1', acwUntil: 70 },
    ]);
    expect(applyAgentEvent(acw, set('a1', 50, { to: 'ready' })).readySince).toBe(50);
    expect(applyAgentEvent(acw, set('a1', 50, { to: 'signed_out' })).status.state).toBe('signed_out');
  });

  it('an offer the caller abandoned leaves the agent as idle as before; a missed one makes it not_ready(missed)', () => {
    const ringing = run([
      set('a1', 0, { to: 'ready' }),
      { type: 'offer', agentId: 'a1', at: 500, by: SYSTEM, callId: 'c1', expiresAt: 15_500 },
    ]);
    const abandoned = applyAgentEvent(ringing, {
      type: 'withdraw',
      agentId: 'a1',
      at: 600,
      by: SYSTEM,
      callId: 'c1',
      outcome: 'abandoned',
    });
    expect(abandoned.status.state).toBe('ready');
    expect(abandoned.readySince).toBe(0);
    for (const outcome of ['missed', 'rejected'] as const) {
      const s = applyAgentEvent(ringing, {
        type: 'withdraw',
        agentId: 'a1',
        at: 600,
        by: SYSTEM,
        callId: 'c1',
        outcome,
      });
      expect(s.status).toEqual({ state: 'not_ready', reason: 'missed' });
    }
  });

  it('a team lead may force not_ready or sign-out, never ready; agents change only their own state', () => {
    const ready = run([set('a1', 0, { to: 'ready' })]);
    expect(applyAgentEvent(ready, set('a1', 5, { to: 'not_ready', reason: 'meeting' }, lead)).status).toEqual({
      state: 'not_ready',
      reason: 'meeting',
    });
    expect(applyAgentEvent(ready, set('a1', 5, { to: 'signed_out' }, lead)).last.by).toEqual(lead);
    const out = applyAgentEvent(ready, set('a1', 5, { to: 'signed_out' }, lead));
    expect(() => applyAgentEvent(out, set('a1', 6, { to: 'ready' }, lead))).toThrow(/not ready/);
    expect(() => applyAgentEvent(ready, set('a1', 6, { to: 'signed_out' }, self('a2')))).toThrow(AgentStateError);
    expect(() => applyAgentEvent(ready, set('a1', 6, { to: 'signed_out' }, SYSTEM))).toThrow(/never changes/);
    expect(() =>
      applyAgentEvent(ready, { type: 'offer', agentId: 'a1', at: 6, by: self('a1'), callId: 'c', expiresAt: 9 }),
    ).toThrow(/only the router/);
  });

  it('refuses illegal steps with a reason instead of ignoring them', () => {
    const ready = run([set('a1', 0, { to: 'ready' })]);
    const notReady = applyAgentEvent(ready, set('a1', 1, { to: 'not_ready', reason: 'break' }));
    const cases: [AgentState, AgentEvent][] = [
      [notReady, { type: 'offer', agentId: 'a1', at: 2, by: SYSTEM, callId: 'c1', expiresAt: 9 }],
      [ready, { type: 'answer', agentId: 'a1', at: 2, by: SYSTEM, callId: 'c1' }],
      [ready, { type: 'hangup', agentId: 'a1', at: 2, by: SYSTEM, callId: 'c1', acwUntil: 9 }],
      [ready, { type: 'acw_end', agentId: 'a1', at: 2, by: SYSTEM }],
      [initialAgentState('a1'), set('a1', 2, { to: 'signed_out' })],
    ];
    for (const [s, e] of cases) {
      try {
        applyAgentEvent(s, e);
        expect.unreachable(`${e.type} from ${s.status.state} was accepted`);
      } catch (error) {
        expect(error).toBeInstanceOf(AgentStateError);
        expect((error as AgentStateError).code).toBe('illegal_transition');
      }
    }
    const ringing = applyAgentEvent(ready, {
      type: 'offer',
      agentId: 'a1',
      at: 2,
      by: SYSTEM,
      callId: 'c1',
      expiresAt: 9,
    });
    expect(() => applyAgentEvent(ringing, { type: 'answer', agentId: 'a1', at: 3, by: SYSTEM, callId: 'c2' })).toThrow(
      /not on call c2/,
    );
  });

  it('a state is the fold of its events, and events survive JSON (what the centre stores)', () => {
    const events: AgentEvent[] = [
      set('a1', 0, { to: 'ready' }),
      set('a2', 1, { to: 'not_ready', reason: 'training' }),
      { type: 'offer', agentId: 'a1', at: 10, by: SYSTEM, callId: 'c1', expiresAt: 99 },
      { type: 'answer', agentId: 'a1', at: 20, by: SYSTEM, callId: 'c1' },
      set('a2', 30, { to: 'signed_out' }, lead),
    ];
    const stored = events.map((e) => AgentEventSchema.parse(JSON.parse(JSON.stringify(e))));
    const states = foldAgentEvents(stored);
    expect(states.get('a1')!.status).toEqual({ state: 'on_call', callId: 'c1' });
    expect(states.get('a2')!.status.state).toBe('signed_out');
    expect(states.get('a2')!.last.by).toEqual(lead);
    expect(AgentEventSchema.safeParse({ ...events[0], target: { to: 'not_ready', reason: 'missed' } }).success).toBe(
      false,
    );
  });
});
