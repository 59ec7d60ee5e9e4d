// The agent's state as the centre keeps it (GET /api/agent/state, and the `state` events of /api/agent/events),
// checked on the way in. The centre decides; the console only shows it and asks for changes.
import { z } from 'zod';
import { AGENT_STATES, CHOSEN_REASONS, NOT_READY_REASONS } from '@twinline/routing';

export const AgentStateViewSchema = z.object({
  agentId: z.string(),
  centre: z.string(),
  state: z.enum(AGENT_STATES),
  reason: z.enum(NOT_READY_REASONS).optional(),
  callId: z.string().optional(),
  /** after_call_work: when it ends; ringing: when the offer rings out (epoch ms). */
  until: z.number().optional(),
  since: z.number(),
  /** What the agent becomes when the current call and its after-call work are over. */
  then: z
    .object({ to: z.enum(['ready', 'not_ready', 'signed_out']), reason: z.enum(NOT_READY_REASONS).optional() })
    .optional(),
  /** The agent's own centre; another one while it works at the twin after its phone failed over. */
  home: z.string().optional(),
  /** Phones registered at the centre's SIP server; null when it runs none. */
  phones: z.number().nullable().optional(),
});
export type AgentStateView = z.infer<typeof AgentStateViewSchema>;

/** The reasons an agent may pick for not ready (missed is the centre's, after an unanswered offer). */
export const PICKABLE_REASONS = CHOSEN_REASONS;
export type PickableReason = (typeof CHOSEN_REASONS)[number];

/** Wrap-up codes an agent picks after a call (kept with the call at the centre). */
export const WRAP_UP_CODES = [
  'resolved',
  'order_opened',
  'transferred',
  'callback',
  'info_only',
  'wrong_number',
] as const;
export type WrapUpCode = (typeof WRAP_UP_CODES)[number];

/**
 * The state an agent keeps when its phone moves to another centre's SIP server (a failover, or back home): what the
 * agent chose, never what the router did. Ready and not ready stay as they are; during a call or its after-call work,
 * the choice for after the call; a missed offer's not ready becomes not ready (other); signed out carries nothing.
 */
export function carriedState(
  view: AgentStateView,
): { state: 'ready' } | { state: 'not_ready'; reason: PickableReason } | null {
  const pickable = (r: string | undefined): PickableReason =>
    (PICKABLE_REASONS as readonly string[]).includes(r ?? '') ? (r as PickableReason) : 'other';
  const chosen =
    view.state === 'ready' || view.state === 'not_ready' || view.state === 'signed_out'
      ? { to: view.state, reason: view.reason }
      : (view.then ?? { to: 'ready' as const });
  if (chosen.to === 'ready') return { state: 'ready' };
  if (chosen.to === 'not_ready') return { state: 'not_ready', reason: pickable(chosen.reason) };
  return null;
}
