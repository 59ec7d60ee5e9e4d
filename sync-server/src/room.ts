// One loaded document: its Y.Doc, its presence (awareness), the sockets that have it open, and a serial queue so
// every update is checked, committed to SQLite, applied and only then relayed, one at a time, in arrival order. (The
// centre's own changes are applied first and held back until committed: see Room.serverChange.)
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import type { CentreStorage } from './storage';
import type { Logger } from './log';
import type { Metrics } from './metrics';
import { CLOSE, MESSAGE_AWARENESS, MESSAGE_SYNC } from './protocol';

/** Origins of transactions on a room's doc, so the update handler knows where a change came from. */
export const PEER_ORIGIN = Symbol('peer');
export const SERVER_ORIGIN = Symbol('server');
/** Replaying SQLite on load: not news to anyone, so not relayed. */
export const LOAD_ORIGIN = Symbol('load');

export interface RoomSocket {
  send(message: Uint8Array): void;
  /** Ends the connection; with a 45xx code the console comes back (and syncs again) a moment later. */
  close(code: number, reason: string): void;
}

export type UpdateListener = (doc: string, update: Uint8Array, origin: unknown) => void;

export class Room {
  private current = new Y.Doc({ gc: true });
  /** Presence has nothing of the content: it lives on a doc of its own, so a reload of the content keeps it. */
  readonly awareness = new awarenessProtocol.Awareness(new Y.Doc());
  readonly sockets = new Map<RoomSocket, Set<number>>();
  private queue: Promise<unknown> = Promise.resolve();
  /** The updates of the server change under way, held back from everyone until SQLite has them (null: none). */
  private held: Uint8Array[] | null = null;
  /** Set when the document could not be loaded again after a failed commit: the room takes no more work. */
  private broken = false;
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
    /** Called when the room is broken (see {@link serverChange}): its owner forgets it, so the next use loads it anew. */
    private readonly onBroken: (room: Room) => void = () => undefined,
  ) {
    this.awareness.setLocalState(null);
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

  /** The document's content. A new Y.Doc after a failed server change (see {@link serverChange}): do not keep it. */
  get doc(): Y.Doc {
    return this.current;
  }

  /** Loads the stored updates of the document into a fresh Y.Doc, which then replaces the one held. */
  async load(): Promise<void> {
    const updates = await this.storage.loadUpdates(this.name);
    const doc = new Y.Doc({ gc: true });
    Y.transact(
      doc,
      () => {
        for (const u of updates) Y.applyUpdate(doc, u, LOAD_ORIGIN);
      },
      LOAD_ORIGIN,
    );
    doc.on('update', this.onDocUpdate);
    const old = this.current;
    this.current = doc;
    old.destroy();
  }

  /** Runs `task` after every earlier queued task of this room, in order. */
  serial<T>(task: () => Promise<T> | T): Promise<T> {
    const guarded = () => {
      if (this.broken) throw new Error(`document ${this.name} was closed: it could not be loaded again`);
      return task();
    };
    const run = this.queue.then(guarded, guarded);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Commits `update` to SQLite, then applies it (which relays it to the other sockets and the twin). The commit comes
   * first so that nothing another client or the twin has seen can be lost by a crash.
   */
  async commitAndApply(update: Uint8Array, origin: unknown, source: 'client' | 'peer' | 'server'): Promise<void> {
    if (!bringsNews(this.current, update)) return;
    const stop = this.metrics.persistSeconds.startTimer();
    await this.storage.appendUpdate(this.name, update);
    stop();
    Y.applyUpdate(this.current, update, origin);
    this.metrics.updates.inc({ source });
  }

  /**
   * A change made by the centre itself (dispatch, escalation, a crew's step, retention sweep, demo seeding), persisted
   * like any other update. It is made on the live document, without a copy (a copy of a city's document costs
   * hundreds of ms), and its update is held back from every socket and the twin until SQLite has it: the same promise
   * as {@link commitAndApply}. Replies to consoles' sync requests queue behind it (client.ts), so none sees it early.
   *
   * Should `change` throw after changing something, or the commit fail, the document holds what SQLite does not: it is
   * loaded again from SQLite (nobody has seen the change, so the sockets have nothing to undo) and the error goes to
   * the caller. Should that load fail too, the room is broken: its sockets are closed (to come back) and its owner
   * forgets it.
   *
   * An update from elsewhere (Y.applyUpdate inside `change`) makes Yjs give the document a new client id, harmless but
   * noisy: commit it with {@link commitAndApply} instead, as demo.ts does with the roster.
   */
  async serverChange(change: (doc: Y.Doc) => void): Promise<void> {
    await this.serial(async () => {
      const held: Uint8Array[] = [];
      this.held = held;
      try {
        const doc = this.current;
        Y.transact(doc, () => change(doc), SERVER_ORIGIN);
      } catch (error) {
        this.held = null;
        if (held.length > 0) await this.reload(error);
        throw error;
      }
      this.held = null;
      if (held.length === 0) return; // nothing changed: nothing to store or send
      const update = held.length === 1 ? held[0]! : Y.mergeUpdates(held);
      const stop = this.metrics.persistSeconds.startTimer();
      try {
        await this.storage.appendUpdate(this.name, update);
      } catch (error) {
        await this.reload(error);
        // A store can fail after it committed (the error came late): then the document loaded again has the change,
        // and it is real: everyone gets it, as if the store had said so.
        if (this.broken || bringsNews(this.current, update)) throw error;
        this.log.warn({ doc: this.name, err: error }, 'server change stored despite the error; sent out');
      }
      stop();
      this.relay(update, SERVER_ORIGIN);
      this.metrics.updates.inc({ source: 'server' });
    });
  }

  /** Drops a server change SQLite does not have, by loading the document again (see {@link serverChange}). */
  private async reload(cause: unknown): Promise<void> {
    this.log.warn({ doc: this.name, err: cause }, 'server change not stored; loading the document again');
    try {
      await this.load();
    } catch (error) {
      this.log.error({ doc: this.name, err: error }, 'document could not be loaded again; closing it');
      this.broken = true;
      for (const socket of [...this.sockets.keys()]) socket.close(CLOSE.unavailable.code, CLOSE.unavailable.reason);
      this.onBroken(this);
    }
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (this.held) this.held.push(update);
    else this.relay(update, origin);
  };

  /** Sends an applied update to every socket but the one it came from, and to the update listener (the twin). */
  private relay(update: Uint8Array, origin: unknown): void {
    const message = encoding.encode((e) => {
      encoding.writeVarUint(e, MESSAGE_SYNC);
      syncProtocol.writeUpdate(e, update);
    });
    for (const socket of this.sockets.keys()) if (socket !== origin) socket.send(message);
    this.onUpdate(this.name, update, origin);
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
    await this.queue;
    if (this.awarenessTimer) clearTimeout(this.awarenessTimer);
    if (this.unloadTimer) clearTimeout(this.unloadTimer);
    this.awareness.destroy();
    this.current.destroy();
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
