// Agent states (坐席状态) as a small state machine. An agent's state is a fold of its events: every change, whoever
// caused it, is an event with a time and a cause, so the centre persists the events and gets the same states back
// after a restart or a console reconnect. A state never flips by itself; the only changes nobody asked for are the
// two timers the router runs (after-call work ends, an unanswered offer becomes not_ready(missed)), and those are
// events too, written with the time the timer was due.
import { z } from 'zod';

/** Why an agent is not taking calls. `missed` is set by the router only: an offer rang out or was declined. */
export const NOT_READY_REASONS = ['break', 'meal', 'training', 'meeting', 'other', 'missed'] as const;
/** Reasons a person may choose (an agent for itself, a team lead forcing an agent). */
export const CHOSEN_REASONS = ['break', 'meal', 'training', 'meeting', 'other'] as const;
export const AGENT_STATES = ['signed_out', 'ready', 'not_ready', 'after_call_work', 'ringing', 'on_call'] as const;
export const ACTOR_ROLES = ['agent', 'team_lead', 'admin', 'system'] as const;

export type NotReadyReason = (typeof NOT_READY_REASONS)[number];
export type ChosenReason = (typeof CHOSEN_REASONS)[number];
export type AgentStateName = (typeof AGENT_STATES)[number];

const id = z.string().min(1).max(128);
const time = z.number().int().nonnegative();

/** Who caused a change. `system` is the router itself (offers, answers, timers). */
export const ActorSchema = z.object({ role: z.enum(ACTOR_ROLES), userId: id.optional() });
export type Actor = z.infer<typeof ActorSchema>;
export const SYSTEM: Actor = { role: 'system' };

/** A state a person may ask for. */
export const TargetSchema = z.discriminatedUnion('to', [
  z.object({ to: z.literal('ready') }),
  z.object({ to: z.literal('not_ready'), reason: z.enum(CHOSEN_REASONS) }),
  z.object({ to: z.literal('signed_out') }),
]);
export type Target = z.infer<typeof TargetSchema>;

const base = { agentId: id, at: time, by: ActorSchema, note: z.string().max(500).optional() };

/**
 * Every event of an agent's life. `set_state` comes from people (the agent, or a team lead forcing not_ready or
 * sign-out); the others come from the router (`by.role === 'system'`) and carry everything needed to replay them
 * without the routing configuration (the offer's expiry, the end of after-call work).
 */
export const AgentEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('set_state'), ...base, target: TargetSchema }),
  z.object({ type: z.literal('offer'), ...base, callId: id, expiresAt: time }),
  z.object({ type: z.literal('answer'), ...base, callId: id }),
  /** The offer ends unanswered: the caller hung up (`abandoned`), or it rang out or was declined (`missed`). */
  z.object({
    type: z.literal('withdraw'),
    ...base,
    callId: id,
    outcome: z.enum(['abandoned', 'missed', 'rejected']),
  }),
  z.object({ type: z.literal('hangup'), ...base, callId: id, acwUntil: time }),
  z.object({ type: z.literal('acw_end'), ...base }),
]);
export type AgentEvent = z.infer<typeof AgentEventSchema>;
export type AgentEventType = AgentEvent['type'];

export type AgentStatus =
  | { state: 'signed_out' }
  | { state: 'ready' }
  | { state: 'not_ready'; reason: NotReadyReason }
  | { state: 'after_call_work'; callId: string; until: number }
  | { state: 'ringing'; callId: string; expiresAt: number }
  | { state: 'on_call'; callId: string };

export interface AgentState {
  agentId: string;
  status: AgentStatus;
  /** When the current status began. */
  since: number;
  /**
   * When the agent last became ready: the router offers a call to the ready agent with the oldest `readySince`
   * (longest idle). After-call work and breaks do not count as idle; an offer the caller abandoned before it was
   * answered does not reset it. `null` while never ready since signing in.
   */
  readySince: number | null;
  /** What the agent becomes when after-call work ends: ready unless the agent (or a team lead) chose otherwise. */
  then: Target;
  /** The event that made the latest change (its cause). */
  last: { type: AgentEventType; at: number; by: Actor; note?: string };
}

export type AgentErrorCode = 'illegal_transition' | 'forbidden' | 'wrong_call';

/** A refused change: never a silent no-op. */
export class AgentStateError extends Error {
  override readonly name = 'AgentStateError';
  constructor(
    readonly code: AgentErrorCode,
    message: string,
    readonly detail: { agentId: string; state: AgentStateName; type: AgentEventType },
  ) {
    super(message);
  }
}

const READY: Target = { to: 'ready' };

/** The state of an agent nobody has heard of yet. */
export function initialAgentState(agentId: string, at = 0): AgentState {
  return {
    agentId,
    status: { state: 'signed_out' },
    since: at,
    readySince: null,
    then: READY,
    last: { type: 'set_state', at, by: SYSTEM },
  };
}

/** Why `by` may not send `e` for this agent, or null when allowed. Agents act for themselves only. */
export function permissionProblem(e: AgentEvent): string | null {
  const { role, userId } = e.by;
  if (e.type !== 'set_state') return role === 'system' ? null : `only the router may send ${e.type}`;
  if (role === 'system') return 'the router never changes a state a person chooses';
  if (role === 'agent') return userId === e.agentId ? null : 'an agent may change only its own state';
  // team lead or admin: may force not_ready or sign-out, never make someone ready.
  return e.target.to === 'ready' ? 'a team lead may force not_ready or sign-out, not ready' : null;
}

function statusOf(t: Target): AgentStatus {
  return t.to === 'not_ready' ? { state: 'not_ready', reason: t.reason } : { state: t.to };
}

/**
 * Applies one event to an agent's state and returns the new state (the input is not changed). Throws
 * AgentStateError when the event is not allowed from this state or by this actor.
 *
 * `set_state` by state:
 * - signed_out, ready, not_ready, after_call_work: takes effect now (ready from after-call work ends it early).
 * - ringing: takes effect now; the offer is withdrawn (the router puts the call back at the front of its queue).
 * - on_call: does not cut the call; it becomes the choice for after the call (`then`), applied when after-call work
 *   ends. `ready` there clears an earlier choice.
 */
export function applyAgentEvent(s: AgentState, e: AgentEvent): AgentState {
  const fail = (code: AgentErrorCode, why: string): never => {
    throw new AgentStateError(code, `agent ${e.agentId}: ${e.type} refused in ${s.status.state}: ${why}`, {
      agentId: e.agentId,
      state: s.status.state,
      type: e.type,
    });
  };
  if (e.agentId !== s.agentId) fail('wrong_call', `event for ${e.agentId} applied to ${s.agentId}`);
  const problem = permissionProblem(e);
  if (problem) fail('forbidden', problem);
  const last = { type: e.type, at: e.at, by: e.by, ...(e.note ? { note: e.note } : {}) };
  const to = (status: AgentStatus, extra: Partial<AgentState> = {}): AgentState => ({
    ...s,
    status,
    since: e.at,
    last,
    ...extra,
  });
  const st = s.status;
  const sameCall = (callId: string) => {
    if (!('callId' in st) || st.callId !== callId) fail('wrong_call', `not on call ${callId}`);
  };

  switch (e.type) {
    case 'set_state': {
      if (st.state === 'on_call') return { ...s, then: e.target, last };
      if (e.target.to === 'signed_out' && st.state === 'signed_out') fail('illegal_transition', 'already signed out');
      if (e.target.to === 'ready' && st.state === 'ringing') fail('illegal_transition', 'a call is being offered');
      if (e.target.to === 'ready' && st.state === 'ready') return { ...s, last };
      const status = statusOf(e.target);
      const readySince = e.target.to === 'ready' ? e.at : s.readySince;
      return to(status, { readySince: e.target.to === 'signed_out' ? null : readySince, then: READY });
    }
    case 'offer':
      if (st.state !== 'ready') fail('illegal_transition', 'offers go to ready agents only');
      return to({ state: 'ringing', callId: e.callId, expiresAt: e.expiresAt });
    case 'answer':
      if (st.state !== 'ringing') fail('illegal_transition', 'nothing is ringing');
      sameCall(e.callId);
      return to({ state: 'on_call', callId: e.callId });
    case 'withdraw':
      if (st.state !== 'ringing') fail('illegal_transition', 'nothing is ringing');
      sameCall(e.callId);
      // The caller gave up: the agent did no work, so it stays as idle as before. Otherwise: missed.
      return e.outcome === 'abandoned' ? to({ state: 'ready' }) : to({ state: 'not_ready', reason: 'missed' });
    case 'hangup':
      if (st.state !== 'on_call') fail('illegal_transition', 'not on a call');
      sameCall(e.callId);
      return to({ state: 'after_call_work', callId: e.callId, until: e.acwUntil });
    case 'acw_end': {
      if (st.state !== 'after_call_work') fail('illegal_transition', 'not in after-call work');
      const status = statusOf(s.then);
      return to(status, {
        readySince: s.then.to === 'ready' ? e.at : s.then.to === 'signed_out' ? null : s.readySince,
        then: READY,
      });
    }
  }
}

/** Folds events (oldest first) into the state of every agent they mention. */
export function foldAgentEvents(events: Iterable<AgentEvent>): Map<string, AgentState> {
  const states = new Map<string, AgentState>();
  for (const e of events) {
    const s = states.get(e.agentId) ?? initialAgentState(e.agentId, e.at);
    states.set(e.agentId, applyAgentEvent(s, e));
  }
  return states;
}
