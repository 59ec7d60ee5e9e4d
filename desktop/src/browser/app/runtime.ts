// What the store must not hold (live objects): the bridge, the board connection and its documents, the ingest,
// presence, the draft autosaver, and the board's orders (the OrderIndex, with the selectors that read it). Thunks reach it as the thunk middleware's extra argument.
import type * as Y from 'yjs';
import type { BoardConnection } from '@twinline/board-client';
import type { Actor } from '@twinline/workorder';
import type { BridgeClient } from '../bridge-client';
import type { OrderIngest } from '../features/board/ingest';
import { OrderIndex } from '../features/board/orderIndex';
import { createBoardSelectors } from '../features/board/selectors';
import type { OrderEntry } from '../features/board/types';
import type { PresenceHub } from '../features/presence/hub';
import type { Autosaver } from '../features/drafts/autosave';
import type { OrderFormValues } from '../features/drafts/form';
import type { Account } from '../features/session/login';

export interface Session {
  account: Account;
  conn: BoardConnection;
  ingest: OrderIngest;
  presence: PresenceHub;
  stop: () => void;
}

export class Runtime {
  session: Session | null = null;
  autosaver: Autosaver<OrderFormValues> | null = null;
  /** boot() runs once even when React's StrictMode mounts the app twice. */
  booted = false;
  /** Every order of the console's documents, folded. */
  readonly orders = new OrderIndex();
  readonly board = createBoardSelectors(this.orders);

  constructor(readonly bridge: BridgeClient) {}

  /** The actor for act()/comment()/createOrder(): the account, on the centre the board is synced with now. */
  actor(): Actor {
    const s = this.session;
    if (!s) throw new Error('not signed in');
    const actor: Actor = { userId: s.account.userId, role: s.account.role, centre: s.conn.getState().centre };
    if (s.account.stationId) actor.stationId = s.account.stationId;
    return actor;
  }

  order(id: string | null | undefined): OrderEntry | undefined {
    return id ? this.orders.get(id) : undefined;
  }

  doc(name: string): Y.Doc {
    const s = this.session;
    if (!s) throw new Error('not signed in');
    return s.conn.doc(name);
  }
}
