// What the softphone needs to connect: the shape POST /api/sip/credentials returns (sync-server/src/sip/contract.ts),
// checked here because it crosses a boundary (the app hands it over from the network); the simulated customer phone
// passes the same shape without a password.
import { z } from 'zod';

const SipUser = z.string().regex(/^[A-Za-z0-9._+-]{1,64}$/);

export const SoftphoneCredentialsSchema = z.object({
  /** Digest username ("<expiry>:<user>" for the centres' ephemeral credentials); absent for the customer phone. */
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  /** The user part of the phone's address of record. */
  aor: SipUser,
  /** The domain calls are made in (and the digest realm): hotline.twinline. */
  domain: z.string().min(1),
  /** The AOR's own domain when it differs (the customer phone registers in the simulated telephone network's). */
  aorDomain: z.string().min(1).optional(),
  /** When the credentials stop working (ISO 8601); the softphone asks for new ones before then. */
  expires: z.string().datetime({ offset: true }).optional(),
  hotline: z.string().optional(),
  /** The home centre's SIP server first, then the twin's. */
  servers: z
    .array(z.object({ centre: z.string().min(1), wsUrl: z.string().regex(/^wss?:\/\//, 'a ws:// or wss:// address') }))
    .min(1),
});
export type SoftphoneCredentials = z.infer<typeof SoftphoneCredentialsSchema>;

/**
 * When to ask for fresh credentials: a tenth of the remaining lifetime before they expire, at least a minute before
 * (never later than expiry minus 5 s), and not sooner than `minMs` from now. Null when they do not expire.
 */
export function refreshDelayMs(expires: string | undefined, now = Date.now(), minMs = 5_000): number | null {
  if (!expires) return null;
  const left = Date.parse(expires) - now;
  if (!Number.isFinite(left)) return null;
  const margin = Math.max(60_000, left / 10);
  return Math.max(minMs, Math.min(left - margin, left - 5_000));
}
