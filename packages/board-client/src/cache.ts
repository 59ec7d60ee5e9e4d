// The console's local copy of the board: every Yjs update is appended to a cache (SQLite on the desktop host), so the
// board opens at once from it and nothing typed while no centre is reachable is lost when the console restarts.
import * as Y from 'yjs';

/** Where a console keeps its documents' updates. The desktop host implements it over SQLite. */
export interface BoardCache {
  /** Every update stored for `doc`, oldest first; [] for a document never cached. */
  loadDoc(doc: string): Promise<Uint8Array[]>;
  /** Appends updates for `doc` (one call per batch: write them in one transaction). */
  appendUpdates(doc: string, updates: Uint8Array[]): Promise<void>;
}

/** The transaction origin of updates applied from the cache. */
export const CACHE_ORIGIN = 'cache';
/** Updates are written at most this often (and on flush/destroy). */
export const CACHE_FLUSH_MS = 50;

export interface PersistedDoc {
  /** Resolves once the cached updates are in the doc; rejects if the cache could not be read. */
  loaded: Promise<void>;
  /** Writes every update seen so far; rejects if the cache refused them (they are kept for the next flush). */
  flush(): Promise<void>;
  /** Stops listening and writes what is pending. Safe to call twice. */
  destroy(): Promise<void>;
}

export interface PersistOptions {
  /** Called when a timed (background) flush fails; the updates stay queued. */
  onError?: (error: unknown) => void;
}

/**
 * Loads `name`'s cached updates into `doc` (origin {@link CACHE_ORIGIN}) and from then on appends every other update
 * to `cache`, batched. Updates made before the load finishes are cached too.
 */
export function persistDoc(doc: Y.Doc, name: string, cache: BoardCache, opts: PersistOptions = {}): PersistedDoc {
  let pending: Uint8Array[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let writing: Promise<void> = Promise.resolve();
  let destroyed = false;

  const flush = (): Promise<void> => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return writing;
    const batch = pending;
    pending = [];
    // Batches are written one after the other, so the cache keeps the doc's order.
    writing = writing
      .catch(() => undefined)
      .then(() => cache.appendUpdates(name, batch))
      .catch((error: unknown) => {
        pending = batch.concat(pending);
        throw error;
      });
    return writing;
  };

  const onUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === CACHE_ORIGIN) return;
    pending.push(update);
    timer ??= setTimeout(() => {
      timer = null;
      flush().catch((error: unknown) => opts.onError?.(error));
    }, CACHE_FLUSH_MS);
  };
  doc.on('update', onUpdate);

  const destroy = (): Promise<void> => {
    if (!destroyed) {
      destroyed = true;
      doc.off('update', onUpdate);
      doc.off('destroy', onDocDestroy);
    }
    return flush();
  };
  const onDocDestroy = () => void destroy().catch((error: unknown) => opts.onError?.(error));
  doc.on('destroy', onDocDestroy);

  const loaded = cache.loadDoc(name).then((updates) => {
    if (updates.length === 0 || destroyed) return;
    // Yjs encodes every transaction again for 'update' listeners: unhook ours while the cache (which it would skip
    // anyway) is applied, or a 20,000-order board pays for encoding its whole cache once more on every cold start.
    doc.off('update', onUpdate);
    try {
      doc.transact(() => {
        for (const u of updates) Y.applyUpdate(doc, u, CACHE_ORIGIN);
      }, CACHE_ORIGIN);
    } finally {
      doc.on('update', onUpdate);
    }
  });

  return { loaded, flush, destroy };
}

/** A BoardCache in memory: for tests, and for a console that must not write to disk. */
export class MemoryCache implements BoardCache {
  readonly docs = new Map<string, Uint8Array[]>();
  /** How many appendUpdates calls were made (each is one batch). */
  writes = 0;

  async loadDoc(doc: string): Promise<Uint8Array[]> {
    return [...(this.docs.get(doc) ?? [])];
  }

  async appendUpdates(doc: string, updates: Uint8Array[]): Promise<void> {
    this.writes++;
    const list = this.docs.get(doc) ?? [];
    for (const u of updates) list.push(u.slice());
    this.docs.set(doc, list);
  }
}
