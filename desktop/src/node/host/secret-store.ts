// Secrets (the login token) in `<data>/secrets.json`, kept out of the cache file so moving a corrupt cache aside never
// loses them and a cache copied for support never contains them.
//
// Under Electron each value is encrypted with safeStorage (DPAPI on Windows, the keyring on Linux): the main process
// owns safeStorage and lends the host an encrypt/decrypt pair over the port. In browser mode there is no OS key store
// to reach from plain Node, so values are stored as they are, protected only by the file's mode 0600 (owner-only on
// POSIX; on Windows the mode is ignored and the user profile's ACL is all there is). That is weaker: anyone who can
// read the user's files can read the token. docs/decisions/2026-11-23-desktop-bridge.md says so.
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SecretCipher {
  /** 'os' = an OS-backed key (safeStorage); shown in logs, stored with each value. */
  readonly kind: 'os';
  encrypt(plain: string): Promise<string>;
  decrypt(cipherBase64: string): Promise<string>;
}

interface Entry {
  /** 'plain': stored as is (browser mode); 'os': base64 ciphertext from the SecretCipher. */
  p: 'plain' | 'os';
  v: string;
}

interface SecretFile {
  version: 1;
  entries: Record<string, Entry>;
}

export const SECRETS_FILE = 'secrets.json';

export interface SecretStore {
  readonly protection: 'os' | 'file-0600';
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<boolean>;
}

export function openSecretStore(dir: string, cipher?: SecretCipher): SecretStore {
  const file = join(dir, SECRETS_FILE);
  // Writes are chained so two concurrent sets cannot lose each other's key.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };

  const read = (): SecretFile => {
    if (!existsSync(file)) return { version: 1, entries: {} };
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as SecretFile;
      if (parsed?.version !== 1 || typeof parsed.entries !== 'object' || parsed.entries === null) throw new Error();
      return parsed;
    } catch {
      // An unreadable secrets file only costs a new login; start empty rather than refuse to run.
      return { version: 1, entries: {} };
    }
  };

  const write = (data: SecretFile) => {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
    chmodSync(tmp, 0o600); // in case the file already existed with a wider mode
    renameSync(tmp, file);
  };

  return {
    protection: cipher ? 'os' : 'file-0600',
    get: (key) =>
      serial(async () => {
        const entries = read().entries;
        if (!Object.hasOwn(entries, key)) return null;
        const entry = entries[key]!;
        if (entry.p === 'plain') return entry.v;
        if (!cipher) return null; // encrypted by Electron; plain browser mode cannot decrypt it
        try {
          return await cipher.decrypt(entry.v);
        } catch {
          return null; // key store changed (new OS profile, keyring reset): the user logs in again
        }
      }),
    set: (key, value) =>
      serial(async () => {
        const data = read();
        data.entries[key] = cipher ? { p: 'os', v: await cipher.encrypt(value) } : { p: 'plain', v: value };
        write(data);
      }),
    delete: (key) =>
      serial(async () => {
        const data = read();
        if (!Object.hasOwn(data.entries, key)) return false;
        delete data.entries[key];
        write(data);
        return true;
      }),
  };
}
