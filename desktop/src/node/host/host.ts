// The desktop host: plain Node, no Electron import. It implements the bridge's handler map over the SQLite cache
// (cache-store.ts) and the secret store, and hands every transport the same dispatcher: serve.ts (browser mode, HTTP)
// and desktop/src/electron-utility/host.ts (Electron, MessagePort).
import { mkdirSync } from 'node:fs';
import * as Y from 'yjs';
import { isCityId } from '@twinline/board';
import { FUJIAN_CITIES } from '@twinline/demo-data';
import { SETTING_KEYS, Settings } from '../../common/bridge';
import type { BridgeHandlers } from '../../common/bridge';
import { HandlerInputError, createDispatcher, describeIssues } from '../../common/dispatch';
import type { Dispatch } from '../../common/dispatch';
import { openCacheStore } from './cache-store';
import type { CacheStore, OpenCacheOptions } from './cache-store';
import { openCustomerStore } from './customer-store';
import type { CustomerStore, OpenCustomerStoreOptions } from './customer-store';
import { openSecretStore } from './secret-store';
import type { SecretCipher, SecretStore } from './secret-store';
import { defaultSettings } from './settings';

export interface HostOptions {
  dataDir: string;
  /** Settings the user has not changed come from here (default: the demo's twin centres, home fuzhou). */
  defaults?: Settings;
  /** Electron's safeStorage, lent by the main process; absent in browser mode (secrets file, mode 0600). */
  cipher?: SecretCipher;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  cache?: Pick<OpenCacheOptions, 'compactEvery' | 'compactAtOpen'>;
  customers?: Pick<OpenCustomerStoreOptions, 'integrityCheck' | 'cacheKiB'>;
}

export interface Host {
  readonly handlers: BridgeHandlers;
  readonly dispatch: Dispatch;
  readonly cache: CacheStore;
  /**
   * The customer cache (customers.sqlite), opened in the background: its check at open reads the whole file (a
   * million customers), and the board must not wait for it. The customers.* operations wait; nothing else does.
   */
  readonly customers: Promise<CustomerStore>;
  readonly secrets: SecretStore;
  close(): Promise<void>;
}

function decodeUpdates(updates: readonly string[]): Uint8Array[] {
  return updates.map((text, i) => {
    const bytes = new Uint8Array(Buffer.from(text, 'base64'));
    try {
      // Parses the whole structure: bytes that are not a Yjs update never reach the cache (compaction would choke).
      Y.decodeUpdate(bytes);
    } catch {
      throw new HandlerInputError(`cache.appendUpdates: updates.${i} is not a Yjs update`);
    }
    return bytes;
  });
}

const toBase64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

export async function openHost(opts: HostOptions): Promise<Host> {
  const log = opts.log ?? (() => undefined);
  mkdirSync(opts.dataDir, { recursive: true });
  const defaults = opts.defaults ?? defaultSettings();
  const cache = await openCacheStore(opts.dataDir, {
    ...opts.cache,
    onRecovered: ({ file, movedTo, reason }) =>
      log('warn', `cache ${file} was unreadable (${reason}); moved to ${movedTo ?? '(could not move)'}`),
    onCompactError: (doc, err) => log('warn', `could not compact ${doc}: ${String(err)}`),
  });
  const secrets = openSecretStore(opts.dataDir, opts.cipher);
  const customers = openCustomerStore(opts.dataDir, {
    ...opts.customers,
    onRecovered: ({ file, movedTo, reason }) =>
      log('warn', `customer cache ${file} was unreadable (${reason}); moved to ${movedTo ?? '(could not move)'}`),
  });
  // Failing to open is reported by every customers.* call (and logged once); the rest of the console runs on.
  customers.catch((err: unknown) => log('error', `customer cache could not be opened: ${String(err)}`));
  /** The cities of a customers.* input, each one of the nine (the schema checks only the shape). */
  const cityList = (name: string, cities: readonly string[]) => {
    const unknown = cities.filter((c) => !isCityId(c));
    if (unknown.length) throw new HandlerInputError(`${name}: unknown city ${unknown.join(', ')}`);
    return cities;
  };
  // Every cold start asks for the board's rows first: read them while the window is still loading.
  cache.prefetchRows();

  const readSettings = async (): Promise<Settings> => {
    const stored: Record<string, unknown> = {};
    for (const key of SETTING_KEYS) {
      const value = await cache.getSetting(key);
      if (value !== undefined) stored[key] = value;
    }
    const merged = Settings.safeParse({ ...defaults, ...stored });
    if (merged.success) return merged.data;
    // Stored choices that no longer fit the configured centres: fall back rather than fail.
    log('warn', `stored settings ignored: ${describeIssues(merged.error)}`);
    return defaults;
  };

  const handlers: BridgeHandlers = {
    'cache.loadDoc': async ({ doc }) => ({ updates: (await cache.loadDoc(doc)).map(toBase64) }),
    'cache.appendUpdates': async ({ doc, updates }) => {
      await cache.appendUpdates(doc, decodeUpdates(updates));
      return {};
    },
    // Rows as stored (checked on the way in); the window checks each one it shows (features/board/rows.ts).
    'cache.loadRows': async ({ docs }) => ({ rows: await cache.loadRows(docs) }),
    'cache.putRows': async ({ doc, upserts, removed }) => {
      await cache.putRows(
        doc,
        upserts.map((r) => ({ id: r.id, json: JSON.stringify(r) })),
        removed,
      );
      return {};
    },
    'cache.clearDoc': async ({ doc }) => ({ cleared: await cache.clearDoc(doc) }),
    'cache.status': () => cache.status(),
    'drafts.list': async () => ({ drafts: await cache.listDrafts() }),
    'drafts.put': async (draft) => ({ stored: await cache.putDraft(draft) }),
    'drafts.delete': async ({ id }) => ({ deleted: await cache.deleteDraft(id) }),
    'settings.get': () => readSettings(),
    'settings.set': async (patch) => {
      const next = Settings.safeParse({ ...(await readSettings()), ...patch });
      if (!next.success) throw new HandlerInputError(`settings.set: ${describeIssues(next.error)}`);
      const changed: Record<string, unknown> = {};
      for (const key of SETTING_KEYS) if (patch[key] !== undefined) changed[key] = next.data[key];
      await cache.setSettings(changed);
      return next.data;
    },
    'secrets.get': async ({ key }) => ({ value: await secrets.get(key) }),
    'secrets.set': async ({ key, value }) => {
      await secrets.set(key, value);
      return {};
    },
    'secrets.delete': async ({ key }) => ({ deleted: await secrets.delete(key) }),
    'customers.apply': async ({ city, ...change }) => {
      cityList('customers.apply', [city]);
      return (await customers).apply({ city, ...change });
    },
    'customers.status': async () => (await customers).status(),
    'customers.byPhone': async ({ phone, cities }) =>
      (await customers).byPhone(phone, { cities: cities && cityList('customers.byPhone', cities) }),
    'customers.search': async ({ q, city, cities, limit }) => {
      if (city) cityList('customers.search', [city]);
      if (cities) cityList('customers.search', cities);
      // `city` narrows the search to one city; `cities` (the user's readable ones) bounds it.
      const scope = city ? (cities && !cities.includes(city) ? [] : [city]) : cities;
      if (scope?.length === 0) return { customers: [] };
      return { customers: await (await customers).search(q, { limit, cities: scope }) };
    },
    'customers.inArea': async ({ city, counties, limit }) => {
      cityList('customers.inArea', [city]);
      const known = FUJIAN_CITIES.find((c) => c.id === city)!.counties.map((k) => k.id);
      const unknown = counties.filter((k) => !known.includes(k));
      if (unknown.length) throw new HandlerInputError(`customers.inArea: ${city} has no county ${unknown.join(', ')}`);
      return (await customers).inArea(city, [...new Set(counties)], { limit });
    },
    // The host has no screen. Electron's main process answers 'notify' itself and never forwards it here.
    notify: async () => ({ shown: false }),
  };

  const dispatch = createDispatcher(handlers, (name, err) => log('warn', `${name}: ${String(err)}`));
  const close = async () => {
    const closing = customers.then(
      (store) => store.close(),
      () => undefined,
    );
    await Promise.all([cache.close(), closing]);
  };
  return { handlers, dispatch, cache, customers, secrets, close };
}
