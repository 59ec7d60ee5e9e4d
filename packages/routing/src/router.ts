// The router of one centre: who gets each hotline call. Pure and synchronous: time comes in as a number with every
// call, nothing reads a clock or starts a timer; `tick(now)` runs what is due (after-call work ending, offers ringing
// out, calls reaching their longest wait). Every method returns the routing decisions it made and the agent events it
// caused; the centre persists the events (agent states are their fold) and hands the decisions to the SIP side.
//
// Rules, in the order they are applied to an arriving call (docs/decisions/2026-11-23-call-routing.md):
// 1. the region's calls in progress at its limit → refuse 503;
// 2. the region is normally served by the twin and the twin is up (and the call is not from the twin) → overflow;
// 3. nobody of the skill group signed in → overflow to the twin, or refuse 480;
// 4. a ready agent of the group → offer to the one idle longest;
// 5. the group's queue full → overflow, or refuse 486; else queue.
// A queued call goes to the next agent of its group who becomes ready (front-of-queue calls first, then VIP, then the
// rest, oldest first); after the group's longest wait it overflows, or is refused 486. A call that came from the twin
// never goes back; with the twin down or full, calls that would overflow are refused with the same codes.
import {
  applyAgentEvent,
  initialAgentState,
  SYSTEM,
  type AgentEvent,
  type AgentState,
  type AgentStateName,
} from './agent';
import {
  bindGroup,
  bindRegion,
  compileConfig,
  type CompiledConfig,
  type GroupConfig,
  type GroupSource,
  type RegionSource,
  type RoutingConfig,
} from './config';
import {
  explain,
  type Call,
  type CallEnding,
  type Decision,
  type NoOverflow,
  type RouterOutput,
  type TwinStatus,
} from './decision';

export type RoutingErrorCode = 'unknown_agent' | 'forbidden' | 'bad_call_state';

export class RoutingError extends Error {
  override readonly name = 'RoutingError';
  constructor(
    readonly code: RoutingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Queue ranks: a call put back after a failed offer, then VIP, then everyone else. */
const FRONT = 0;
const VIP = 1;
const NORMAL = 2;

interface CallRec {
  id: string;
  region: string;
  regionSource: RegionSource;
  group: string;
  groupSource: GroupSource;
  fromTwin: boolean;
  arrivedAt: number;
  deadline: number;
  rank: number;
  seq: number;
  status: 'queued' | 'ringing' | 'connected';
  agentId: string | null;
  answeredAt: number;
}

interface AgentRec {
  id: string;
  groups: GroupRec[];
  state: AgentState;
}

interface GroupRec {
  cfg: GroupConfig;
  /** Waiting calls, best first: by rank, then arrival, then arrival order. */
  queue: CallRec[];
  ready: Set<AgentRec>;
  signedIn: number;
  /** Agents who will take calls soon: ready, ringing, on a call or in after-call work. */
  staffed: number;
  /** Mean handling time (talk + after-call work), moving average; starts at the configured expectation. */
  handleMs: number;
}

export interface GroupView {
  id: string;
  name: { zh: string; en: string };
  waiting: number;
  longestWaitMs: number;
  ready: number;
  signedIn: number;
  staffed: number;
  queueLimit: number;
  meanHandleMs: number;
}
export interface RegionView {
  id: string;
  name: { zh: string; en: string };
  centre: string;
  inProgress: number;
  limit: number;
}
export interface CallView {
  callId: string;
  region: string;
  group: string;
  status: CallRec['status'];
  agentId: string | null;
  waitedMs: number;
  position: number | null;
}
export interface AgentView {
  agentId: string;
  state: AgentStateName;
  since: number;
  reason?: string;
  callId?: string;
  skills: string[];
  /** The agent's own centre (another one: working here after its phone failed over). */
  home: string;
}
export interface Snapshot {
  centre: string;
  twin: { id: string; status: TwinStatus };
  at: number;
  groups: GroupView[];
  regions: RegionView[];
  calls: CallView[];
  agents: AgentView[];
}

const ACTIVE: ReadonlySet<AgentStateName> = new Set(['ready', 'ringing', 'on_call', 'after_call_work']);

/** Whether call a should be served before call b. */
const before = (a: CallRec, b: CallRec) =>
  a.rank !== b.rank ? a.rank < b.rank : a.arrivedAt !== b.arrivedAt ? a.arrivedAt < b.arrivedAt : a.seq < b.seq;

/** When the agent's timer falls due (an offer ringing out, after-call work ending), or Infinity. */
const timerOf = (a: AgentRec) => {
  const s = a.state.status;
  return s.state === 'ringing' ? s.expiresAt : s.state === 'after_call_work' ? s.until : Infinity;
};

export class Router {
  private c: CompiledConfig;
  private readonly agents = new Map<string, AgentRec>();
  private readonly groups = new Map<string, GroupRec>();
  private readonly calls = new Map<string, CallRec>();
  private readonly inProgress = new Map<string, number>();
  private twin: TwinStatus = 'up';
  private seq = 0;
  private out: RouterOutput = { decisions: [], events: [] };

  constructor(config: RoutingConfig) {
    this.c = compileConfig(config);
    for (const g of config.groups)
      this.groups.set(g.id, {
        cfg: g,
        queue: [],
        ready: new Set(),
        signedIn: 0,
        staffed: 0,
        handleMs: g.expectedHandleMs,
      });
    for (const r of config.regions) this.inProgress.set(r.id, 0);
    for (const a of config.agents) this.agent(a.id);
  }

  /** A router whose agents are in the states the events lead to (a restart). Calls are not restored. */
  static restore(config: RoutingConfig, events: Iterable<AgentEvent>): Router {
    const r = new Router(config);
    for (const e of events) {
      const a = r.agent(e.agentId);
      r.setState(a, applyAgentEvent(a.state, e));
    }
    return r;
  }

  get centre(): string {
    return this.c.config.centre;
  }

  /** The state of every agent the router knows. */
  agentStates(): Map<string, AgentState> {
    return new Map([...this.agents].map(([id, a]) => [id, a.state]));
  }

  /** What the centre knows of the twin (from its replication link): calls overflow only while it is up. */
  setTwin(status: TwinStatus): void {
    this.twin = status;
  }

  /**
   * A person changes an agent's state (`set_state` by the agent itself, or a team lead forcing not_ready or sign-out).
   * Throws AgentStateError (illegal or forbidden) or RoutingError (unknown agent). An agent leaving `ringing` puts the
   * offered call back at the front of its queue; an agent becoming ready takes the best waiting call of its groups.
   */
  agentEvent(e: AgentEvent, now = e.at): RouterOutput {
    if (e.type !== 'set_state')
      throw new RoutingError('forbidden', `${e.type} events come from the router itself, not from outside`);
    if (!this.c.agentSkills.has(e.agentId)) throw new RoutingError('unknown_agent', `unknown agent ${e.agentId}`);
    const a = this.agent(e.agentId);
    const prev = a.state.status;
    this.emit(a, e);
    if (prev.state === 'ringing' && a.state.status.state !== 'ringing') {
      const call = this.calls.get(prev.callId);
      if (call) this.requeueFront(call, a.id, now);
    }
    if (a.state.status.state === 'ready') this.serveAgent(a, now);
    return this.flush();
  }

  /** A hotline call arrives: bind it to a region and a group and decide (see the rules at the top of this file). */
  callArrived(call: Call, now: number): RouterOutput {
    const known = this.calls.get(call.id);
    if (known) {
      this.describeAgain(known, now);
      return this.flush();
    }
    const { region, source: regionSource } = bindRegion(this.c, call);
    const { group, source: groupSource } = bindGroup(this.c, call);
    const rec: CallRec = {
      id: call.id,
      region,
      regionSource,
      group,
      groupSource,
      fromTwin: call.fromTwin === true,
      arrivedAt: now,
      deadline: now + this.c.groups.get(group)!.maxWaitMs,
      rank: call.vip ? VIP : NORMAL,
      seq: ++this.seq,
      status: 'queued',
      agentId: null,
      answeredAt: 0,
    };
    const regionCfg = this.c.regions.get(region)!;
    const g = this.groups.get(group)!;
    if (this.inProgress.get(region)! >= regionCfg.maxCallsInProgress) {
      this.refuse(rec, 'region_limit', now);
    } else if (
      this.c.config.sendToHomeCentre &&
      regionCfg.centre !== this.c.config.centre &&
      !rec.fromTwin &&
      this.twin === 'up'
    ) {
      this.overflow(rec, 'home_centre', now);
    } else if (g.signedIn === 0) {
      this.overflowOrRefuse(rec, 'no_agent_signed_in', now);
    } else {
      const agent = this.longestIdle(g);
      if (agent) {
        this.take(rec);
        this.offer(rec, agent, now);
      } else if (g.queue.length >= g.cfg.queueLimit) {
        this.overflowOrRefuse(rec, 'queue_full', now);
      } else {
        this.take(rec);
        this.enqueue(rec, g, now);
      }
    }
    return this.flush();
  }

  /** The agent answered the offered call. */
  callAnswered(callId: string, now: number): RouterOutput {
    const call = this.calls.get(callId);
    if (call && call.status !== 'ringing')
      throw new RoutingError('bad_call_state', `call ${callId} is ${call.status}, not ringing`);
    const a = this.agentOnCall(callId, 'ringing');
    if (!a) throw new RoutingError('bad_call_state', `no agent is being offered call ${callId}`);
    this.emit(a, { type: 'answer', agentId: a.id, at: now, by: SYSTEM, callId });
    if (call) {
      call.status = 'connected';
      call.answeredAt = now;
    }
    return this.flush();
  }

  /**
   * A call ended, or its offer failed. Unknown calls (already overflowed or refused) are ignored. See CallEnding.
   */
  callEnded(callId: string, how: CallEnding, now: number): RouterOutput {
    const call = this.calls.get(callId);
    const status = call?.status;
    if (status === 'queued') {
      this.removeFromQueue(call!);
      this.release(call!);
    } else {
      const ringing = this.agentOnCall(callId, 'ringing');
      const talking = ringing ? undefined : this.agentOnCall(callId, 'on_call');
      if (ringing && how === 'completed') {
        // Answered and ended before the answer was reported: both, in order.
        this.emit(ringing, { type: 'answer', agentId: ringing.id, at: now, by: SYSTEM, callId });
        if (call) call.answeredAt = now;
        this.hangup(ringing, call, now);
      } else if (ringing) {
        const outcome = how === 'abandoned' ? 'abandoned' : how === 'rejected' ? 'rejected' : 'missed';
        this.emit(ringing, { type: 'withdraw', agentId: ringing.id, at: now, by: SYSTEM, callId, outcome });
        if (call && how !== 'abandoned') this.requeueFront(call, ringing.id, now);
        else if (call) this.release(call);
        if (ringing.state.status.state === 'ready') this.serveAgent(ringing, now);
      } else if (talking) {
        this.hangup(talking, call, now);
      } else if (call) {
        this.release(call);
      }
    }
    return this.flush();
  }

  /** Runs everything due at or before `now`, in the order it fell due. */
  tick(now: number): RouterOutput {
    // Gather what is due, oldest first; handling one item may change another (an agent ready after its after-call
    // work takes a call whose wait would have run out later), so each is checked again just before it is handled.
    // Rounds repeat while handling made something else due (a call put back with its longest wait already past).
    for (;;) {
      const due: { t: number; agent?: AgentRec; call?: CallRec }[] = [];
      for (const a of this.agents.values()) {
        const t = timerOf(a);
        if (t <= now) due.push({ t, agent: a });
      }
      for (const g of this.groups.values())
        for (const q of g.queue) if (q.deadline <= now) due.push({ t: q.deadline, call: q });
      if (due.length === 0) break;
      due.sort((x, y) => x.t - y.t);
      for (const { t, agent, call } of due) {
        if (agent && timerOf(agent) === t) this.agentTimer(agent, t, now);
        else if (call && call.status === 'queued' && this.calls.has(call.id)) {
          this.removeFromQueue(call);
          this.release(call);
          this.overflowOrRefuse(call, 'max_wait', now);
        }
      }
    }
    return this.flush();
  }

  /** The team lead's view: per group and region, every call held and every agent. */
  snapshot(now: number): Snapshot {
    const groups: GroupView[] = [...this.groups.values()].map((g) => ({
      id: g.cfg.id,
      name: g.cfg.name,
      waiting: g.queue.length,
      longestWaitMs: g.queue.reduce((m, q) => Math.max(m, now - q.arrivedAt), 0),
      ready: g.ready.size,
      signedIn: g.signedIn,
      staffed: g.staffed,
      queueLimit: g.cfg.queueLimit,
      meanHandleMs: Math.round(g.handleMs),
    }));
    const regions: RegionView[] = this.c.config.regions.map((r) => ({
      id: r.id,
      name: r.name,
      centre: r.centre,
      inProgress: this.inProgress.get(r.id)!,
      limit: r.maxCallsInProgress,
    }));
    const positions = new Map<CallRec, number>();
    for (const g of this.groups.values()) g.queue.forEach((q, i) => positions.set(q, i + 1));
    const calls: CallView[] = [...this.calls.values()].map((q) => ({
      callId: q.id,
      region: q.region,
      group: q.group,
      status: q.status,
      agentId: q.agentId,
      waitedMs: now - q.arrivedAt,
      position: positions.get(q) ?? null,
    }));
    const agents: AgentView[] = [...this.agents.values()].map((a) => {
      const s = a.state.status;
      return {
        agentId: a.id,
        state: s.state,
        since: a.state.since,
        ...(s.state === 'not_ready' ? { reason: s.reason } : {}),
        ...('callId' in s ? { callId: s.callId } : {}),
        skills: a.groups.map((g) => g.cfg.id),
        home: this.c.agentHome.get(a.id) ?? this.centre,
      };
    });
    return {
      centre: this.centre,
      twin: { id: this.c.config.twin, status: this.twin },
      at: now,
      groups,
      regions,
      calls,
      agents,
    };
  }

  // ---- agents ---------------------------------------------------------------------------------------------------

  private agent(id: string): AgentRec {
    let a = this.agents.get(id);
    if (!a) {
      const groups = (this.c.agentSkills.get(id) ?? []).map((g) => this.groups.get(g)!);
      a = { id, groups, state: initialAgentState(id) };
      this.agents.set(id, a);
    }
    return a;
  }

  /** Applies an event (throws when it is illegal), records it for the output, keeps the group indexes. */
  private emit(a: AgentRec, e: AgentEvent): void {
    this.setState(a, applyAgentEvent(a.state, e));
    this.out.events.push(e);
  }

  private setState(a: AgentRec, next: AgentState): void {
    const was = a.state.status.state;
    const is = next.status.state;
    a.state = next;
    if (was === is) return;
    const dSigned = (is !== 'signed_out' ? 1 : 0) - (was !== 'signed_out' ? 1 : 0);
    const dStaffed = (ACTIVE.has(is) ? 1 : 0) - (ACTIVE.has(was) ? 1 : 0);
    for (const g of a.groups) {
      g.signedIn += dSigned;
      g.staffed += dStaffed;
      if (is === 'ready') g.ready.add(a);
      else if (was === 'ready') g.ready.delete(a);
    }
  }

  private agentOnCall(callId: string, state: 'ringing' | 'on_call'): AgentRec | undefined {
    const call = this.calls.get(callId);
    const check = (a: AgentRec | undefined) => {
      const s = a?.state.status;
      return s && s.state === state && s.callId === callId ? a : undefined;
    };
    if (call?.agentId) return check(this.agents.get(call.agentId));
    // A call from before a restart: only the agents' states know it.
    for (const a of this.agents.values()) if (check(a)) return a;
    return undefined;
  }

  /** The ready agent of the group idle longest (earliest readySince; ties by id). */
  private longestIdle(g: GroupRec): AgentRec | undefined {
    let best: AgentRec | undefined;
    let bestT = Infinity;
    for (const a of g.ready) {
      const t = a.state.readySince ?? a.state.since;
      if (t < bestT || (t === bestT && best && a.id < best.id)) [best, bestT] = [a, t];
    }
    return best;
  }

  /** An agent became ready: give it the best waiting call of its groups. */
  private serveAgent(a: AgentRec, now: number): void {
    let best: CallRec | undefined;
    for (const g of a.groups) {
      const head = g.queue[0];
      if (head && (!best || before(head, best))) best = head;
    }
    if (best) {
      this.removeFromQueue(best);
      this.offer(best, a, now);
    }
  }

  /** An agent's timer fell due at `due`: an offer rang out (missed), or after-call work ended. */
  private agentTimer(agent: AgentRec, due: number, now: number): void {
    const s = agent.state.status;
    if (s.state === 'ringing') {
      const callId = s.callId;
      const by = SYSTEM;
      this.emit(agent, {
        type: 'withdraw',
        agentId: agent.id,
        at: due,
        by,
        callId,
        outcome: 'missed',
        note: 'not answered in time',
      });
      const c = this.calls.get(callId);
      if (c) this.requeueFront(c, agent.id, now);
    } else {
      this.emit(agent, { type: 'acw_end', agentId: agent.id, at: due, by: SYSTEM });
      if (agent.state.status.state === 'ready') this.serveAgent(agent, now);
    }
  }

  private hangup(a: AgentRec, call: CallRec | undefined, now: number): void {
    const g = this.groups.get(call?.group ?? '') ?? a.groups[0];
    const acw = g?.cfg.afterCallWorkMs ?? 0;
    const callId = (a.state.status as { callId: string }).callId;
    this.emit(a, { type: 'hangup', agentId: a.id, at: now, by: SYSTEM, callId, acwUntil: now + acw });
    if (call) {
      if (g) g.handleMs = 0.8 * g.handleMs + 0.2 * (now - call.answeredAt + acw);
      this.release(call);
    }
    if (acw === 0) {
      this.emit(a, { type: 'acw_end', agentId: a.id, at: now, by: SYSTEM });
      if (a.state.status.state === 'ready') this.serveAgent(a, now);
    }
  }

  // ---- calls ----------------------------------------------------------------------------------------------------

  /** The call now holds a line of its region. */
  private take(c: CallRec): void {
    this.inProgress.set(c.region, this.inProgress.get(c.region)! + 1);
    this.calls.set(c.id, c);
  }

  /** The call no longer holds a line here. */
  private release(c: CallRec): void {
    if (this.calls.delete(c.id)) this.inProgress.set(c.region, this.inProgress.get(c.region)! - 1);
  }

  private offer(c: CallRec, a: AgentRec, now: number): void {
    const idleMs = now - (a.state.readySince ?? a.state.since);
    this.emit(a, {
      type: 'offer',
      agentId: a.id,
      at: now,
      by: SYSTEM,
      callId: c.id,
      expiresAt: now + this.c.config.offerTimeoutMs,
    });
    c.status = 'ringing';
    c.agentId = a.id;
    this.decide(c, now, { kind: 'offer', reason: 'longest_idle', agentId: a.id, idleMs, waitedMs: now - c.arrivedAt });
  }

  private enqueue(c: CallRec, g: GroupRec, now: number, withdrawnFrom?: string): void {
    const q = g.queue;
    // Binary search for the first call that c goes before.
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(q[mid]!, c)) lo = mid + 1;
      else hi = mid;
    }
    q.splice(lo, 0, c);
    c.status = 'queued';
    c.agentId = null;
    const position = lo + 1;
    this.decide(c, now, {
      kind: 'queue',
      reason: withdrawnFrom ? 'requeued' : 'queued',
      position,
      estimatedWaitMs: g.staffed === 0 ? null : Math.round((position * g.handleMs) / g.staffed),
      ...(withdrawnFrom ? { withdrawnFrom } : {}),
    });
  }

  private removeFromQueue(c: CallRec): void {
    const q = this.groups.get(c.group)!.queue;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(q[mid]!, c)) lo = mid + 1;
      else hi = mid;
    }
    if (q[lo] === c) q.splice(lo, 1);
  }

  /** An offer failed: the call goes back at the front of its queue, or straight to another ready agent. */
  private requeueFront(c: CallRec, from: string, now: number): void {
    c.rank = FRONT;
    const g = this.groups.get(c.group)!;
    const agent = this.longestIdle(g);
    if (agent) this.offer(c, agent, now);
    else this.enqueue(c, g, now, from);
  }

  private noOverflow(c: CallRec): NoOverflow | undefined {
    if (c.fromTwin) return 'from_twin';
    if (this.twin === 'down') return 'twin_down';
    if (this.twin === 'full') return 'twin_full';
    return undefined;
  }

  private overflow(c: CallRec, reason: 'home_centre' | 'no_agent_signed_in' | 'queue_full' | 'max_wait', now: number) {
    this.decide(c, now, { kind: 'overflow', reason, to: this.c.config.twin, waitedMs: now - c.arrivedAt });
  }

  private overflowOrRefuse(c: CallRec, reason: 'no_agent_signed_in' | 'queue_full' | 'max_wait', now: number) {
    const no = this.noOverflow(c);
    if (no === undefined) this.overflow(c, reason, now);
    else this.refuse(c, reason, now, no);
  }

  private refuse(
    c: CallRec,
    reason: 'no_agent_signed_in' | 'queue_full' | 'max_wait' | 'region_limit',
    now: number,
    noOverflow?: NoOverflow,
  ): void {
    const [sipCode, sipReason] =
      reason === 'region_limit'
        ? ([503, 'Service Unavailable - region limit reached'] as const)
        : reason === 'no_agent_signed_in'
          ? ([480, 'Temporarily Unavailable - no agent signed in'] as const)
          : reason === 'queue_full'
            ? ([486, 'Busy Here - queue full'] as const)
            : ([486, 'Busy Here - all agents busy'] as const);
    this.decide(c, now, {
      kind: 'reject',
      reason,
      sipCode,
      sipReason,
      waitedMs: now - c.arrivedAt,
      ...(noOverflow ? { noOverflow } : {}),
    });
  }

  /** A repeated arrival (a retransmission): say again where the call is. */
  private describeAgain(c: CallRec, now: number): void {
    if (c.status === 'queued') {
      const g = this.groups.get(c.group)!;
      const position = g.queue.indexOf(c) + 1;
      this.decide(c, now, {
        kind: 'queue',
        reason: c.rank === FRONT ? 'requeued' : 'queued',
        position,
        estimatedWaitMs: g.staffed === 0 ? null : Math.round((position * g.handleMs) / g.staffed),
      });
    } else {
      const a = this.agents.get(c.agentId!)!;
      this.decide(c, now, {
        kind: 'offer',
        reason: 'longest_idle',
        agentId: a.id,
        idleMs: 0,
        waitedMs: now - c.arrivedAt,
      });
    }
  }

  private decide(c: CallRec, now: number, d: DistributiveOmit<Decision, keyof CommonKeys>): void {
    const region = this.c.regions.get(c.region)!;
    const group = this.c.groups.get(c.group)!;
    const common = {
      callId: c.id,
      at: now,
      region: c.region,
      regionSource: c.regionSource,
      group: c.group,
      groupSource: c.groupSource,
    };
    const partial = { ...common, ...d } as Omit<Decision, 'text'>;
    const text = explain(partial, { region: region.name, group: group.name, twin: this.c.config.twin });
    this.out.decisions.push({ ...partial, text } as Decision);
  }

  private flush(): RouterOutput {
    const out = this.out;
    this.out = { decisions: [], events: [] };
    return out;
  }
}

type CommonKeys = Pick<Decision, 'callId' | 'at' | 'region' | 'regionSource' | 'group' | 'groupSource' | 'text'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
