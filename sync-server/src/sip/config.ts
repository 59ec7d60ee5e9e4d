// A centre's SIP settings (present when the centre runs a Kamailio): what softphones are told and what routing knows.
import { z } from 'zod';

export const SipConfigSchema = z.object({
  /** Where this centre's softphones register: its Kamailio's WebSocket address, e.g. ws://127.0.0.1:5480 */
  wsUrl: z.string().url(),
  /** The twin centre's SIP server, told to softphones so they can register there when this centre fails. */
  twin: z.object({ centre: z.string().min(1), wsUrl: z.string().url() }).optional(),
  /** Whether this centre's Kamailio can overflow hotline calls to the twin's Kamailio. */
  overflowToTwin: z.boolean().default(false),
  /** The SIP domain and digest realm, the same in both centres. */
  domain: z.string().default('hotline.twinline'),
  hotline: z
    .string()
    .regex(/^[0-9]{3,12}$/)
    .default('95598'),
  /** How long issued SIP credentials stay valid. */
  credentialTtlSeconds: z
    .number()
    .int()
    .positive()
    .default(12 * 3600),
});
export type SipConfig = z.infer<typeof SipConfigSchema>;
export type SipConfigInput = z.input<typeof SipConfigSchema>;
