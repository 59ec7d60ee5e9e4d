// Identifiers that are unique across both centres and every console without any coordination.

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** `n` random base-36 characters from the platform's CSPRNG (Web Crypto, present in browsers and Node >= 19). */
export function randomToken(n: number): string {
  const bytes = new Uint8Array(n);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % 36];
  return out;
}

/** The calendar day in China Standard Time (UTC+8, no daylight saving), as yyyymmdd. */
export function chinaDay(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
}

/**
 * `${centre}-${yyyymmdd}-${10 random chars}`: readable on the phone ("fuzhou-20261123-…"), sortable by day, and with
 * 36^10 ≈ 3.6e15 values per centre and day a collision is not a practical concern.
 */
export function newOrderId(centre: string, now: Date): string {
  return `${centre.slice(0, 40)}-${chinaDay(now)}-${randomToken(10)}`;
}

export function newEventId(): string {
  return `e-${randomToken(14)}`;
}

export function newCommentId(): string {
  return `c-${randomToken(14)}`;
}
