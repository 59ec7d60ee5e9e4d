// What the store must not hold (live objects): the bridge, the board worker (documents, connection, presence), the
// draft autosaver, and the board's orders (the OrderIndex, with the selectors that read it). Thunks reach it as the
// thunk middleware's extra argument.
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

  constructor(readonly bridge: BridgeClient) {}

  /** The board row of an order, if it is on this console's board. */
  order(id: string | null | undefined): BoardRow | undefined {
    return id ? this.orders.get(id) : undefined;
  }
}
