// The console's link to the board: one Y.Doc per document, synced with the home centre through y-websocket's
// unmodified WebsocketProvider, moved to the twin when the home centre is unreachable. Runs in the browser and Node.
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import * as decoding from 'lib0/decoding';
import { persistDoc } from './cache';
import type { BoardCache, PersistedDoc } from './cache';

export type BoardStatus = 'offline' | 'connecting' | 'connected' | 'synced';

export interface BoardState {
  /** The centre the documents are (being) synced with. */
  centre: string;
  status: BoardStatus;
  /** True while the documents are on a centre other than the home centre (the first one given). */
  failedOver: boolean;
  /** The last close code a centre gave (4401/4403/44xx are terminal: status stays 'offline'). */
  lastError?: { code: number; reason: string };
}

export interface Centre {
  name: string;
  url: string;
}

export interface BoardConnectionOptions {
  /** Home centre first, then the twin. */
  centres: Centre[];
  token: string;
  docs: string[];
  cache?: BoardCache;
  WebSocketPolyfill?: typeof WebSocket;
  /** How long the current centre must be unreachable before every document moves to the next one. Default 1000. */
  failoverAfterMs?: number;
  /** Each console waits a random 0..jitterMs before dialling the next centre. Default 1000. */
  jitterMs?: number;
  /** Cap of the jittered backoff while no centre answers. Default 10000. */
  maxBackoffMs?: number;
  /** Deadline for a dial that neither connects nor fails (a black-holed address). Default 5000. */
  connectTimeoutMs?: number;
  /**
   * A connected socket that hears nothing for this long is dead (the centre sends a heartbeat every 700 ms; a centre
   * that lost power sends no TCP reset, and y-websocket's own watchdog waits 30 s). Default 2100 (three beats).
   */
  silenceMs?: number;
  now?: () => number;
  /** Random source in [0, 1) for the jitter. Default Math.random. */
  random?: () => number;
}

export type DialReason = 'start' | 'failover' | 'retry' | 'switch' | 'online' | 'token';

export type ConnectionEvent =
  | { type: 'dial'; centre: string; delayMs: number; reason: DialReason; at: number }
  | { type: 'unreachable'; centre: string; downForMs: number; at: number }
  | { type: 'silent'; centre: string; doc: string; silentForMs: number; at: number }
  | { type: 'closed'; centre: string; doc: string; code: number; reason: string; at: number }
  | { type: 'write-refused'; centre: string; doc: string; reason: string; at: number };

/** Close codes 4400-4499: the centre decided; reconnecting (here or at the twin) cannot help. */
export const isTerminalClose = (code: number): boolean => code >= 4400 && code < 4500;

type Awareness = WebsocketProvider['awareness'];
type Phase = 'loading' | 'waiting' | 'dialling' | 'paused' | 'terminal' | 'destroyed';

const MESSAGE_AUTH = 2;
/** Silence tolerated on a socket that has not finished its first sync (see checkSilence). */
const SILENCE_BEFORE_SYNC_MS = 20_000;
const PERMISSION_DENIED = 0;

export class BoardConnection {
  /** Resolves once every document holds its cached updates (immediately without a cache). */
  readonly ready: Promise<void>;

  private readonly centres: Centre[];
  private token: string;
  private readonly docNames: string[];
  private readonly docs = new Map<string, Y.Doc>();
  private readonly awareness = new Map<string, Awareness>();
  private readonly persisted: PersistedDoc[] = [];
  private providers = new Map<string, WebsocketProvider>();
  private readonly WS: typeof WebSocket;
  private readonly failoverAfterMs: number;
  private readonly jitterMs: number;
  private readonly maxBackoffMs: number;
  private readonly connectTimeoutMs: number;
  private readonly now: () => number;
  private readonly random: () => number;

  private index = 0;
  private phase: Phase = 'loading';
  /** Set once the current centre was declared unreachable; cleared when every document is connected again. */
  private unreachable = false;
  /** Centres tried in a row without connecting: drives the backoff while no centre answers. */
  private failures = 0;
  private downSince: number | null = null;
  private downTimer: ReturnType<typeof setTimeout> | null = null;
  private dialTimer: ReturnType<typeof setTimeout> | null = null;
  private silenceTimer: ReturnType<typeof setInterval> | null = null;
  private readonly silenceMs: number;
  private lastError: { code: number; reason: string } | undefined;
  private state: BoardState;
  private readonly stateListeners = new Set<(s: BoardState) => void>();
  private readonly eventListeners = new Set<(e: ConnectionEvent) => void>();
  private readonly onOnline = () => this.networkOnline();
  private readonly onOffline = () => this.networkOffline();

  constructor(opts: BoardConnectionOptions) {
    if (opts.centres.length === 0) throw new Error('BoardConnection: at least one centre is needed');
    const WS = opts.WebSocketPolyfill ?? (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
    if (!WS) throw new Error('BoardConnection: no WebSocket here; pass WebSocketPolyfill');
    this.WS = WS;
    this.centres = opts.centres.map((c) => ({ ...c }));
    this.token = opts.token;
    this.docNames = [...new Set(opts.docs)];
    this.failoverAfterMs = opts.failoverAfterMs ?? 1000;
    this.jitterMs = opts.jitterMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
    this.silenceMs = opts.silenceMs ?? 2100;
    this.now = opts.now ?? (() => Date.now());
    this.random = opts.random ?? Math.random;
    this.state = { centre: this.centres[0]!.name, status: 'offline', failedOver: false };
    for (const name of this.docNames) {
      const doc = new Y.Doc();
      this.docs.set(name, doc);
      if (opts.cache) this.persisted.push(persistDoc(doc, name, opts.cache));
    }
    const g = globalThis as { addEventListener?: (type: string, cb: () => void) => void };
    g.addEventListener?.('online', this.onOnline);
    g.addEventListener?.('offline', this.onOffline);
    this.ready = Promise.allSettled(this.persisted.map((p) => p.loaded)).then(() => undefined);
    void this.ready.then(() => {
      if (this.phase === 'loading') this.dial(0, 0, 'start');
    });
  }

  /** The Y.Doc for a document (the same object for the connection's whole life, whichever centre it syncs with). */
  doc(name: string): Y.Doc {
    const doc = this.docs.get(name);
    if (!doc) throw new Error(`BoardConnection: ${JSON.stringify(name)} is not one of this console's documents`);
    return doc;
  }

  /** The document's presence, once it has been dialled (kept across centre switches). */
  presence(name: string): Awareness | undefined {
    return this.awareness.get(name);
  }

  get documents(): string[] {
    return [...this.docNames];
  }

  getState(): BoardState {
    return this.state;
  }

  onState(cb: (s: BoardState) => void): () => void {
    this.stateListeners.add(cb);
    return () => void this.stateListeners.delete(cb);
  }

  /** Dials, failovers, refusals: for the host's log and tests. */
  onEvent(cb: (e: ConnectionEvent) => void): () => void {
    this.eventListeners.add(cb);
    return () => void this.eventListeners.delete(cb);
  }

  /** Resolves the next time every document is synced. */
  whenSynced(): Promise<void> {
    if (this.state.status === 'synced') return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.onState((s) => {
        if (s.status !== 'synced') return;
        off();
        resolve();
      });
    });
  }

  /** Moves every document to the named centre now (e.g. back home once it is healthy again). */
  switchTo(name: string): void {
    const i = this.centres.findIndex((c) => c.name === name);
    if (i < 0) throw new Error(`BoardConnection: unknown centre ${JSON.stringify(name)}`);
    if (this.phase === 'destroyed') return;
    this.failures = 0;
    this.lastError = undefined;
    this.dial(i, 0, 'switch');
  }

  /** A fresh token (after a new login): used from the next connection on; a connection refused for its token redials. */
  setToken(token: string): void {
    this.token = token;
    for (const p of this.providers.values()) p.params = { token };
    if (this.phase === 'terminal') {
      this.lastError = undefined;
      this.failures = 0;
      this.dial(this.index, 0, 'token');
    }
  }

  /** Disconnects, writes pending updates to the cache and destroys the docs. */
  async destroy(): Promise<void> {
    if (this.phase === 'destroyed') return;
    this.phase = 'destroyed';
    this.clearTimers();
    this.dropProviders();
    const g = globalThis as { removeEventListener?: (type: string, cb: () => void) => void };
    g.removeEventListener?.('online', this.onOnline);
    g.removeEventListener?.('offline', this.onOffline);
    for (const a of this.awareness.values()) a.destroy();
    await Promise.allSettled(this.persisted.map((p) => p.destroy()));
    for (const doc of this.docs.values()) doc.destroy();
    this.update();
  }

  // ---- dialling and failover ----

  /** Drops the current providers and, after `delayMs`, connects every document to centre `index`. */
  private dial(index: number, delayMs: number, reason: DialReason): void {
    this.clearTimers();
    this.dropProviders();
    this.index = index;
    this.phase = 'waiting';
    const centre = this.centres[index]!;
    this.emit({ type: 'dial', centre: centre.name, delayMs, reason, at: this.now() });
    this.update();
    if (delayMs <= 0) this.connectAll();
    else this.dialTimer = setTimeout(() => this.connectAll(), delayMs);
  }

  private connectAll(): void {
    this.dialTimer = null;
    this.phase = 'dialling';
    const centre = this.centres[this.index]!;
    this.downSince = null;
    // A dial that neither connects nor fails (a black-holed address) still counts as the centre being unreachable.
    this.downTimer = setTimeout(() => this.centreUnreachable(), this.connectTimeoutMs);
    this.silenceTimer ??= setInterval(() => this.checkSilence(), Math.max(50, Math.round(this.silenceMs / 8)));
    for (const name of this.docNames) {
      const provider = new WebsocketProvider(centre.url, name, this.docs.get(name)!, {
        params: { token: this.token },
        WebSocketPolyfill: this.WS,
        disableBc: true,
        awareness: this.awareness.get(name),
        maxBackoffTime: 1000,
      });
      this.awareness.set(name, provider.awareness);
      this.providers.set(name, provider);
      const mine = () => this.providers.get(name) === provider;
      provider.on('status', () => mine() && this.providerChanged());
      provider.on('sync', () => mine() && this.providerChanged());
      provider.on('connection-error', () => mine() && this.providerFailed());
      provider.on('connection-close', (event) => {
        if (!mine()) return;
        if (event && event.code !== 1000 && event.code !== 1005 && event.code !== 1006) {
          this.lastError = { code: event.code, reason: event.reason };
          this.emit({ type: 'closed', centre: centre.name, doc: name, ...this.lastError, at: this.now() });
        }
        if (event && isTerminalClose(event.code)) return this.terminal();
        this.providerFailed();
      });
      // y-websocket only console.warns a refused write; pass it on instead.
      provider.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder) => {
        if (decoding.readVarUint(decoder) !== PERMISSION_DENIED) return;
        this.emit({
          type: 'write-refused',
          centre: centre.name,
          doc: name,
          reason: decoding.readVarString(decoder),
          at: this.now(),
        });
      };
    }
    this.update();
  }

  /**
   * A socket that is open but has heard nothing for silenceMs: the centre (or the path to it) died without a reset.
   * The silence already lasted longer than failoverAfterMs, so the documents move on at once (with the jitter).
   */
  private checkSilence(): void {
    if (this.phase !== 'dialling') return;
    const now = Date.now(); // y-websocket stamps wsLastMessageReceived with the wall clock
    for (const [doc, p] of this.providers) {
      const quiet = now - p.wsLastMessageReceived;
      // Until a document has synced, its first (possibly large) sync message may be on a slow line: nothing arrives
      // until all of it has, so only a much longer silence counts then.
      const limit = p.synced ? this.silenceMs : Math.max(this.silenceMs, SILENCE_BEFORE_SYNC_MS);
      if (!p.wsconnected || quiet < limit) continue;
      const centre = this.centres[this.index]!.name;
      this.emit({ type: 'silent', centre, doc, silentForMs: quiet, at: this.now() });
      if (this.downTimer !== null) clearTimeout(this.downTimer);
      this.downSince ??= this.now() - quiet;
      this.centreUnreachable();
      return;
    }
  }

  /** Every document connected or synced again: the centre is reachable. */
  private providerChanged(): void {
    if (this.allProviders((p) => p.wsconnected)) {
      if (this.downTimer !== null) clearTimeout(this.downTimer);
      this.downTimer = null;
      this.downSince = null;
      this.unreachable = false;
      this.failures = 0;
      this.lastError = undefined;
    }
    this.update();
  }

  /** A socket closed or failed to open: start the clock; the centre is declared down after failoverAfterMs. */
  private providerFailed(): void {
    if (this.phase !== 'dialling') return;
    if (this.downSince === null) {
      this.downSince = this.now();
      if (this.downTimer !== null) clearTimeout(this.downTimer);
      this.downTimer = setTimeout(() => this.centreUnreachable(), this.failoverAfterMs);
    }
    this.update();
  }

  private centreUnreachable(): void {
    this.downTimer = null;
    if (this.phase !== 'dialling') return;
    const centre = this.centres[this.index]!;
    this.emit({
      type: 'unreachable',
      centre: centre.name,
      downForMs: this.downSince === null ? this.connectTimeoutMs : this.now() - this.downSince,
      at: this.now(),
    });
    this.unreachable = true;
    // First move (the centre we were on just died): 0..jitter. Both gone: jittered backoff growing each full round.
    const round = Math.floor(this.failures / this.centres.length);
    const spread = Math.min(this.maxBackoffMs, this.jitterMs * 2 ** round);
    const delay = Math.round(this.random() * spread);
    const reason: DialReason = this.failures === 0 ? 'failover' : 'retry';
    this.failures++;
    this.dial((this.index + 1) % this.centres.length, delay, reason);
  }

  private terminal(): void {
    this.clearTimers();
    this.dropProviders();
    this.phase = 'terminal';
    this.update();
  }

  private networkOffline(): void {
    if (this.phase === 'destroyed' || this.phase === 'terminal' || this.phase === 'loading') return;
    // Our own network is gone: no centre is to blame, so do not burn failover rounds. Keep working locally.
    this.clearTimers();
    this.dropProviders();
    this.phase = 'paused';
    this.update();
  }

  private networkOnline(): void {
    if (this.phase === 'destroyed' || this.phase === 'terminal' || this.phase === 'loading') return;
    if (this.phase === 'dialling' && this.allProviders((p) => p.wsconnected)) return;
    this.failures = 0;
    this.dial(this.index, Math.round(this.random() * this.jitterMs), 'online');
  }

  // ---- helpers ----

  private allProviders(pred: (p: WebsocketProvider) => boolean): boolean {
    if (this.providers.size !== this.docNames.length) return false;
    for (const p of this.providers.values()) if (!pred(p)) return false;
    return true;
  }

  private dropProviders(): void {
    const old = this.providers;
    this.providers = new Map();
    for (const p of old.values()) p.destroy();
  }

  private clearTimers(): void {
    if (this.downTimer !== null) clearTimeout(this.downTimer);
    if (this.dialTimer !== null) clearTimeout(this.dialTimer);
    if (this.silenceTimer !== null) clearInterval(this.silenceTimer);
    this.downTimer = this.dialTimer = this.silenceTimer = null;
    this.downSince = null;
  }

  private computeStatus(): BoardStatus {
    if (this.phase !== 'dialling') return 'offline';
    if (this.allProviders((p) => p.synced)) return 'synced';
    if (this.allProviders((p) => p.wsconnected)) return 'connected';
    return this.unreachable ? 'offline' : 'connecting';
  }

  private update(): void {
    const next: BoardState = {
      centre: this.centres[this.index]!.name,
      status: this.computeStatus(),
      failedOver: this.index !== 0,
    };
    if (this.lastError) next.lastError = this.lastError;
    const prev = this.state;
    if (
      prev.centre === next.centre &&
      prev.status === next.status &&
      prev.failedOver === next.failedOver &&
      prev.lastError === next.lastError
    )
      return;
    this.state = next;
    for (const cb of [...this.stateListeners]) cb(next);
  }

  private emit(e: ConnectionEvent): void {
    for (const cb of [...this.eventListeners]) cb(e);
  }
}
