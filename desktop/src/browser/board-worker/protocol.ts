// What the renderer's main thread and the board worker say to each other (over common/port-rpc). The worker owns
// the Yjs documents, their centre connection and cache, folds orders and runs the work-order rules; the window only
// renders. Both ends are this app's own code, built together, so these are types, not schemas; what either end gets
// from outside (the host, the centres) is validated where it enters.
import type { BoardState, Centre, ConnectionEvent } from '@twinline/board-client';
import type {
  ActInput,
  Crew,
  CrewChoice,
  CrewFigures,
  DraftPatch,
  MemberFigures,
  Rating,
  StationSettings,
} from '@twinline/board';
import type { OrderDraft } from '@twinline/workorder';
import type { WorkOrderErrorCode } from '@twinline/workorder';
import type { PresenceByOrder } from '../features/presence/collect';
import type { BoardRow } from '../../common/board-row';
import type { CustomerSyncProgress } from '../customers/sync';
import type { OrderEntry } from '../features/board/types';
import type { Account } from '../features/session/login';

/** A refused step, as the order panel shows it. */
export interface StepError {
  code: WorkOrderErrorCode;
  message: string;
}

/** Calls the window makes on the worker. */
export type WorkerMethods = {
  /** `http`: each centre's HTTP address by name (for the customer directory's deltas). */
  start(p: {
    centres: Centre[];
    token: string;
    docs: string[];
    account: Account;
    http?: Record<string, string>;
  }): Promise<void>;
  stop(p: undefined): Promise<void>;
  switchTo(p: { name: string }): void;
  act(p: { doc: string; id: string; input: ActInput }): StepError | null;
  comment(p: { doc: string; id: string; text: string }): StepError | null;
  editDraft(p: { doc: string; id: string; patch: DraftPatch }): StepError | null;
  createOrder(p: { doc: string; draft: OrderDraft }): { id: string } | StepError;
  presence(p: { doc: string | null; orderId: string | null; editing: string | null }): void;
  /** The whole order (timeline, comments) for the panel; waits until the documents are loaded. */
  order(p: { doc: string; id: string }): Promise<OrderEntry | null>;
  /** A city's crews (of one station, or all), the stations' settings and each crew's and member's figures. */
  roster(p: { doc: string; stationId?: string }): Promise<RosterView>;
  /** The crews of the order's station for its assignment, best first (the one automatic assignment would pick on top). */
  crewChoices(p: { doc: string; id: string }): Promise<CrewChoice[]>;
  putCrew(p: { doc: string; crew: Omit<Crew, 'updatedAt' | 'updatedBy'> }): StepError | null;
  setAutoAssign(p: { doc: string; stationId: string; on: boolean }): StepError | null;
  /** The two-way evaluation per agent and per station over the documents of this session. */
  ratings(p: undefined): Promise<{ agents: [string, Rating][]; stations: [string, Rating][] }>;
};

export interface RosterView {
  crews: Crew[];
  stations: StationSettings[];
  figures: Record<string, CrewFigures>;
  /** Per person: crew id → member id → the member's figures (members listed on the crew's reports). */
  members: Record<string, Record<string, MemberFigures>>;
}

/** Bridge operations the worker may ask the window to relay to the host (the cache, nothing else). */
export const RELAYED_BRIDGE_CALLS = [
  'cache.loadDoc',
  'cache.appendUpdates',
  'cache.putRows',
  'cache.clearDoc',
  'customers.apply',
  'customers.status',
] as const;
export type RelayedBridgeCall = (typeof RELAYED_BRIDGE_CALLS)[number];

/** Calls the worker makes on the window. */
export type WindowMethods = {
  bridge(p: { name: RelayedBridgeCall; payload: unknown }): unknown;
  /** Rows of orders that changed (or were loaded), and ids of orders that left the board. */
  orders(p: { upserts: BoardRow[]; removed: string[] }): void;
  /** Every order of the cached documents has been sent: rows shown from an older snapshot and not sent are gone. */
  loaded(p: undefined): void;
  /**
   * The centre refused a write in `doc`; the worker dropped its copy of that document and loads it again from the
   * centre (rows follow, then `loaded`: rows not sent again are gone).
   */
  reloading(p: { doc: string; reason: string }): void;
  /** How far the customer cache is (the screen-pop directory), at most once a second. */
  customers(p: CustomerSyncProgress): void;
  state(p: BoardState): void;
  event(p: ConnectionEvent): void;
  presence(p: PresenceByOrder): void;
  /** The crews or the stations' settings of `doc` changed (at most a few times a second). */
  roster(p: { doc: string }): void;
};

/** At most this many rows per message, so no single structured clone holds the window for long. */
export const ORDERS_PER_MESSAGE = 2000;
