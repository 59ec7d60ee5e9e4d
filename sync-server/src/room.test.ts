// Changes the centre makes itself (Room.serverChange: dispatch, escalation, crews' steps, sweeps, seeding), in process:
// a real SQLite store, the room, consoles on ClientConnection over a stand-in socket, and a twin fed the way centre.ts
// feeds the replicator. What a user would notice: the change reaches the consoles and the twin only once stored, and
// is there after a restart; a change that could not be stored is nowhere, not even for a console syncing meanwhile,
// and the board goes on working.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, comment, createOrder, readOrder } from '@twinline/board';
import type { Principal } from '@twinline/board';
import type { Actor, OrderDraft } from '@twinline/workorder';
import { ClientConnection } from './client';
import { createLogger } from './log';
import { createMetrics } from './metrics';
import { MESSAGE_SYNC } from './protocol';
import { LOAD_ORIGIN, PEER_ORIGIN } from './room';
import type { Room } from './room';
import { Rooms } from './rooms';
import { openCentreStorage } from './storage';

const DOC = 'region/fuzhou';
const GULOU = 'st-fuzhou-gulou';
const lead: Principal & Actor = { userId: 'lead.fz', role: 'team_lead', centre: 'fuzhou' };
const system: Actor = { userId: 'system', role: 'admin', centre: 'fuzhou' };
const draft: OrderDraft = {
  type: 'repair',
  channel: 'phone',
  priority: 'urgent',
  region: { city: 'fuzhou', county: 'gulou', areaClass: 'urban' },
  address: '福州市鼓楼区东街 1 号',
  callerNumber: '13805910001',
  description: '家里突然停电',
};
const log = createLogger('test', 'silent');
const stateOf = (doc: Y.Doc, id: string) => readOrder(doc, id)?.order.state;
const content = (doc: Y.Doc) => doc.getMap('orders').toJSON();

/** One centre: its SQLite store and its rooms; every change it relays goes to `relayed` (what centre.ts gives the twin). */
async function openCentre(dir: string, relayed: (update: Uint8Array) => void = () => undefined) {
  const storage = await openCentreStorage(dir);
  const rooms = new Rooms(
    storage,
    createMetrics('test'),
    log,
    { awarenessFlushMs: 50, unloadAfterMs: 60_000 },
    (_doc, update, origin) => {
      if (origin !== PEER_ORIGIN && origin !== LOAD_ORIGIN) relayed(update);
    },
  );
  return {
    storage,
    rooms,
    async close() {
      await rooms.closeAll();
      await storage.close();
    },
  };
}

/** A console on a room: the server's ClientConnection over a stand-in socket, speaking y-websocket's sync protocol. */
class Console {
  readonly doc = new Y.Doc();
  /** Updates (sync step 2 and live updates) the centre sent this console. */
  readonly received: Uint8Array[] = [];
  closedWith: number | null = null;
  private readonly ws = new (class extends EventEmitter {
    readonly OPEN = 1;
    readyState = 1;
    constructor(private readonly owner: Console) {
      super();
    }
    send(message: Uint8Array) {
      this.owner.fromCentre(message);
    }
    close(code: number) {
      this.readyState = 3;
      this.owner.closedWith = code;
    }
  })(this);
  readonly conn: ClientConnection;

  constructor(room: Room) {
    this.conn = new ClientConnection(this.ws as unknown as WebSocket, room, lead, log, createMetrics('console'), {
      awarenessPerSecond: 5,
      maxMessageBytes: 1 << 20,
    });
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== 'centre') this.toCentre((e) => syncProtocol.writeUpdate(e, update));
    });
    this.toCentre((e) => syncProtocol.writeSyncStep1(e, this.doc));
  }

  private toCentre(write: (e: encoding.Encoder) => void): void {
    const frame = encoding.encode((e) => (encoding.writeVarUint(e, MESSAGE_SYNC), write(e)));
    this.ws.emit('message', Buffer.from(frame), true);
  }

  fromCentre(message: Uint8Array): void {
    const d = decoding.createDecoder(message);
    if (decoding.readVarUint(d) !== MESSAGE_SYNC) return; // presence and heartbeats
    const step = decoding.readVarUint(d);
    const body = decoding.readVarUint8Array(d);
    if (step === syncProtocol.messageYjsSyncStep1) {
      this.toCentre((e) => syncProtocol.writeSyncStep2(e, this.doc, body));
      return;
    }
    this.received.push(body);
    Y.applyUpdate(this.doc, body, 'centre');
  }

  close(): void {
    this.conn.dispose();
  }
}

const settle = () => new Promise((r) => setTimeout(r, 30));
async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await settle();
  if (!check()) throw new Error(`timed out: ${what}`);
}

describe('changes made by the centre itself (Room.serverChange)', () => {
  let dirs: string[];
  let cleanups: (() => Promise<void> | void)[];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinline-room-'));
    dirs.push(dir);
    return dir;
  };

  /** A centre with a twin behind it (fed through the twin's commitAndApply, as peer.ts does) and a console. */
  async function setUp() {
    const here = tempDir();
    const there = tempDir();
    const twin = await openCentre(there);
    const twinRoom = await twin.rooms.get(DOC);
    const toTwin: Uint8Array[] = [];
    const twinDone: Promise<void>[] = [];
    const centre = await openCentre(here, (update) => {
      toTwin.push(update);
      twinDone.push(twinRoom.serial(() => twinRoom.commitAndApply(update, PEER_ORIGIN, 'peer')));
    });
    const room = await centre.rooms.get(DOC);
    const consoles: Console[] = [];
    const connect = async () => {
      const c = new Console(room);
      consoles.push(c);
      await room.serial(() => undefined); // its sync is answered
      return c;
    };
    cleanups.push(async () => {
      for (const c of consoles) c.close();
      await Promise.allSettled(twinDone);
      await centre.close();
      await twin.close();
    });
    return { here, there, centre, twin, room, twinRoom, toTwin, twinDone, connect };
  }

  beforeEach(() => {
    dirs = [];
    cleanups = [];
  });
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    vi.restoreAllMocks();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('reaches a connected console and the twin once stored, and is there after a restart', async () => {
    const { here, there, centre, twin, room, twinRoom, twinDone, connect } = await setUp();
    const agent = await connect();
    const seen: string[] = [];
    const append = centre.storage.appendUpdate.bind(centre.storage);
    vi.spyOn(centre.storage, 'appendUpdate').mockImplementation(async (doc, update) => {
      await append(doc, update);
      seen.push('stored');
    });
    agent.doc.on('update', () => seen.push('console'));

    let id = '';
    await room.serverChange((doc) => (id = createOrder(doc, draft, lead)));
    await room.serverChange((doc) => act(doc, id, { action: 'dispatch', stationId: GULOU }, system));
    await Promise.all(twinDone);

    expect(seen).toEqual(['stored', 'console', 'stored', 'console']);
    expect(stateOf(agent.doc, id)).toBe('dispatched');
    expect(stateOf(twinRoom.doc, id)).toBe('dispatched');
    // A change that changes nothing is neither stored nor sent.
    await room.serverChange((doc) => readOrder(doc, id));
    expect(seen).toHaveLength(4);

    await centre.close();
    await twin.close();
    for (const dir of [here, there]) {
      const again = await openCentre(dir);
      cleanups.push(() => again.close());
      expect(stateOf((await again.rooms.get(DOC)).doc, id)).toBe('dispatched');
    }
  });

  it('a failed commit leaves no trace: nothing sent, the document as stored, and the board keeps working', async () => {
    const { here, centre, room, twinRoom, toTwin, twinDone, connect } = await setUp();
    const agent = await connect();
    let id = '';
    await room.serverChange((doc) => (id = createOrder(doc, draft, lead)));
    await Promise.all(twinDone);
    const before = { received: agent.received.length, twin: toTwin.length, board: content(room.doc) };

    vi.spyOn(centre.storage, 'appendUpdate').mockRejectedValueOnce(new Error('SQLITE_FULL: database or disk is full'));
    await expect(
      room.serverChange((doc) => act(doc, id, { action: 'dispatch', stationId: GULOU }, system)),
    ).rejects.toThrow(/disk is full/);

    expect(stateOf(room.doc, id)).toBe('accepted');
    expect(content(room.doc)).toEqual(before.board);
    expect(agent.received).toHaveLength(before.received);
    expect(toTwin).toHaveLength(before.twin);
    const stored = new Y.Doc();
    for (const u of await centre.storage.loadUpdates(DOC)) Y.applyUpdate(stored, u);
    expect(Y.encodeStateVector(room.doc)).toEqual(Y.encodeStateVector(stored));

    // The board goes on: a console's edit reaches another console and the twin; the centre's next change too.
    const other = await connect();
    comment(agent.doc, id, '已联系客户', lead);
    await eventually(() => readOrder(other.doc, id)?.comments.length === 1, "the agent's comment reaches the other");
    await room.serverChange((doc) => act(doc, id, { action: 'dispatch', stationId: GULOU }, system));
    await Promise.all(twinDone);
    for (const doc of [room.doc, agent.doc, other.doc, twinRoom.doc]) {
      expect(stateOf(doc, id)).toBe('dispatched');
      expect(readOrder(doc, id)?.comments.map((c) => c.text)).toEqual(['已联系客户']);
    }
    expect(agent.closedWith).toBeNull();

    await centre.close();
    const again = await openCentre(here);
    cleanups.push(() => again.close());
    expect(content((await again.rooms.get(DOC)).doc)).toEqual(content(room.doc));
  });

  it('a commit that reports failure after it stored the change still sends it out: the change is real', async () => {
    const { centre, room, toTwin, twinDone, connect } = await setUp();
    const agent = await connect();
    let id = '';
    await room.serverChange((doc) => (id = createOrder(doc, draft, lead)));
    await Promise.all(twinDone);
    const append = centre.storage.appendUpdate.bind(centre.storage);
    vi.spyOn(centre.storage, 'appendUpdate').mockImplementationOnce(async (doc, update) => {
      await append(doc, update);
      throw new Error('SQLITE_BUSY: reported after the commit');
    });
    const twinBefore = toTwin.length;
    await room.serverChange((doc) => act(doc, id, { action: 'dispatch', stationId: GULOU }, system));
    expect(stateOf(room.doc, id)).toBe('dispatched');
    await eventually(() => stateOf(agent.doc, id) === 'dispatched', 'the console gets the stored change');
    expect(toTwin.length).toBeGreaterThan(twinBefore);
  });

  it('a console syncing while the change waits for SQLite gets it only once stored, and never if the commit fails', async () => {
    const { centre, room, connect } = await setUp();
    await connect();
    let id = '';
    await room.serverChange((doc) => (id = createOrder(doc, draft, lead)));
    const append = centre.storage.appendUpdate.bind(centre.storage);
    let release: (ok: boolean) => void = () => undefined;
    cleanups.push(() => release(false)); // a failed assertion must not leave the commit held for ever
    vi.spyOn(centre.storage, 'appendUpdate').mockImplementationOnce(
      (doc, update) =>
        new Promise<void>((resolve, reject) => {
          release = (ok) => (ok ? resolve(append(doc, update)) : reject(new Error('SQLITE_IOERR: disk I/O error')));
        }),
    );

    const failing = room.serverChange((doc) => act(doc, id, { action: 'dispatch', stationId: GULOU }, system));
    const late = new Console(room); // opens while the change is held
    await settle();
    expect(stateOf(late.doc, id)).toBeUndefined(); // not answered yet: its answer waits for the commit
    release(false);
    await expect(failing).rejects.toThrow(/disk I\/O error/);
    await room.serverChange(() => undefined); // its answer has gone out
    expect(stateOf(late.doc, id)).toBe('accepted');

    vi.spyOn(centre.storage, 'appendUpdate').mockImplementationOnce(
      (doc, update) => new Promise<void>((resolve) => (release = () => resolve(append(doc, update)))),
    );
    const passing = room.serverChange((doc) => act(doc, id, { action: 'dispatch', stationId: GULOU }, system));
    const later = new Console(room);
    await settle();
    expect(stateOf(later.doc, id)).toBeUndefined();
    release(true);
    await passing;
    await room.serverChange(() => undefined);
    for (const c of [late, later]) expect(stateOf(c.doc, id)).toBe('dispatched');
    late.close();
    later.close();
  });

  it('a change that throws half-way is dropped whole, and the caller gets its error', async () => {
    const { room, toTwin, connect } = await setUp();
    const agent = await connect();
    let id = '';
    await room.serverChange((doc) => (id = createOrder(doc, draft, lead)));
    const sent = { console: agent.received.length, twin: toTwin.length };
    await expect(
      room.serverChange((doc) => {
        act(doc, id, { action: 'dispatch', stationId: GULOU }, system);
        throw new Error('order is no longer on the board');
      }),
    ).rejects.toThrow(/no longer on the board/);
    expect(stateOf(room.doc, id)).toBe('accepted');
    expect({ console: agent.received.length, twin: toTwin.length }).toEqual(sent);
  });

  it('when the document cannot be loaded again either, its consoles are sent away to come back to a fresh load', async () => {
    const { centre, room, connect } = await setUp();
    const agent = await connect();
    let id = '';
    await room.serverChange((doc) => (id = createOrder(doc, draft, lead)));
    vi.spyOn(centre.storage, 'appendUpdate').mockRejectedValueOnce(new Error('SQLITE_IOERR: disk I/O error'));
    vi.spyOn(centre.storage, 'loadUpdates').mockRejectedValueOnce(new Error('SQLITE_IOERR: disk I/O error'));
    await expect(
      room.serverChange((doc) => act(doc, id, { action: 'dispatch', stationId: GULOU }, system)),
    ).rejects.toThrow(/disk I\/O error/);

    expect(agent.closedWith).toBe(4504); // 45xx: y-websocket comes back
    await expect(room.serial(() => 'more work')).rejects.toThrow(/could not be loaded again/);
    const fresh = await centre.rooms.get(DOC);
    expect(fresh).not.toBe(room);
    expect(stateOf(fresh.doc, id)).toBe('accepted');
    const back = new Console(fresh);
    await fresh.serverChange((doc) => act(doc, id, { action: 'dispatch', stationId: GULOU }, system));
    expect(stateOf(back.doc, id)).toBe('dispatched');
    back.close();
  });
});
