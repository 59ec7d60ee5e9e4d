// What the store must not hold (live objects): the bridge, the board worker (documents, connection, presence), the
// draft autosaver, and the board's orders (the OrderIndex, with the selectors that read it). Thunks reach it as the
// thunk middleware's extra argument.
import { CITY_IDS, regionDoc } from '@twinline/board/access';
import type { BridgeClient } from '../bridge-client';
import type { BoardWorker } from '../board-worker/client';
import { OrderIndex } from '../features/board/orderIndex';
import { createBoardSelectors } from '../features/board/selectors';
import type { BoardRow } from '../features/board/types';
import type { Autosaver } from '../features/drafts/autosave';
import type { OrderFormValues } from '../features/drafts/form';
import type { Account, StoredSession } from '../features/session/login';
import type { Softphone } from '@twinline/softphone';

export interface Session {
  account: Account;
  /** The login as stored: its token and home centre. */
  stored: StoredSession;
  /** The board worker: documents, centre connection, cache and work-order rules, off this thread. */
  board: BoardWorker;
  /** Asks the worker to write what it has not cached yet, then ends it. */
  stop: () => Promise<void>;
}

export class Runtime {
  session: Session | null = null;
  autosaver: Autosaver<OrderFormValues> | null = null;
  /** boot() runs once even when React's StrictMode mounts the app twice. */
  booted = false;
  /** The softphone (agents and team leads), its listeners' removal, and the agent-state event stream. */
  phone: Softphone | null = null;
  phoneStop: (() => void) | null = null;
  agentEvents: EventSource | null = null;
  agentEventsCentre: string | null = null;
  /** Every order of the console's documents, as board rows. */
  readonly orders = new OrderIndex();
  readonly board = createBoardSelectors(this.orders);

  /** The board rows the host kept, asked for as the page loads (every document), for the first session. */
  private snapshot: Promise<unknown[]> | null = null;

  constructor(readonly bridge: BridgeClient) {}

  /**
   * Asks the host for its board rows at once, before the app has even booted: a cold start's first picture. The
   * session takes its documents' rows from this (once); later sessions ask again.
   */
  prefetchSnapshot(): void {
    const p = this.bridge.call('cache.loadRows', { docs: CITY_IDS.map(regionDoc) }).then((r) => r.rows);
    p.catch(() => undefined);
    this.snapshot = p;
  }

  /** The kept rows of `docs` (unchecked: the caller validates them). */
  async snapshotRows(docs: readonly string[]): Promise<unknown[]> {
    const prefetched = this.snapshot;
    this.snapshot = null;
    const all =
      (await prefetched?.catch(() => null)) ?? (await this.bridge.call('cache.loadRows', { docs: [...docs] })).rows;
    const wanted = new Set(docs);
    return all.filter((r) => wanted.has((r as { doc?: unknown } | null)?.doc as string));
  }

  /** The board row of an order, if it is on this console's board. */
  order(id: string | null | undefined): BoardRow | undefined {
    return id ? this.orders.get(id) : undefined;
  }
}
