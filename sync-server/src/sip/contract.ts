// The contract between a centre's Kamailio (sync-server/sip/kamailio.cfg) and the centre server, and the SIP
// credentials the centre hands a signed-in softphone. Kamailio builds these JSON bodies with the jansson module.
import { z } from 'zod';

/** A centre's name, as in CentreConfig. */
const Centre = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/);
/** A SIP user part as Kamailio passes it: an account name or a telephone number, nothing that needs escaping. */
const SipUser = z.string().regex(/^[A-Za-z0-9._+-]{1,64}$/);

/** POST /sip/route: Kamailio asks who takes a call to the hotline. */
export const RouteRequestSchema = z.object({
  /** The SIP Call-ID; the same id comes back in /sip/event. */
  callId: z.string().min(1).max(256),
  /** The centre whose Kamailio asks. */
  centre: Centre,
  /** The caller's number (From user); may be anything a trunk sends, so the router treats it as a hint. */
  caller: z.string().max(64),
  /** The dialled number as received: the hotline, or hotline*digits when the caller picked from a menu. */
  dialled: z.string().max(64),
  /** The menu digit(s) the caller chose (from `95598*3` or an X-Twinline-Digit header), when any. */
  digit: z
    .string()
    .regex(/^[0-9]{1,4}$/)
    .optional(),
  /** The call was overflowed here by the twin centre: never send it back. */
  fromTwin: z.boolean(),
  /** How many times Kamailio has asked about this call, this ask included (1 for a new call). */
  attempt: z.number().int().min(1).max(100).optional(),
  /**
   * Asked again because the phone of the agent named last time failed (`failedUser`, with the SIP code: 486/603
   * declined, 408 rang out, 480 not registered or unreachable): the caller is still ringing; name the next agent.
   */
  retry: z.boolean().optional(),
  failedUser: SipUser.optional(),
  failedCode: z.number().int().min(300).max(699).optional(),
});
export type RouteRequest = z.infer<typeof RouteRequestSchema>;

/** The SIP reason phrase goes into a status line: printable ASCII, no CR/LF. */
const ReasonPhrase = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x20-\x7e]+$/, 'printable ASCII only');

/** The centre's answer: ring this agent, overflow to the twin centre, or refuse with this SIP code. */
export const RouteAnswerSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('agent'),
    user: SipUser,
    /** How long that phone may ring before Kamailio gives up and asks again (default TWL_RING_TIMEOUT_MS). */
    ringMs: z.number().int().min(1000).max(300_000).optional(),
    /** Shown on the ringing phone (X-Twinline-Group, -Region, -Waited headers on the INVITE): the skill group the
     * call is for, the caller's region and how long the caller has waited (ms). Ids only: plain ASCII in a header. */
    group: SipUser.optional(),
    region: SipUser.optional(),
    waitedMs: z.number().int().min(0).optional(),
  }),
  z.object({ action: z.literal('twin') }),
  z.object({ action: z.literal('reject'), code: z.number().int().min(400).max(699), reason: ReasonPhrase }),
]);
export type RouteAnswer = z.infer<typeof RouteAnswerSchema>;

/** POST /sip/event: what happened to a call, or to a user's registration. */
export const SipEventSchema = z.discriminatedUnion('event', [
  z.object({
    event: z.enum(['answered', 'bye', 'cancel', 'failed']),
    centre: Centre,
    callId: z.string().min(1).max(256),
    /** The SIP code: 200 for answered, the final failure code for failed. */
    code: z.number().int().min(100).max(699).optional(),
    /** answered, failed: the agent whose phone answered or failed (absent for a call relayed to the twin). */
    user: SipUser.optional(),
  }),
  z.object({
    event: z.literal('registration'),
    centre: Centre,
    user: SipUser,
    /** Contacts the user has registered at this centre after this REGISTER; 0 means no phone is registered. */
    contacts: z.number().int().min(0),
  }),
]);
export type SipEvent = z.infer<typeof SipEventSchema>;
export type CallEvent = Extract<SipEvent, { callId: string }>;

/** POST /api/sip/credentials: what a signed-in softphone needs to register (here, or at the twin after a failover). */
export const SipCredentialsSchema = z.object({
  /** "<expiry unix seconds>:<user>", the digest username (auth_ephemeral's format). */
  username: z.string(),
  /** base64(HMAC-SHA1(secret, username)), the digest password. */
  password: z.string(),
  /** The user part of the softphone's address of record (sip:<aor>@<domain>). */
  aor: SipUser,
  /** When the credentials stop working (ISO 8601); ask again before then. */
  expires: z.string(),
  /** The SIP domain (and digest realm) of both centres. */
  domain: z.string(),
  /** The hotline number. */
  hotline: z.string(),
  /** This centre's SIP server first, then the twin's. */
  servers: z.array(z.object({ centre: Centre, wsUrl: z.string() })).min(1),
});
export type SipCredentials = z.infer<typeof SipCredentialsSchema>;
