// The board worker's side: the centre connection, the Yjs documents and their cache, the fold of orders and the
// work-order rules, all off the window's thread. `serveBoard` takes a port so it runs in a Web Worker (worker.ts)
// and in tests over an in-memory port pair alike.
import { BoardConnection } from '@twinline/board-client';
import {
  act,
  comment,
  createOrder,
  crewChoices,
  crewFigures,
  crewLoads,
  editDraft,
  memberFigures,
  observeRoster,
  orderIds,
  parseDocName,
  putCrew,
  ratings,
  readCrews,
  readOrder,
  readStations,
  restoreOutage,
  setAutoAssign,
} from '@twinline/board';
import { CustomerSync } from '../customers/sync';
import { WorkOrderError } from '@twinline/workorder';
import type { Actor } from '@twinline/workorder';
import type { BoardRow } from '../../common/board-row';
import { MAX_ROWS_PER_PUT } from '../../common/bridge';
import type { PortLike } from '../../common/port-rpc';
import { OrderIngest } from './ingest';
import { createBridgeCache } from '../features/connection/boardCache';
import { PresenceHub } from '../features/presence/hub';
import type { Account } from '../features/session/login';
import { ORDERS_PER_MESSAGE } from './protocol';
import { toRow } from './rows';
import type { RelayedBridgeCall, StepError, WindowMethods, WorkerMethods } from './protocol';
import { connectTyped } from './rpc';

/** A document is reloaded after a refused write at most this often. */
const RELOAD_AT_MOST_EVERY_MS = 60_000;
/** How long a reload waits for the centre's copy before it reports the documents loaded anyway. */
const RELOAD_SYNC_WAIT_MS = 10_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface ServeOptions {
  /** For tests under Node: the WebSocket class (a browser worker has its own). */
  WebSocketPolyfill?: typeof WebSocket;
}

interface Session {
  params: Parameters<WorkerMethods['start']>[0];
  account: Account;
  conn: BoardConnection;
  ingest: OrderIngest;
  presence: PresenceHub;
  stop(): Promise<void>;
}

function failure(error: unknown): StepError {
  if (error instanceof WorkOrderError) return { code: error.code, message: error.message };
  return { code: 'invalid_payload', message: error instanceof Error ? error.message : String(error) };
}

export function serveBoard(port: PortLike, opts: ServeOptions = {}): void {
  let session: Session | null = null;

  const need = (): Session => {
    if (!session) throw new Error('no session: start first');
    return session;
  };
  /** The actor for a step: the account, on the centre the board is synced with now. */
  const actor = (s: Session): Actor => {
    const a: Actor = { userId: s.account.userId, role: s.account.role, centre: s.conn.getState().centre };
    if (s.account.stationId) a.stationId = s.account.stationId;
    return a;
  };
  /** Runs a local step; the ingest refolds at once so the window sees the result with the answer. */
  const step = (fn: (s: Session) => void): StepError | null => {
    const s = need();
    try {
      fn(s);
      s.ingest.flush();
      return null;
    } catch (error) {
      return failure(error);
    }
  };

  const local: WorkerMethods = {
    async start({ centres, token, docs, account, http }) {
      await session?.stop();
      const conn = new BoardConnection({
        centres,
        token,
        docs,
        cache: createBridgeCache(relay, {
          onSkipped: (doc, bytes) => console.warn(`update of ${bytes} bytes for ${doc} is too large for the cache`),
        }),
        ...(opts.WebSocketPolyfill ? { WebSocketPolyfill: opts.WebSocketPolyfill } : {}),
      });
      const ingest = new OrderIngest({
        docs: new Map(conn.documents.map((name) => [name, conn.doc(name)])),
        emit: ({ upserts, removed }) => {
          const rows = upserts.map(toRow);
          // Large batches (the first sync, the cache) go in slices, so the window takes them a slice at a time.
          for (let i = 0; i < Math.max(rows.length, 1); i += ORDERS_PER_MESSAGE) {
            void ui.call('orders', { upserts: rows.slice(i, i + ORDERS_PER_MESSAGE), removed: i === 0 ? removed : [] });
          }
          saveRows(rows, removed);
        },
      });
      // The first fold of the cached documents is complete once they are loaded and the ingest has emitted them.
      // After a reload (a refused write) the cache of that document is empty: wait for the centre's copy instead.
      const reloading = reloadPending;
      reloadPending = false;
      void conn.ready
        .then(() => (reloading ? Promise.race([conn.whenSynced(), sleep(RELOAD_SYNC_WAIT_MS)]) : undefined))
        .then(() => {
          if (session?.conn !== conn) return;
          ingest.flush();
          void ui.call('loaded', undefined);
        });
      const presence = new PresenceHub(conn, { id: account.userId, name: account.displayName }, (byOrder) => {
        void ui.call('presence', byOrder);
      });
      // Roster changes (crews, station settings) are not order rows: the window is told, a few times a second at most.
      const offRoster = conn.documents.map((name) => {
        let timer: ReturnType<typeof setTimeout> | null = null;
        const off = observeRoster(conn.doc(name), () => {
          timer ??= setTimeout(() => {
            timer = null;
            void ui.call('roster', { doc: name });
          }, 250);
        });
        return () => {
          off();
          if (timer) clearTimeout(timer);
        };
      });
      const offState = conn.onState((s) => void ui.call('state', { ...s }));
      const offEvent = conn.onEvent((e) => {
        void ui.call('event', e);
        if (e.type === 'write-refused') void reloadAfterRefusal(e.doc, e.reason);
      });
      // The customer directory for screen-pops, kept current by delta from the centre the board is on.
      const cities: string[] = docs.flatMap((d) => parseDocName(d)?.city ?? []);
      const centreOf = (name: string) => (http?.[name] ? { name, http: http[name] } : null);
      const customers = http
        ? new CustomerSync({
            bridge: relay,
            token,
            cities: account.city ? [account.city, ...cities.filter((c) => c !== account.city)] : cities,
            centre: centreOf(conn.getState().centre),
          })
        : null;
      let lastProgress = 0;
      const offProgress = customers?.onProgress((p) => {
        if (Date.now() - lastProgress < 1000 && p.state === 'syncing') return;
        lastProgress = Date.now();
        void ui.call('customers', p);
      });
      const offCentre = conn.onState((s) => customers?.setCentre(centreOf(s.centre)));
      customers?.start();
      session = {
        params: { centres, token, docs, account, ...(http ? { http } : {}) },
        account,
        conn,
        ingest,
        presence,
        async stop() {
          for (const off of offRoster) off();
          offState();
          offEvent();
          offCentre();
          offProgress?.();
          customers?.stop();
          ingest.stop();
          presence.destroy();
          await conn.destroy();
        },
      };
      void ui.call('state', { ...conn.getState() });
    },
    async stop() {
      const s = session;
      session = null;
      await s?.stop();
    },
    switchTo({ name }) {
      need().conn.switchTo(name);
    },
    act: ({ doc, id, input }) =>
      step((s) => {
        const d = s.conn.doc(doc);
        // An outage restored takes the orders merged under it along (to the callback list), in one transaction.
        if (input.action === 'restore' && readOrder(d, id)?.order.draft.type === 'outage')
          restoreOutage(d, id, input.note, actor(s));
        else act(d, id, input, actor(s));
      }),
    comment: ({ doc, id, text }) => step((s) => comment(s.conn.doc(doc), id, text, actor(s))),
    editDraft: ({ doc, id, patch }) => step((s) => editDraft(s.conn.doc(doc), id, patch, actor(s))),
    createOrder({ doc, draft }) {
      let id = '';
      const err = step((s) => {
        id = createOrder(s.conn.doc(doc), draft, actor(s));
      });
      return err ?? { id };
    },
    presence({ doc, orderId, editing }) {
      session?.presence.set(doc, orderId, editing);
    },
    async roster({ doc, stationId }) {
      const s = need();
      await s.conn.ready;
      const d = s.conn.doc(doc);
      const crews = readCrews(d).filter((c) => !stationId || c.stationId === stationId);
      const orders = orderIds(d).flatMap((id) => readOrder(d, id)?.order ?? []);
      const figures = crewFigures(orders);
      const people = memberFigures(orders);
      return {
        crews,
        stations: [...readStations(d).values()].filter((st) => !stationId || st.stationId === stationId),
        figures: Object.fromEntries(crews.flatMap((c) => (figures.has(c.id) ? [[c.id, figures.get(c.id)!]] : []))),
        members: Object.fromEntries(
          crews.flatMap((c) => (people.has(c.id) ? [[c.id, Object.fromEntries(people.get(c.id)!)]] : [])),
        ),
      };
    },
    async crewChoices({ doc, id }) {
      const s = need();
      await s.conn.ready;
      const d = s.conn.doc(doc);
      const order = readOrder(d, id)?.order;
      if (!order?.stationId) return [];
      const loads = crewLoads(orderIds(d).flatMap((oid) => readOrder(d, oid)?.order ?? []));
      const { type, region, address } = order.draft;
      return crewChoices(
        readCrews(d),
        { stationId: order.stationId, type, city: region.city, county: region.county, address },
        loads,
      );
    },
    async ratings() {
      const s = need();
      await s.conn.ready;
      const orders = s.params.docs.flatMap((doc) => {
        const d = s.conn.doc(doc);
        return orderIds(d).flatMap((id) => readOrder(d, id)?.order ?? []);
      });
      const r = ratings(orders);
      return { agents: [...r.agents], stations: [...r.stations] };
    },
    putCrew: ({ doc, crew }) => step((s) => void putCrew(s.conn.doc(doc), crew, actor(s))),
    setAutoAssign: ({ doc, stationId, on }) =>
      step((s) => void setAutoAssign(s.conn.doc(doc), stationId, on, actor(s))),
    async order({ doc, id }) {
      const s = need();
      await s.conn.ready;
      const d = s.conn.doc(doc);
      const order = readOrder(d, id);
      if (!order) return null;
      const named = new Set(order.order.history.flatMap((e) => (e.crewId ? [e.crewId] : [])));
      const crews = Object.fromEntries(readCrews(d).flatMap((c) => (named.has(c.id) ? [[c.id, c.name]] : [])));
      return { ...order, doc, crews };
    },
  };

  /** When each document was last reloaded after a refusal (at most once a minute: no reload loop). */
  const reloadedAt = new Map<string, number>();
  let reloadPending = false;

  /**
   * A write the centre refused stays in this replica and in the cache, and every later change to that document
   * would wait behind it at the centre forever. So the document is dropped here and in the cache and loaded again
   * from the centre; the refused change is gone (the centre said why, and the window shows it).
   */
  async function reloadAfterRefusal(doc: string, reason: string): Promise<void> {
    const s = session;
    const last = reloadedAt.get(doc) ?? -Infinity;
    if (!s || Date.now() - last < RELOAD_AT_MOST_EVERY_MS) return;
    reloadedAt.set(doc, Date.now());
    void ui.call('reloading', { doc, reason });
    await local.stop(undefined);
    try {
      await ui.call('bridge', { name: 'cache.clearDoc', payload: { doc } });
    } catch (error) {
      console.warn(`could not clear the cache of ${doc}`, error);
    }
    if (session !== null) return;
    reloadPending = true;
    await local.start(s.params);
  }

  /**
   * Keeps the host's copy of the rows (what a cold start shows first) in step: per document, in calls within the
   * bridge's limit. A failed write only makes the next cold start's first picture older; it is logged, not retried.
   */
  function saveRows(rows: BoardRow[], removed: string[]): void {
    const byDoc = new Map<string, { upserts: BoardRow[]; removed: string[] }>();
    const slot = (doc: string) => {
      let s = byDoc.get(doc);
      if (!s) byDoc.set(doc, (s = { upserts: [], removed: [] }));
      return s;
    };
    for (const r of rows) slot(r.doc).upserts.push(r);
    // The ingest reports removals without their document: every document of the session forgets them.
    if (removed.length > 0) for (const doc of session?.conn.documents ?? []) slot(doc).removed.push(...removed);
    for (const [doc, change] of byDoc) {
      for (let i = 0; i < Math.max(change.upserts.length, change.removed.length); i += MAX_ROWS_PER_PUT) {
        ui.call('bridge', {
          name: 'cache.putRows',
          payload: {
            doc,
            upserts: change.upserts.slice(i, i + MAX_ROWS_PER_PUT),
            removed: change.removed.slice(i, i + MAX_ROWS_PER_PUT),
          },
        }).catch((error: unknown) => console.warn(`could not cache the board rows of ${doc}`, error));
      }
    }
  }

  /** The host's bridge, as the worker may use it: the window relays these calls (RELAYED_BRIDGE_CALLS). */
  const relay = {
    call: ((name: RelayedBridgeCall, payload: unknown) => ui.call('bridge', { name, payload })) as never,
  };

  const ui = connectTyped<WorkerMethods, WindowMethods>(port, local);
}
