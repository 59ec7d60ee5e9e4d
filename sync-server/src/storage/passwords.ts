// Password hashing with Node's scrypt. The stored string carries its own parameters
// ("scrypt$<N>$<r>$<p>$<salt b64>$<key b64>") so CURRENT can be raised later: old hashes keep verifying with the
// parameters they were made with and are re-hashed at the next successful login (see needsRehash).
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** N=2^14, r=8, p=1: ~16 MiB and a few tens of ms per hash. Raise N here; stored hashes upgrade on login. */
export const CURRENT: ScryptParams = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, { N, r, p }: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    // maxmem must exceed 128·N·r or Node refuses larger N.
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string, params: ScryptParams = CURRENT): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

interface Parsed {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function parse(stored: string): Parsed | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return null;
  return { params: { N, r, p }, salt: Buffer.from(parts[4]!, 'base64'), key: Buffer.from(parts[5]!, 'base64') };
}

/** Hash used for unknown users so "no such user" costs the same as "wrong password". */
const DUMMY: Parsed = { params: CURRENT, salt: randomBytes(SALT_LENGTH), key: randomBytes(KEY_LENGTH) };

/** Constant-time check. Pass `null` for an unknown user: a dummy hash is still computed, and false returned. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = (stored !== null && parse(stored)) || DUMMY;
  const key = await derive(password, parsed.salt, parsed.params);
  const ok = key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
  return ok && parsed !== DUMMY;
}

export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  const { N, r, p } = parsed.params;
  return N < CURRENT.N || r < CURRENT.r || p < CURRENT.p || parsed.salt.length < SALT_LENGTH;
}
