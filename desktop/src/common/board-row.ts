// One line of the board: what the list, its filters, search and SLA countdown need of an order, and nothing more
// (no event history, no comments: those are fetched for the one order that is open). The board worker makes rows
// from the folded orders; the window holds only rows; the host keeps the last rows in its cache so a cold start
// shows the board before the Yjs documents are even loaded.
//
// Runs anywhere (common): zod only. Enumerations (type, state, SLA kinds) are strings here; the work-order rules
// that made them live in @twinline/workorder, and the window treats an unknown value as a label it cannot name.
import { z } from 'zod';

const short = (max: number) => z.string().max(max);

/** What the window needs of a deadline to count down (workorder's Deadline without where the clock started). */
export const RowDeadline = z.object({
  kind: short(32),
  due: short(40),
  minutes: z.number().nonnegative(),
  calendar: short(64),
  metAt: short(40).optional(),
  late: z.boolean().optional(),
  /** The clock stands still (the order is paused since `pausedAt`); `due` is where it would be if resumed then. */
  paused: z.literal(true).optional(),
  pausedAt: short(40).optional(),
});

export const BoardRow = z.object({
  id: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/),
  /** The board document the order lives in (`region/fuzhou`). */
  doc: short(128),
  type: short(32),
  state: short(32),
  priority: short(32),
  channel: short(32),
  city: short(32),
  county: short(64),
  address: short(500),
  callerNumber: short(40),
  callerName: short(100).optional(),
  customerAccount: short(64).optional(),
  /** The description's first {@link ROW_DESCRIPTION_CHARS} characters (for search and the row's tooltip). */
  description: short(200),
  stationId: short(128).optional(),
  crewId: short(128).optional(),
  masterId: short(128).optional(),
  /** Epoch ms. */
  createdAt: z.number(),
  createdBy: short(128),
  /** Of the current cycle, as the work-order rules computed them with the board's policy; [] for a merged order. */
  deadlines: z.array(RowDeadline).max(16),
  /** Steps that lost a race with another console's (shown as a marker on the row). */
  superseded: z.number().int().nonnegative(),
  comments: z.number().int().nonnegative(),
  /** Urgings since the order entered its current state (the station's inbox lane 被催办). */
  urges: z.number().int().nonnegative().optional(),
  /** Sent back to the centre by a station (state accepted since): its reason goes back to the agent. */
  sentBack: z
    .object({ reason: short(500), by: short(128), stationId: short(128).optional(), at: z.number() })
    .optional(),
  /** A mass outage's declaration (orders of type outage only): what the screen-pop matches callers against. */
  outage: z
    .object({
      cause: short(32),
      counties: z.array(short(64)).max(50),
      streets: z.array(short(40)).max(200),
      servicePoints: z.array(short(64)).max(5000),
      /** Epoch ms. */
      expectedRestoreAt: z.number(),
    })
    .optional(),
});
export type BoardRow = z.infer<typeof BoardRow>;
export type RowDeadline = z.infer<typeof RowDeadline>;

export const ROW_DESCRIPTION_CHARS = 200;
