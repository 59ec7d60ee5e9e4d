// Steps the crew made without signal, kept in IndexedDB (with their photos and members) until they reach the centre.
// Each one carries the session it belongs to, so it can still be sent after the page was closed and opened again.
import type { CrewLocation, CrewStep } from './contract';

export interface OutboxEntry {
  key?: number;
  session: string;
  orderId: string;
  step: CrewStep;
  /** When the crew made the record (the phone's clock). */
  deviceAt: string;
  location?: CrewLocation;
  note?: string;
  /** Who of the crew was on the job when the record was made (roster ids). */
  members?: string[];
  /** Photos not yet uploaded… */
  photos: Blob[];
  /** …and the centre's ids of those already uploaded. */
  photoIds: string[];
  /** Recorded without signal: sent with `offline: true`. */
  offline: boolean;
}

const DB = 'twinline-crew';
const STORE = 'outbox';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key', autoIncrement: true });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'));
  });
}

async function run<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted'));
    });
  } finally {
    db.close();
  }
}

export const outbox = {
  add: (e: OutboxEntry) => run('readwrite', (s) => s.add(e)).then((k) => k as number),
  put: (e: OutboxEntry) => run('readwrite', (s) => s.put(e)).then(() => undefined),
  remove: (key: number) => run('readwrite', (s) => s.delete(key)).then(() => undefined),
  /** Oldest first. */
  all: () => run('readonly', (s) => s.getAll() as IDBRequest<OutboxEntry[]>),
};
