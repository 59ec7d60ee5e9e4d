// Login tokens: HS256 JWTs signed with a secret both centres share, so a console keeps its session on the twin. And
// the twins' own check of each other: the peer secret as a Bearer (the replication link, the photo copies).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SignJWT, jwtVerify } from 'jose';
import { z } from 'zod';
import type { Principal } from '@twinline/board';
import { ROLES } from '@twinline/workorder';
import { bearer } from './http';

const ClaimsSchema = z.object({
  sub: z.string().min(1),
  role: z.enum(ROLES),
  centre: z.string().min(1),
  stationId: z.string().optional(),
  city: z.string().optional(),
  name: z.string().optional(),
});

export class TokenService {
  private readonly key: Uint8Array;
  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(p: Principal & { name?: string }): Promise<string> {
    const claims: Record<string, string> = { role: p.role, centre: p.centre };
    if (p.stationId) claims.stationId = p.stationId;
    if (p.city) claims.city = p.city;
    if (p.name) claims.name = p.name;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(p.userId)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  /** The principal a token speaks for, or null when it is missing, forged, expired or malformed. */
  async verify(token: string | null | undefined): Promise<Principal | null> {
    if (!token) return null;
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      const c = ClaimsSchema.parse(payload);
      return { userId: c.sub, role: c.role, centre: c.centre, stationId: c.stationId, city: c.city };
    } catch {
      return null;
    }
  }
}

/**
 * Whether the request is the twin centre's: it carries the shared peer secret as its Bearer. Compared as SHA-256
 * digests in constant time, so neither the secret's content nor its length shows in the timing. A login token (a
 * console's) is not the peer secret and is refused like no credentials at all.
 */
export function isTwin(req: IncomingMessage, peerSecret: string): boolean {
  const given = bearer(req);
  if (given === null) return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(peerSecret));
}
