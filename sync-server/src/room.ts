// One loaded document: its Y.Doc, its presence (awareness), the sockets that have it open, and a serial queue so
// every update is checked, committed to SQLite, applied and only then relayed, one at a time, in arrival order.
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import type { CentreStorage } from './storage';
import type { Logger } from './log';
import type { Metrics } from './metrics';
import { MESSAGE_AWARENESS, MESSAGE_SYNC } from './protocol';

/** Origins of transactions on a room's doc, so the update handler knows where a change came from. */
export const PEER_ORIGIN = Symbol('peer');
export const SERVER_ORIGIN = Symbol('server');
/** Replaying SQLite on load: not news to anyone, so not relayed. */
export const LOAD_ORIGIN = Symbol('load');

export interface RoomSocket {
  send(message: Uint8Array): void;
}

export type UpdateListener = (doc: string, update: Uint8Array, origin: unknown) => void;

export class Room {
  readonly doc = new Y.Doc({ gc: true });
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly sockets = new Map<RoomSocket, Set<number>>();
  private queue: Promise<unknown> = Promise.resolve();
  private pendingAwareness = new Set<number>();
  private awarenessTimer: NodeJS.Timeout | null = null;
  unloadTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly name: string,
    private readonly storage: CentreStorage,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly awarenessFlushMs: number,
    private readonly onUpdate: UpdateListener,
  ) {
    this.awareness.setLocalState(null);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      const message = encoding.encode((e) => {
        encoding.writeVarUint(e, MESSAGE_SYNC);
        syncProtocol.writeUpdate(e, update);
      });
      for (const socket of this.sockets.keys()) if (socket !== origin) socket.send(message);
      this.onUpdate(name, update, origin);
    });
    this.awareness.on('update', ({ added, updated, removed }: Record<string, number[]>, origin: unknown) => {
      const owned = this.sockets.get(origin as RoomSocket);
      for (const id of [...added!, ...updated!, ...removed!]) {
        this.pendingAwareness.add(id);
        if (!owned) continue;
        if (removed!.includes(id)) owned.delete(id);
        else owned.add(id);
      }
      this.scheduleAwarenessFlush();
    });
  }

  /** Loads the stored updates of the document. */
  async load(): Promise<void> {
    const updates = await this.storage.loadUpdates(this.name);
    Y.transact(
      this.doc,
      () => {
        for (const u of updates) Y.applyUpdate(this.doc, u, LOAD_ORIGIN);
      },
      LOAD_ORIGIN,
    );
  }

  /** Runs `task` after every earlier queued task of this room, in order. */
  serial<T>(task: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Commits `update` to SQLite, then applies it (which relays it to the other sockets and the twin). The commit comes
   * first so that nothing another client or the twin has seen can be lost by a crash.
   */
  async commitAndApply(update: Uint8Array, origin: unknown, source: 'client' | 'peer' | 'server'): Promise<void> {
    if (!bringsNews(this.doc, update)) return;
    const stop = this.metrics.persistSeconds.startTimer();
    await this.storage.appendUpdate(this.name, update);
    stop();
    Y.applyUpdate(this.doc, update, origin);
    this.metrics.updates.inc({ source });
  }

  /** Applies a change made by the server itself (retention sweep): persisted like any other update. */
  async serverChange(change: (doc: Y.Doc) => void): Promise<void> {
    await this.serial(async () => {
      const scratch = new Y.Doc({ gc: true });
      Y.applyUpdate(scratch, Y.encodeStateAsUpdate(this.doc));
      const before = Y.encodeStateVector(scratch);
      change(scratch);
      const diff = Y.encodeStateAsUpdate(scratch, before);
      scratch.destroy();
      if (diff.length > 2) await this.commitAndApply(diff, SERVER_ORIGIN, 'server');
    });
  }

  addSocket(socket: RoomSocket): void {
    this.sockets.set(socket, new Set());
    if (this.unloadTimer) clearTimeout(this.unloadTimer);
    this.unloadTimer = null;
  }

  /** Forgets a socket and the presence states it controlled (others see that user leave). */
  removeSocket(socket: RoomSocket): void {
    const owned = this.sockets.get(socket);
    this.sockets.delete(socket);
    if (owned && owned.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...owned], null);
  }

  /** The whole presence of this document, for a socket that asks (or just joined). */
  awarenessMessage(clients = [...this.awareness.getStates().keys()]): Uint8Array | null {
    if (clients.length === 0) return null;
    return encoding.encode((e) => {
      encoding.writeVarUint(e, MESSAGE_AWARENESS);
      encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
    });
  }

  /** Presence changes go out batched, at most once per flush interval, to every socket of this document only. */
  private scheduleAwarenessFlush(): void {
    if (this.awarenessTimer) return;
    this.awarenessTimer = setTimeout(() => {
      this.awarenessTimer = null;
      const clients = [...this.pendingAwareness];
      this.pendingAwareness.clear();
      const message = this.awarenessMessage(clients);
      if (message) for (const socket of this.sockets.keys()) socket.send(message);
    }, this.awarenessFlushMs);
  }

  get idle(): boolean {
    return this.sockets.size === 0;
  }

  /** Waits for queued work, then frees everything the room holds. */
  async destroy(): Promise<void> {
    await this.serial(() => undefined);
    if (this.awarenessTimer) clearTimeout(this.awarenessTimer);
    if (this.unloadTimer) clearTimeout(this.unloadTimer);
    this.awareness.destroy();
    this.doc.destroy();
    this.log.debug({ doc: this.name }, 'document unloaded');
  }
}

/**
 * Whether `update` would change `doc`: a struct past the doc's state vector, or a deletion the doc has not seen.
 * Resent catch-up diffs (which always carry the whole delete set) are then neither stored again nor relayed.
 */
export function bringsNews(doc: Y.Doc, update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  for (const struct of structs) {
    if (struct.id.clock + struct.length > Y.getState(doc.store, struct.id.client)) return true;
  }
  if (ds.clients.size === 0) return false;
  const known = Y.createDeleteSetFromStructStore(doc.store);
  for (const [client, ranges] of ds.clients) {
    const have = known.clients.get(client) ?? [];
    for (const r of ranges) if (!covered(have, r.clock, r.clock + r.len)) return true;
  }
  return false;
}

function covered(sorted: { clock: number; len: number }[], from: number, to: number): boolean {
  let at = from;
  for (const r of sorted) {
    if (r.clock > at) break;
    if (r.clock + r.len > at) at = r.clock + r.len;
    if (at >= to) return true;
  }
  return at >= to;
}
