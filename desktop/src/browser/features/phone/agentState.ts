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
