// One console's WebSocket on one document: y-websocket's protocol, checked at every step.
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as authProtocol from 'y-protocols/auth';
import * as awarenessProtocol from 'y-protocols/awareness';
import { checkUpdate } from '@twinline/board';
import type { GuardOptions, Principal } from '@twinline/board';
import type { Logger } from './log';
import type { Metrics } from './metrics';
import type { Room, RoomSocket } from './room';
import { CLOSE, MESSAGE_AUTH, MESSAGE_AWARENESS, MESSAGE_QUERY_AWARENESS, MESSAGE_SYNC } from './protocol';

class MalformedMessage extends Error {}

export interface ClientOptions {
  awarenessPerSecond: number;
  maxMessageBytes: number;
  /** A socket that has been sent nothing for this long gets a heartbeat. Default {@link HEARTBEAT_MS}. */
  heartbeatMs?: number;
  /** Checks the centres' seal on a crew's event (crews/sign.ts): without it the guard judges crew events like others. */
  verifyCrewEvent?: GuardOptions['verifyCrewEvent'];
}

/**
 * How often a quiet socket hears from the centre. A centre that dies without a TCP reset (power cut, cable) is then
 * noticed by the console's silence watchdog (board-client) in a few seconds, not by y-websocket's 30 s timeout.
 */
export const HEARTBEAT_MS = 700;

/** An awareness message carrying no states: every y-websocket client accepts it and nothing changes. */
const HEARTBEAT = encoding.encode((e) => {
  encoding.writeVarUint(e, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(
    e,
    encoding.encode((u) => encoding.writeVarUint(u, 0)),
  );
});

export class ClientConnection implements RoomSocket {
  private awarenessTokens: number;
  private awarenessRefill = Date.now();
  private coalescedAwareness: Uint8Array | null = null;
  private coalesceTimer: NodeJS.Timeout | null = null;
  private readonly heartbeat: NodeJS.Timeout;
  private lastSent = Date.now();
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly room: Room,
    private readonly principal: Principal,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly opts: ClientOptions,
  ) {
    this.awarenessTokens = opts.awarenessPerSecond * 2;
    room.addSocket(this);
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    // The server opens the sync, as y-websocket's own server does: step 1 (our state vector) and current presence.
    this.send(
      encoding.encode((e) => {
        encoding.writeVarUint(e, MESSAGE_SYNC);
        syncProtocol.writeSyncStep1(e, room.doc);
      }),
    );
    const presence = room.awarenessMessage();
    if (presence) this.send(presence);
    const every = opts.heartbeatMs ?? HEARTBEAT_MS;
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastSent >= every) this.send(HEARTBEAT);
    }, every);
    this.heartbeat.unref();
  }

  send(message: Uint8Array): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) {
      this.lastSent = Date.now();
      this.ws.send(message);
    }
  }

  /** Called once the socket is gone: frees the room's hold on this connection. */
  dispose(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    if (this.coalesceTimer) clearTimeout(this.coalesceTimer);
    this.room.removeSocket(this);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.log.warn({ user: this.principal.userId, doc: this.room.name, code, reason }, 'closing connection');
    this.ws.close(code, reason);
    this.dispose();
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    try {
      if (data.byteLength > this.opts.maxMessageBytes) {
        this.metrics.closedForBadInput.inc({ reason: 'too_big' });
        return this.close(
          CLOSE.tooBig.code,
          `${CLOSE.tooBig.reason}: ${data.byteLength} bytes, limit ${this.opts.maxMessageBytes}`,
        );
      }
      if (!isBinary) throw new MalformedMessage('text frame (y-websocket speaks binary)');
      this.handle(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.metrics.closedForBadInput.inc({ reason: 'malformed' });
      this.close(CLOSE.malformed.code, `${CLOSE.malformed.reason}: ${detail}`.slice(0, 120));
    }
  }

  private handle(message: Uint8Array): void {
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MESSAGE_SYNC: {
        const step = decoding.readVarUint(decoder);
        if (step === syncProtocol.messageYjsSyncStep1) {
          this.answerSync(decoding.readVarUint8Array(decoder));
        } else if (step === syncProtocol.messageYjsSyncStep2 || step === syncProtocol.messageYjsUpdate) {
          const update = decoding.readVarUint8Array(decoder);
          this.receiveUpdate(update, step === syncProtocol.messageYjsSyncStep2 ? 'catch_up' : 'live');
        } else {
          throw new MalformedMessage(`unknown sync step ${step}`);
        }
        break;
      }
      case MESSAGE_AWARENESS:
        this.receiveAwareness(decoding.readVarUint8Array(decoder));
        break;
      case MESSAGE_QUERY_AWARENESS: {
        const presence = this.room.awarenessMessage();
        if (presence) this.send(presence);
        break;
      }
      default:
        throw new MalformedMessage(`unknown message type ${type}`);
    }
  }

  /**
   * Sends what the console lacks (sync step 2), after the room's queued work: a server change is in the document
   * before SQLite has it (Room.serverChange), and must not reach anyone until then.
   */
  private answerSync(stateVector: Uint8Array): void {
    Y.decodeStateVector(stateVector); // a malformed one closes the socket now, as any malformed message does
    void this.room
      .serial(() => {
        if (this.closed) return;
        this.send(
          encoding.encode((e) => {
            encoding.writeVarUint(e, MESSAGE_SYNC);
            syncProtocol.writeSyncStep2(e, this.room.doc, stateVector);
          }),
        );
      })
      .catch((error: unknown) => {
        if (this.closed) return;
        this.log.error({ err: error, doc: this.room.name, user: this.principal.userId }, 'sync failed');
        this.close(CLOSE.unavailable.code, CLOSE.unavailable.reason);
      });
  }

  /** Checks a client update against the permission guard before anything is stored or relayed. */
  private receiveUpdate(update: Uint8Array, mode: 'live' | 'catch_up'): void {
    void this.room
      .serial(async () => {
        if (this.closed) return;
        const verdict = checkUpdate(this.room.doc, update, this.principal, this.room.name, mode, {
          verifyCrewEvent: this.opts.verifyCrewEvent,
        });
        if (!verdict.ok) {
          this.metrics.refusedWrites.inc();
          this.log.warn(
            {
              user: this.principal.userId,
              role: this.principal.role,
              doc: this.room.name,
              mode,
              reason: verdict.reason,
            },
            'write refused',
          );
          this.send(
            encoding.encode((e) => {
              encoding.writeVarUint(e, MESSAGE_AUTH);
              authProtocol.writePermissionDenied(e, `write refused: ${verdict.reason}`);
            }),
          );
          return;
        }
        await this.room.commitAndApply(update, this, 'client');
      })
      .catch((error: unknown) => {
        // A structurally broken update that slipped past the guard, or a storage failure: this socket only.
        this.log.error({ err: error, doc: this.room.name, user: this.principal.userId }, 'update failed');
        if (this.closed) return; // gone meanwhile (or sent away by its room)
        this.metrics.closedForBadInput.inc({ reason: 'bad_update' });
        this.close(CLOSE.malformed.code, 'update could not be applied');
      });
  }

  /** Presence is rate limited per socket: beyond the budget only the latest state is kept and sent later. */
  private receiveAwareness(update: Uint8Array): void {
    const now = Date.now();
    const rate = this.opts.awarenessPerSecond;
    this.awarenessTokens = Math.min(rate * 2, this.awarenessTokens + ((now - this.awarenessRefill) / 1000) * rate);
    this.awarenessRefill = now;
    if (this.awarenessTokens >= 1) {
      this.awarenessTokens -= 1;
      this.applyAwareness(update);
      return;
    }
    this.metrics.awarenessDropped.inc();
    this.coalescedAwareness = update;
    this.coalesceTimer ??= setTimeout(() => {
      this.coalesceTimer = null;
      const latest = this.coalescedAwareness;
      this.coalescedAwareness = null;
      if (!latest || this.closed) return;
      try {
        this.applyAwareness(latest);
      } catch (error) {
        this.metrics.closedForBadInput.inc({ reason: 'malformed' });
        this.close(CLOSE.malformed.code, error instanceof Error ? error.message.slice(0, 120) : 'bad presence update');
      }
    }, 1000 / rate);
  }

  private applyAwareness(update: Uint8Array): void {
    try {
      awarenessProtocol.applyAwarenessUpdate(this.room.awareness, update, this);
    } catch (error) {
      throw new MalformedMessage(`bad presence update: ${error instanceof Error ? error.message : error}`);
    }
  }
}
