// Twin-centre replication: every document, both ways, over one WebSocket per direction.
// Each centre dials its twin (--peer) and accepts the twin's dial at /_peer. On every (re)connect, and every
// resyncEveryMs after, the dialer sends HELLO with a state vector per document it has; the other side answers with
// the diff of each document (state-vector diff, so a returning centre catches up with exactly what it missed) and its
// own HELLO, which the dialer answers the same way. Live updates go out as UPDATE frames and are acknowledged after
// the twin has committed them, which gives the replication lag.
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { parseDocName } from '@twinline/board';
import type { Logger } from './log';
import type { Metrics } from './metrics';
import type { Rooms } from './rooms';
import type { CentreStorage } from './storage';
import { PEER_ORIGIN } from './room';

const HELLO = 0;
const UPDATE = 1;
const ACK = 2;

interface Link {
  ws: WebSocket;
  outbound: boolean;
}

export class PeerReplicator {
  private readonly links = new Set<Link>();
  private seq = 0;
  private readonly sentAt = new Map<number, number>();
  private dialTimer: NodeJS.Timeout | null = null;
  private resyncTimer: NodeJS.Timeout | null = null;
  private attempts = 0;
  private stopped = false;

  constructor(
    private readonly opts: { peerUrl?: string; peerSecret: string; resyncEveryMs: number; centre: string },
    private readonly rooms: Rooms,
    private readonly storage: CentreStorage,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.opts.peerUrl) this.dial();
    this.resyncTimer = setInterval(() => {
      const link = this.sendingLink();
      if (link?.outbound) void this.sendHello(link, true);
    }, this.opts.resyncEveryMs);
  }

  /** A local change (from a console or the centre itself) goes to the twin. */
  push(doc: string, update: Uint8Array): void {
    const link = this.sendingLink();
    if (!link) return; // the HELLO exchange on reconnect carries it
    const seq = ++this.seq;
    this.sentAt.set(seq, Date.now());
    this.metrics.replicationPending.set(this.sentAt.size);
    link.ws.send(
      encoding.encode((e) => {
        encoding.writeVarUint(e, UPDATE);
        encoding.writeVarString(e, doc);
        encoding.writeVarUint(e, seq);
        encoding.writeVarUint8Array(e, update);
      }),
    );
  }

  /** Takes the twin's dial (already authenticated by the HTTP layer). */
  accept(ws: WebSocket): void {
    this.attach({ ws, outbound: false });
  }

  get connected(): boolean {
    return this.links.size > 0;
  }

  stop(): void {
    this.stopped = true;
    if (this.dialTimer) clearTimeout(this.dialTimer);
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    for (const link of this.links) link.ws.terminate();
    this.links.clear();
  }

  private sendingLink(): Link | undefined {
    const open = [...this.links].filter((l) => l.ws.readyState === WebSocket.OPEN);
    return open.find((l) => l.outbound) ?? open[0];
  }

  private dial(): void {
    if (this.stopped || !this.opts.peerUrl) return;
    const url = new URL('/_peer', this.opts.peerUrl);
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.opts.peerSecret}`, 'x-twinline-centre': this.opts.centre },
    });
    const link: Link = { ws, outbound: true };
    ws.on('open', () => {
      this.attempts = 0;
      this.log.info({ peer: this.opts.peerUrl }, 'link to twin centre up');
      this.attach(link);
      void this.sendHello(link, true);
    });
    ws.on('error', (error) => this.log.debug({ err: error.message }, 'twin link error'));
    ws.on('close', () => {
      if (this.stopped) return;
      // Jittered exponential backoff, 250 ms to 5 s.
      const delay = Math.min(5000, 250 * 2 ** this.attempts++) * (0.5 + Math.random() / 2);
      this.dialTimer = setTimeout(() => this.dial(), delay);
    });
  }

  private attach(link: Link): void {
    this.links.add(link);
    this.metrics.peerConnected.set(1);
    link.ws.on('message', (data: Buffer) => {
      void this.onMessage(link, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).catch(
        (error: unknown) => {
          this.log.error({ err: error }, 'bad frame from twin centre; dropping link');
          link.ws.terminate();
        },
      );
    });
    link.ws.on('close', () => {
      this.links.delete(link);
      this.metrics.peerConnected.set(this.links.size > 0 ? 1 : 0);
      if (link.outbound) this.log.warn({ peer: this.opts.peerUrl }, 'link to twin centre down');
      // Unacknowledged sends are covered by the next HELLO exchange.
      this.sentAt.clear();
      this.metrics.replicationPending.set(0);
    });
  }

  private async onMessage(link: Link, frame: Uint8Array): Promise<void> {
    const d = decoding.createDecoder(frame);
    const type = decoding.readVarUint(d);
    if (type === HELLO) {
      const wantReply = decoding.readVarUint(d) === 1;
      const theirs = new Map<string, Uint8Array>();
      const count = decoding.readVarUint(d);
      for (let i = 0; i < count; i++) theirs.set(decoding.readVarString(d), decoding.readVarUint8Array(d));
      const names = new Set([...theirs.keys(), ...(await this.storage.listDocs())]);
      for (const name of names) {
        if (!parseDocName(name)) continue;
        const diff = await this.diffFor(name, theirs.get(name));
        if (diff) this.push(name, diff);
      }
      if (wantReply) await this.sendHello(link, false);
    } else if (type === UPDATE) {
      const doc = decoding.readVarString(d);
      const seq = decoding.readVarUint(d);
      const update = decoding.readVarUint8Array(d);
      if (!parseDocName(doc)) throw new Error(`twin sent an update for unknown document ${doc}`);
      const room = await this.rooms.get(doc);
      await room.serial(() => room.commitAndApply(update, PEER_ORIGIN, 'peer'));
      this.rooms.release(room);
      link.ws.send(encoding.encode((e) => (encoding.writeVarUint(e, ACK), encoding.writeVarUint(e, seq))));
    } else if (type === ACK) {
      const seq = decoding.readVarUint(d);
      const at = this.sentAt.get(seq);
      if (at !== undefined) {
        this.sentAt.delete(seq);
        this.metrics.replicationLag.set((Date.now() - at) / 1000);
        this.metrics.replicationPending.set(this.sentAt.size);
      }
    } else {
      throw new Error(`unknown twin frame type ${type}`);
    }
  }

  /** What the twin lacks of `name`, given its state vector; null when it has everything. */
  private async diffFor(name: string, theirVector: Uint8Array | undefined): Promise<Uint8Array | null> {
    const room = await this.rooms.get(name);
    const diff = await room.serial(() => Y.encodeStateAsUpdate(room.doc, theirVector));
    this.rooms.release(room);
    // An update with no structs and an empty delete set encodes to two zero bytes.
    return hasContent(diff) ? diff : null;
  }

  private async sendHello(link: Link, wantReply: boolean): Promise<void> {
    const names = (await this.storage.listDocs()).filter((n) => parseDocName(n));
    const vectors: [string, Uint8Array][] = [];
    for (const name of names) {
      const room = await this.rooms.get(name);
      vectors.push([name, await room.serial(() => Y.encodeStateVector(room.doc))]);
      this.rooms.release(room);
    }
    if (link.ws.readyState !== WebSocket.OPEN) return;
    link.ws.send(
      encoding.encode((e) => {
        encoding.writeVarUint(e, HELLO);
        encoding.writeVarUint(e, wantReply ? 1 : 0);
        encoding.writeVarUint(e, vectors.length);
        for (const [name, sv] of vectors) {
          encoding.writeVarString(e, name);
          encoding.writeVarUint8Array(e, sv);
        }
      }),
    );
  }
}

function hasContent(update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  return structs.length > 0 || ds.clients.size > 0;
}
