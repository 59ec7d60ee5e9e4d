// SIP credentials from the centre's own accounts: auth_ephemeral's scheme (draft-uberti-rtcweb-turn-rest).
// Both centres derive the same SIP secret from the token secret they already share, so credentials issued by one
// centre work at the twin's SIP server after a failover, and there is no second list of passwords to keep.
import { createHmac } from 'node:crypto';

/** The secret Kamailio's auth_ephemeral checks digest passwords against. */
export function sipSecretFrom(tokenSecret: string): string {
  return createHmac('sha256', tokenSecret).update('twinline sip auth_ephemeral v1').digest('hex');
}

/** The key Kamailio presents (HTTP Basic, user "kamailio") on the centre's /sip/route and /sip/event. */
export function sipApiKeyFrom(tokenSecret: string): string {
  return createHmac('sha256', tokenSecret).update('twinline sip api key v1').digest('hex');
}

export interface EphemeralCredentials {
  username: string;
  password: string;
  expiresAt: Date;
}

/** username "<expiry>:<user>", password base64(HMAC-SHA1(secret, username)): what autheph_www/autheph_proxy check. */
export function ephemeralCredentials(
  secret: string,
  user: string,
  ttlSeconds: number,
  now = Date.now(),
): EphemeralCredentials {
  const expiry = Math.floor(now / 1000) + ttlSeconds;
  const username = `${expiry}:${user}`;
  const password = createHmac('sha1', secret).update(username).digest('base64');
  return { username, password, expiresAt: new Date(expiry * 1000) };
}
