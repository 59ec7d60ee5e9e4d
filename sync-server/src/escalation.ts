// The escalation ladder, applied by the centre: every minute (and as soon as the twin's state is known after a start)
// each board document is checked for orders whose ladder steps are due (@twinline/workorder's escalationsDue), and
// the centre writes each due step as an `escalate` event, as itself, with a reason in Chinese that names the deadline,
// how late and who is told, and the step's marker (`[ladder:on_site+30:team_lead]`) that makes the rule idempotent.
//
// Who writes: while the twin is connected, only the centre named in the order's id (`fuzhou-20261123-…` → fuzhou),
// so each step is written once; while the twin is down, either centre writes every order's steps. The marker then
// stops doubles once the two meet again; only steps both write while cut off from each other can be doubled (each
// centre sees the other's on reconnect and writes nothing further). Right after a start or a reconnect the centre
// waits until the twin's state has settled (the twin's catch-up has arrived, or it has been unreachable a while)
// before writing anything.
import { readFileSync } from 'node:fs';
import type { Doc } from 'yjs';
import { act, orderIds, parseDocName, readOrder } from '@twinline/board';
import { centreInId, jobTwinWatch, systemActor, writesFor } from './twin-watch';
import type { JobTwinOptions, TwinState, TwinWatch } from './twin-watch';
import { DEFAULT_POLICY, WorkOrderError, escalationsDue, parsePolicy } from '@twinline/workorder';
import type { Actor, EscalationDue, EscalationTarget, SlaKind, SlaPolicy, WorkOrder } from '@twinline/workorder';
import type { Logger } from './log';
import type { Rooms } from './rooms';
import type { CentreStorage } from './storage';

/** Reads a policy file (JSON, @twinline/workorder's PolicySchema); throws SlaPolicyError naming every bad field. */
export function loadSlaPolicy(path: string): SlaPolicy {
  return parsePolicy(readFileSync(path, 'utf8'));
}

export interface EscalationOptions extends JobTwinOptions {
  /** This centre's name. */
  centre: string;
  policy?: SlaPolicy;
  /** How often the ladder is checked; 0: never (start() does nothing). */
  everyMs: number;
  /** At most this many escalations a pass (a backlog after a long outage goes out over several passes). */
  maxPerPass?: number;
  now?: () => Date;
}

const KIND_ZH: Record<SlaKind, string> = { on_site: '到达现场', handle: '处理', reply: '回单', callback: '回访' };
const TELL_ZH: Record<EscalationTarget, string> = {
  station: '工作站',
  team_lead: '班长',
  centre_manager: '中心负责人',
};

/** `11月23日 10:45` from an ISO time written in the calendar's zone (as deadlines are). */
const localTime = (iso: string) => `${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日 ${iso.slice(11, 16)}`;

/**
 * The reason of the `escalate` event for a due step, e.g.
 * `到达现场超时 30 分钟（时限 11月23日 10:45），按升级规则通知班长。[ladder:on_site+30:team_lead]`.
 */
export function escalationReason(due: EscalationDue, policy: SlaPolicy = DEFAULT_POLICY): string {
  const cal = policy.calendars[due.deadline.calendar];
  const business = cal && !(cal.open === '00:00' && cal.close === '24:00' && !cal.holidays?.length);
  return (
    `${KIND_ZH[due.step.deadline]}超时 ${due.lateMinutes} 分钟${business ? '（按工作时间计）' : ''}` +
    `（时限 ${localTime(due.deadline.due)}${due.deadline.paused ? '，现已暂停计时' : ''}），` +
    `按升级规则通知${TELL_ZH[due.step.tell]}。${due.marker}`
  );
}

export class EscalationJob {
  private timer: NodeJS.Timeout | null = null;
  private sampler: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private readonly twin: TwinWatch;
  private settled: TwinState = 'unsure';
  private readonly policy: SlaPolicy;
  private readonly actor: Actor;
  private readonly now: () => Date;

  constructor(
    private readonly rooms: Rooms,
    private readonly storage: CentreStorage,
    private readonly log: Logger,
    private readonly opts: EscalationOptions,
  ) {
    this.policy = opts.policy ?? DEFAULT_POLICY;
    this.actor = systemActor(opts.centre);
    this.twin = jobTwinWatch(opts);
    this.now = opts.now ?? (() => new Date());
  }

  start(): void {
    if (this.opts.everyMs <= 0) return;
    this.sampleTwin();
    this.timer = setInterval(() => void this.runOnce(), this.opts.everyMs);
    // The twin's link is watched more often than the ladder runs, so its state is known within a moment of changing,
    // and the first pass runs as soon as it is (the pass "at start").
    this.sampler = setInterval(() => this.sampleTwin(), Math.min(250, this.opts.everyMs));
    void this.runOnce();
  }

  /** Stops the timers and waits for a pass in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.sampler) clearInterval(this.sampler);
    this.timer = this.sampler = null;
    await this.running;
  }

  /** One pass over every document; concurrent calls share the pass in progress. Resolves to the steps written. */
  runOnce(): Promise<number> {
    this.running ??= this.pass()
      .catch((error: unknown) => {
        this.log.error({ err: error }, 'escalation pass failed');
        return 0;
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  private sampleTwin(): void {
    const state = this.twinState();
    if (state !== this.settled) {
      const was = this.settled;
      this.settled = state;
      this.log.debug({ twin: state, was }, 'escalation: twin state');
      if (state !== 'unsure' && this.timer) void this.runOnce();
    }
  }

  private twinState(): TwinState {
    return this.twin.state();
  }

  /** Whether this centre writes the ladder of `order` now. */
  private writes(order: WorkOrder, twin: TwinState): boolean {
    return writesFor(this.opts.centre, order, twin);
  }

  private async pass(): Promise<number> {
    this.sampleTwin();
    const twin = this.twinState();
    if (twin === 'unsure') {
      this.log.debug('escalation pass skipped: the twin centre has just come or gone');
      return 0;
    }
    const now = this.now();
    let budget = this.opts.maxPerPass ?? 1000;
    let total = 0;
    for (const name of await this.storage.listDocs()) {
      if (budget <= 0) break;
      this.sampleTwin();
      if (this.twinState() !== twin) break; // the twin came or went: the next pass decides again
      if (!parseDocName(name)) continue;
      const room = await this.rooms.get(name);
      try {
        // A read first (cheap, no copy of the document); the write, if any, re-checks on the document it changes.
        const ids = await room.serial(() => this.dueOrders(room.doc, now, twin));
        if (ids.length === 0) continue;
        const written: { id: string; due: EscalationDue; reason: string }[] = [];
        await room.serverChange((doc) => {
          for (const id of ids) {
            const order = readOrder(doc, id)?.order;
            if (!order || !this.writes(order, twin)) continue;
            for (const due of escalationsDue(order, this.policy, now)) {
              if (budget <= 0) return;
              const reason = escalationReason(due, this.policy);
              try {
                act(doc, id, { action: 'escalate', reason }, this.actor, now);
              } catch (error) {
                if (!(error instanceof WorkOrderError)) throw error;
                this.log.warn({ order: id, step: due.marker, err: error.message }, 'ladder step refused');
                continue;
              }
              budget -= 1;
              written.push({ id, due, reason });
            }
          }
        });
        for (const { id, due, reason } of written) {
          this.log.info(
            { doc: name, order: id, step: due.marker, tell: due.step.tell, lateMinutes: due.lateMinutes, reason },
            'order escalated by the ladder',
          );
        }
        total += written.length;
      } catch (error) {
        this.log.error({ err: error, doc: name }, 'escalation pass failed for a document');
      } finally {
        this.rooms.release(room);
      }
    }
    if (budget <= 0) this.log.warn({ written: total }, 'escalation backlog: the rest goes out in the next passes');
    return total;
  }

  /** Ids of the orders of `doc` with a ladder step due now that this centre writes. */
  private dueOrders(doc: Doc, now: Date, twin: TwinState): string[] {
    const out: string[] = [];
    for (const id of orderIds(doc)) {
      // the twin's orders are not even folded while it is up
      const named = twin === 'up' ? centreInId(id) : undefined;
      if (named !== undefined && named !== this.opts.centre) continue;
      const order = readOrder(doc, id)?.order;
      if (order && this.writes(order, twin) && escalationsDue(order, this.policy, now).length > 0) out.push(id);
    }
    return out;
  }
}
