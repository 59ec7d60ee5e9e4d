import { describe, expect, it } from 'vitest';
import { carriedState } from './agentState';
import type { AgentStateView } from './agentState';

const view = (v: Partial<AgentStateView>): AgentStateView => ({
  agentId: 'agent4.xm',
  centre: 'xiamen',
  state: 'ready',
  since: 0,
  ...v,
});

describe('the state an agent keeps when its phone moves to the twin', () => {
  it('keeps what the agent chose: ready, not ready with its reason; signed out carries nothing', () => {
    expect(carriedState(view({ state: 'ready' }))).toEqual({ state: 'ready' });
    expect(carriedState(view({ state: 'not_ready', reason: 'meal' }))).toEqual({ state: 'not_ready', reason: 'meal' });
    expect(carriedState(view({ state: 'signed_out' }))).toBeNull();
  });

  it("a missed offer's not ready (the router's, not a person's choice) becomes not ready (other)", () => {
    expect(carriedState(view({ state: 'not_ready', reason: 'missed' }))).toEqual({
      state: 'not_ready',
      reason: 'other',
    });
  });

  it('during a call or its after-call work: the choice for after the call', () => {
    expect(carriedState(view({ state: 'on_call', callId: 'c1', then: { to: 'ready' } }))).toEqual({ state: 'ready' });
    expect(
      carriedState(view({ state: 'after_call_work', until: 5, then: { to: 'not_ready', reason: 'training' } })),
    ).toEqual({ state: 'not_ready', reason: 'training' });
    expect(carriedState(view({ state: 'ringing', then: { to: 'signed_out' } }))).toBeNull();
  });
});
