// The centre's call centre: one Router (@twinline/routing) fed with everything that happens to calls and agents.
//   - Kamailio asks who takes a hotline call (decide): the router's answer goes back at once (an agent, the twin, a
//     refusal), or the call waits in the queue and the answer goes back when the router offers it, overflows or
//     refuses it. When the offered phone fails, Kamailio asks again (retry): the router puts the call back at the front.
//   - Kamailio's events (answered, bye, cancel, failed, registrations) and the agents' own changes (HTTP API) go to
//     the router; the router's agent events are persisted in order (storage/calls.ts) and replayed at start with
//     Router.restore, so an agent's state survives a centre restart and a console reconnect.
//   - A tick every second runs the router's timers (offers ringing out, after-call work ending, longest waits) and
//     tells it whether the twin can take overflow (the replication link is up and a twin SIP server is configured).
// Every decision and every agent change is logged with its reason, in zh-CN and English.
import type { Principal } from '@twinline/board';
import {
  AgentStateError,
  Router,
  RoutingError,
  applyAgentEvent,
  bindGroup,
  compileConfig,
  initialAgentState,
  permissionProblem,
} from '@twinline/routing';
import type {
  Actor,
  AgentEvent,
  AgentState,
  AgentStateName,
  CallEnding,
  ChosenReason,
  CompiledConfig,
  Decision,
  NotReadyReason,
  RouterOutput,
  RoutingConfig,
  Snapshot,
  Target,
  TwinStatus,
} from '@twinline/routing';
import type { Logger } from '../log';
import type { CallRecord, CallStore } from '../storage';
import type { RouteAnswer, RouteRequest, SipEvent } from '../sip/contract';
import type { Decide } from '../sip/route-endpoint';
import { agentChangeText } from './sentences';

/** Roles that see every agent and queue (the team lead's board) and may force agents' states. */
export const LEAD_ROLES: readonly string[] = ['team_lead', 'admin'];

/** What a console shows of an agent's state. Times are ms since the epoch. */
export interface AgentStateView {
  agentId: string;
  centre: string;
  state: AgentStateName;
  reason?: NotReadyReason;
  callId?: string;
  /** after_call_work: when it ends; ringing: when the offer rings out. */
  until?: number;
  since: number;
  readySince: number | null;
  /** What the agent becomes when the current call and its after-call work are over. */
  then: Target;
  /** The latest change and who made it. */
  last: AgentState['last'];
  skills: string[];
  /** The agent's own centre; another one while it works here after its phone failed over. */
  home: string;
  /** Phones registered at this centre's SIP server; null when the centre runs none. */
  phones: number | null;
}

export type CallCentreErrorKind = 'not_found' | 'forbidden' | 'conflict';

/** A refused request, with a message for the person who made it. */
export class CallCentreError extends Error {
  override readonly name = 'CallCentreError';
  constructor(
    readonly kind: CallCentreErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export interface SetStateRequest {
  state: 'ready' | 'not_ready' | 'signed_out';
  reason?: ChosenReason;
  /** Another agent (team leads force not_ready or sign-out); absent: the caller itself. */
  agent?: string;
  note?: string;
}

export interface WrapUpRequest {
  callId: string;
  code: string;
  note: string;
  /** An outbound call this centre has no record of: kept as a call of the agent who made it. */
  outbound?: { remote: string; startedAt: number; answeredAt: number | null; endedAt: number };
}

/** What subscribers (the SSE streams) hear: an agent's new state, or the team lead's snapshot. */
export type CentreUpdate = { type: 'state'; view: AgentStateView } | { type: 'snapshot'; snapshot: Snapshot };

export interface Subscriber {
  userId: string;
  /** Wants the snapshot (team leads). */
  lead: boolean;
  send(update: CentreUpdate): void;
  /** The centre is stopping. */
  end(): void;
}

export interface CallCentreOptions {
  routing: RoutingConfig;
  store: CallStore;
  log: Logger;
  /** Whether the twin can take overflow now; read on every tick. */
  twinStatus: () => TwinStatus;
  /** Phones the agent has registered at this centre's SIP server; absent when the centre runs no SIP server. */
  phones?: (agentId: string) => number;
  /**
   * Whether a caller's number belongs to a VIP customer (queues ahead); errors count as no. Asked only when no agent
   * of the call's group is ready (the flag matters only in the queue), so the usual call never waits for it.
   */
  isVip?: (caller: string) => Promise<boolean>;
  now?: () => number;
  tickMs?: number;
  /** Snapshot pushes to team leads are coalesced over this long. */
  snapshotEveryMs?: number;
}

interface Session {
  callId: string;
  /** The router has been told of the call. */
  arrived: boolean;
  /** Kamailio is waiting on /sip/route for this answer. */
  waiting: ((answer: RouteAnswer) => void) | null;
  /** An answer the router gave while Kamailio was not asking (the offered phone still ringing): the next ask gets it. */
  stash: RouteAnswer | null;
  touched: number;
}

/** Kamailio gives up on a phone a little before the router's offer runs out, so the phone is what rings out. */
const RING_MARGIN_MS = 1000;
/** Sessions nobody has touched for this long are forgotten (a call whose end Kamailio never reported). */
const SESSION_IDLE_MS = 4 * 3600_000;
const DECLINED = new Set([486, 600, 603]);

export class CallCentre {
  private readonly router: Router;
  /** Every agent's state, folded from the same events the router emits (for views and replay cuts). */
  private readonly states: Map<string, AgentState>;
  private readonly sessions = new Map<string, Session>();
  private readonly subscribers = new Set<Subscriber>();
  private readonly skills: Map<string, string[]>;
  private readonly compiled: CompiledConfig;
  private readonly now: () => number;
  private twin: TwinStatus;
  private timer: NodeJS.Timeout | null = null;
  private snapshotTimer: NodeJS.Timeout | null = null;
  private queued = false;
  private stopped = false;
  /** The last snapshot pushed had calls waiting (their waits grow: push again on the next tick). */
  private lastSnapshotWaiting = false;

  private constructor(
    private readonly o: CallCentreOptions,
    events: AgentEvent[],
  ) {
    this.now = o.now ?? Date.now;
    this.skills = new Map(o.routing.agents.map((a) => [a.id, a.skills]));
    this.compiled = compileConfig(o.routing);
    // Fold first, keeping only events that still apply (a bad row must not keep the hotline down), then restore.
    const states = new Map<string, AgentState>();
    const good: AgentEvent[] = [];
    for (const e of events) {
      try {
        states.set(e.agentId, applyAgentEvent(states.get(e.agentId) ?? initialAgentState(e.agentId, e.at), e));
        good.push(e);
      } catch (error) {
        o.log.warn({ event: e, err: (error as Error).message }, 'agent event skipped on replay');
      }
    }
    this.states = states;
    this.router = Router.restore(o.routing, good);
    this.twin = o.twinStatus();
    this.router.setTwin(this.twin);
  }

  /** Restores agent states from the store and starts nothing yet (see start). */
  static async open(o: CallCentreOptions): Promise<CallCentre> {
    const { events, bad } = await o.store.loadAgentEvents();
    for (const b of bad) o.log.warn(b, 'unreadable agent event skipped on replay');
    const centre = new CallCentre(o, events);
    const summary: Record<string, number> = {};
    for (const s of centre.states.values()) summary[s.status.state] = (summary[s.status.state] ?? 0) + 1;
    o.log.info(
      { events: events.length, agents: summary, groups: o.routing.groups.length, twin: centre.twin },
      'call routing restored',
    );
    return centre;
  }

  get centre(): string {
    return this.o.routing.centre;
  }

  /**
   * How long the centre may hold a call before answering Kamailio: the longest queue wait of any group, plus room
   * for the tick that overflows it and the ringing of a last offer. Kamailio's hold timer is set above it.
   */
  get decideTimeoutMs(): number {
    return Math.max(0, ...this.o.routing.groups.map((g) => g.maxWaitMs)) + 10_000;
  }

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.o.tickMs ?? 1000);
  }

  /** Stops the timers, refuses calls still waiting for an answer, ends the event streams, writes what is queued. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    this.timer = this.snapshotTimer = null;
    for (const s of this.sessions.values())
      s.waiting?.({ action: 'reject', code: 503, reason: 'Centre Shutting Down' });
    this.sessions.clear();
    for (const sub of this.subscribers) sub.end();
    this.subscribers.clear();
    await this.o.store.flush();
  }

  isAgent(userId: string): boolean {
    return this.skills.has(userId);
  }

  // ---- Kamailio ---------------------------------------------------------------------------------------------------

  /** Who takes a hotline call (createCentreSip's decide). */
  readonly decide: Decide = async (req, { signal }) => {
    const vip =
      !req.retry && this.o.isVip && this.mayQueue(req) ? await this.o.isVip(req.caller).catch(() => false) : false;
    if (signal.aborted) return { action: 'reject', code: 487, reason: 'Request Terminated' };
    const now = this.now();
    let s = this.sessions.get(req.callId);
    if (!s) {
      s = { callId: req.callId, arrived: false, waiting: null, stash: null, touched: now };
      this.sessions.set(req.callId, s);
    }
    const session = s;
    session.touched = now;
    return new Promise<RouteAnswer>((resolve) => {
      const waiter = (answer: RouteAnswer) => {
        signal.removeEventListener('abort', onAbort);
        resolve(answer);
      };
      const onAbort = () => {
        if (session.waiting !== waiter) return;
        // The caller hung up while waiting, or Kamailio stopped asking (timeout): the call leaves the router.
        session.waiting = null;
        this.log.info({ callId: req.callId }, 'caller gone while the call waited');
        this.endCall(req.callId, 'abandoned');
        resolve({ action: 'reject', code: 487, reason: 'Request Terminated' });
      };
      session.waiting = waiter;
      signal.addEventListener('abort', onAbort, { once: true });
      if (req.retry && req.failedUser) this.offerFailed(req.callId, req.failedUser, req.failedCode ?? 480);
      if (session.waiting !== waiter) return; // answered by the retry (the next agent, or the call's end)
      if (session.stash) {
        const answer = session.stash;
        session.stash = null;
        this.deliver(session, answer, answer.action !== 'agent');
      } else if (!session.arrived) {
        session.arrived = true;
        void this.o.store
          .callArrived({
            callId: req.callId,
            caller: req.caller,
            dialled: req.dialled,
            digit: req.digit,
            fromTwin: req.fromTwin,
            at: now,
          })
          .catch((err: unknown) => this.log.error({ err, callId: req.callId }, 'call not stored'));
        this.run('callArrived', () => this.router.callArrived(callOf(req, vip), now));
      }
      // else: the router holds the call in its queue; the answer comes with the decision that takes it out.
    });
  };

  /** No agent of the call's skill group is ready now: the call may have to queue. */
  private mayQueue(req: RouteRequest): boolean {
    const { group } = bindGroup(this.compiled, callOf(req, false));
    for (const [agentId, s] of this.states)
      if (s.status.state === 'ready' && this.skills.get(agentId)?.includes(group)) return false;
    return true;
  }

  /** Kamailio's events (createCentreSip's onEvent), after the registrations were counted. */
  onSipEvent(e: SipEvent): void {
    const now = this.now();
    switch (e.event) {
      case 'registration':
        this.publishAgent(e.user);
        return;
      case 'answered': {
        if (!e.user) return; // a call relayed to the twin: the twin's router has it
        const st = this.states.get(e.user)?.status;
        if (st?.state === 'ringing' && st.callId === e.callId) {
          this.run('callAnswered', () => this.router.callAnswered(e.callId, now));
          this.store('answered', this.o.store.callAnswered(e.callId, e.user, now));
        } else if (!(st?.state === 'on_call' && st.callId === e.callId)) {
          // The phone was answered after the router had moved on (the agent left `ringing` and answered anyway):
          // the caller is served, so the router forgets the call; an agent it was offered to meanwhile goes back to
          // ready without losing its place.
          this.log.warn({ callId: e.callId, agentId: e.user, state: st }, 'answered by an agent not offered the call');
          this.run('callEnded', () => this.router.callEnded(e.callId, 'abandoned', now));
          this.store('answered', this.o.store.callAnswered(e.callId, e.user, now));
          this.sessions.delete(e.callId);
        }
        return;
      }
      case 'bye':
        this.endCall(e.callId, 'completed');
        return;
      case 'cancel':
        this.endCall(e.callId, 'abandoned');
        return;
      case 'failed':
        // Kamailio gave up on the call (no agent answered after its tries, or the route failed): it ends here.
        if (e.user) this.offerFailed(e.callId, e.user, e.code ?? 480);
        this.endCall(e.callId, 'abandoned', 'failed');
        return;
    }
  }

  /** The offered phone of `agentId` failed with `code`: missed (or declined); the call goes back to the queue front. */
  private offerFailed(callId: string, agentId: string, code: number): void {
    const st = this.states.get(agentId)?.status;
    if (st?.state !== 'ringing' || st.callId !== callId) return; // the router has moved on already
    const how: CallEnding = DECLINED.has(code) ? 'rejected' : 'unreachable';
    this.log.info({ callId, agentId, code, how }, 'offer failed at the phone');
    this.run('callEnded', () => this.router.callEnded(callId, how, this.now()));
  }

  /** The call ends at the router and in the store, and its session is forgotten. */
  private endCall(callId: string, how: 'completed' | 'abandoned', record: 'completed' | 'abandoned' | 'failed' = how) {
    const now = this.now();
    this.run('callEnded', () => this.router.callEnded(callId, how, now));
    this.store('ended', this.o.store.callEnded(callId, record, now));
    const s = this.sessions.get(callId);
    if (s) {
      s.waiting?.({ action: 'reject', code: 487, reason: 'Request Terminated' });
      this.sessions.delete(callId);
    }
  }

  // ---- agents -----------------------------------------------------------------------------------------------------

  /** An agent's state; `agentId` must be an agent of this centre's routing. */
  agentState(agentId: string): AgentStateView {
    if (!this.isAgent(agentId))
      throw new CallCentreError('not_found', `${agentId} is not an agent of the ${this.centre} centre's call routing`);
    return this.view(agentId);
  }

  /** A person changes an agent's state (its own, or a team lead forcing one); resolves once it is stored. */
  async setAgentState(p: Principal, r: SetStateRequest): Promise<AgentStateView> {
    const agentId = r.agent ?? p.userId;
    const by = actorOf(p);
    const target: Target = r.state === 'not_ready' ? { to: 'not_ready', reason: r.reason ?? 'other' } : { to: r.state };
    const event: AgentEvent = {
      type: 'set_state',
      agentId,
      at: this.now(),
      by,
      target,
      ...(r.note ? { note: r.note } : {}),
    };
    const problem = permissionProblem(event);
    if (problem) throw new CallCentreError('forbidden', problem);
    if (!this.isAgent(agentId))
      throw new CallCentreError('not_found', `${agentId} is not an agent of the ${this.centre} centre's call routing`);
    if (target.to === 'ready' && this.o.phones && this.o.phones(agentId) === 0)
      throw new CallCentreError(
        'conflict',
        `${agentId} has no phone registered at the ${this.centre} SIP server: register the softphone before going ready`,
      );
    let out: RouterOutput;
    try {
      out = this.router.agentEvent(event, event.at);
    } catch (error) {
      if (error instanceof AgentStateError)
        throw new CallCentreError(error.code === 'forbidden' ? 'forbidden' : 'conflict', error.message);
      if (error instanceof RoutingError)
        throw new CallCentreError(error.code === 'unknown_agent' ? 'not_found' : 'forbidden', error.message);
      throw error;
    }
    await this.apply(out);
    return this.view(agentId);
  }

  /** The wrap-up code and note of a call, kept with the call: by the agent who took it, or a team lead. */
  async wrapUp(p: Principal, r: WrapUpRequest): Promise<CallRecord> {
    let call = await this.o.store.getCall(r.callId);
    if (!call && r.outbound) {
      if (!this.isAgent(p.userId))
        throw new CallCentreError(
          'not_found',
          `${p.userId} is not an agent of the ${this.centre} centre's call routing`,
        );
      await this.o.store.outboundCall({ callId: r.callId, agentId: p.userId, ...r.outbound });
      call = await this.o.store.getCall(r.callId);
    }
    if (!call) throw new CallCentreError('not_found', `no call ${r.callId} at the ${this.centre} centre`);
    const lead = LEAD_ROLES.includes(p.role);
    if (!lead && call.agentId !== p.userId)
      throw new CallCentreError('forbidden', 'only the agent who took the call (or a team lead) may wrap it up');
    if (call.answeredAt === null && call.decision !== 'outbound')
      throw new CallCentreError('conflict', `call ${r.callId} was never answered`);
    const wrapUp = { code: r.code, note: r.note, by: p.userId, at: this.now() };
    await this.o.store.setWrapUp(r.callId, wrapUp);
    this.log.info({ callId: r.callId, agentId: call.agentId, wrapUp }, 'call wrapped up');
    // The agent's own wrap-up is the after-call work done: it ends now, into what the agent chose for after the call
    // (a team lead's wrap-up for someone else leaves the agent's timer alone).
    const st = this.states.get(p.userId)?.status;
    if (p.userId === call.agentId && st?.state === 'after_call_work' && st.callId === call.callId) {
      const then = this.states.get(p.userId)!.then;
      await this.setAgentState(p, {
        state: then.to,
        ...(then.to === 'not_ready' ? { reason: then.reason } : {}),
        note: 'wrap-up done',
      }).catch((err: unknown) => this.log.warn({ err, callId: r.callId }, 'after-call work not ended by the wrap-up'));
    }
    return { ...call, wrapUp };
  }

  snapshot(): Snapshot {
    return this.router.snapshot(this.now());
  }

  /** The latest calls, newest first (only `agentId`'s when given). */
  recentCalls(o: { limit: number; agentId?: string }): Promise<CallRecord[]> {
    return this.o.store.recentCalls(o);
  }

  subscribe(sub: Subscriber): () => void {
    this.subscribers.add(sub);
    return () => this.subscribers.delete(sub);
  }

  // ---- the router's output ----------------------------------------------------------------------------------------

  /** Runs one router call; a refusal from the router (an event that does not fit) is logged, never thrown at Kamailio. */
  private run(what: string, step: () => RouterOutput): void {
    let out: RouterOutput;
    try {
      out = step();
    } catch (error) {
      this.log.warn({ err: (error as Error).message, step: what }, 'router refused a step');
      return;
    }
    void this.apply(out).catch(() => undefined);
  }

  /** Persists and logs the agent events, hands the decisions to the waiting calls; resolves once events are stored. */
  private apply(out: RouterOutput): Promise<void> {
    const rows: { event: AgentEvent; signedOut: boolean }[] = [];
    const changed = new Set<string>();
    for (const e of out.events) {
      const before = this.states.get(e.agentId) ?? initialAgentState(e.agentId, e.at);
      let after: AgentState;
      try {
        after = applyAgentEvent(before, e);
      } catch (error) {
        // Cannot happen while this fold and the router's see the same events; if it does, the router is right.
        this.log.error({ err: (error as Error).message, event: e }, 'agent state fold diverged from the router');
        after = this.router.agentStates().get(e.agentId) ?? before;
      }
      this.states.set(e.agentId, after);
      rows.push({ event: e, signedOut: after.status.state === 'signed_out' });
      changed.add(e.agentId);
      const text = agentChangeText(e, before, after);
      this.log.info(
        {
          agentId: e.agentId,
          event: e.type,
          from: before.status.state,
          to: after.status.state,
          ...(after.status.state === 'not_ready' ? { reason: after.status.reason } : {}),
          ...('callId' in e ? { callId: e.callId } : {}),
          by: e.by,
          zh: text.zh,
          en: text.en,
        },
        'agent state',
      );
    }
    for (const d of out.decisions) this.onDecision(d);
    for (const id of changed) this.publishAgent(id);
    if (out.events.length > 0 || out.decisions.length > 0) this.snapshotChanged();
    if (rows.length === 0) return Promise.resolve();
    const stored = this.o.store.appendAgentEvents(rows);
    this.store('agent events', stored);
    return stored;
  }

  private onDecision(d: Decision): void {
    this.log.info(
      {
        callId: d.callId,
        decision: d.kind,
        reason: d.reason,
        region: d.region,
        regionSource: d.regionSource,
        group: d.group,
        groupSource: d.groupSource,
        ...(d.kind === 'offer' ? { agentId: d.agentId, idleMs: d.idleMs, waitedMs: d.waitedMs } : {}),
        ...(d.kind === 'queue'
          ? { position: d.position, estimatedWaitMs: d.estimatedWaitMs, withdrawnFrom: d.withdrawnFrom }
          : {}),
        ...(d.kind === 'overflow' ? { to: d.to, waitedMs: d.waitedMs } : {}),
        ...(d.kind === 'reject' ? { sipCode: d.sipCode, noOverflow: d.noOverflow, waitedMs: d.waitedMs } : {}),
        zh: d.text.zh,
        en: d.text.en,
      },
      'call decision',
    );
    this.store('decision', this.o.store.decision(d));
    const s = this.sessions.get(d.callId);
    if (d.kind === 'queue') return; // the call waits (Kamailio's ask stays open, or the next ask will)
    if (!s) {
      this.log.warn({ callId: d.callId, decision: d.kind }, 'decision for a call the SIP server is not asking about');
      return;
    }
    if (d.kind === 'offer')
      this.deliver(
        s,
        {
          action: 'agent',
          user: d.agentId,
          ringMs: this.ringMs(d.agentId),
          group: d.group,
          region: d.region,
          waitedMs: d.waitedMs,
        },
        false,
      );
    else if (d.kind === 'overflow') this.deliver(s, { action: 'twin' }, true);
    else this.deliver(s, { action: 'reject', code: d.sipCode, reason: d.sipReason }, true);
  }

  /** Answers Kamailio's open ask, or keeps the answer for its next one; `final`: the router is done with the call. */
  private deliver(s: Session, answer: RouteAnswer, final: boolean): void {
    if (s.waiting) {
      const w = s.waiting;
      s.waiting = null;
      w(answer);
      if (final) this.sessions.delete(s.callId);
    } else {
      s.stash = answer;
    }
  }

  private ringMs(agentId: string): number | undefined {
    const st = this.states.get(agentId)?.status;
    if (st?.state !== 'ringing') return undefined;
    return Math.min(300_000, Math.max(1000, st.expiresAt - this.now() - RING_MARGIN_MS));
  }

  /** Runs the router's timers and reads the twin's status now; start() calls it every second. */
  tick(): void {
    if (this.stopped) return;
    const now = this.now();
    const twin = this.o.twinStatus();
    if (twin !== this.twin) {
      this.twin = twin;
      this.router.setTwin(twin);
      this.log.info({ twin }, `twin centre ${twin === 'up' ? 'can' : 'cannot'} take overflow`);
    }
    this.run('tick', () => this.router.tick(now));
    for (const s of this.sessions.values())
      if (!s.waiting && now - s.touched > SESSION_IDLE_MS) this.sessions.delete(s.callId);
    // Waits grow every second: team leads see them move while calls are queued.
    if (this.lastSnapshotWaiting) this.snapshotChanged();
  }

  // ---- pushes -----------------------------------------------------------------------------------------------------

  private publishAgent(agentId: string): void {
    if (!this.isAgent(agentId)) return;
    let view: AgentStateView | undefined;
    for (const sub of this.subscribers)
      if (sub.userId === agentId) sub.send({ type: 'state', view: (view ??= this.view(agentId)) });
    this.snapshotChanged();
  }

  /** Coalesces snapshot pushes to team leads. */
  private snapshotChanged(): void {
    if (this.queued || this.stopped) return;
    if (![...this.subscribers].some((s) => s.lead)) return;
    this.queued = true;
    this.snapshotTimer = setTimeout(() => {
      this.queued = false;
      this.snapshotTimer = null;
      const snapshot = this.snapshot();
      this.lastSnapshotWaiting = snapshot.groups.some((g) => g.waiting > 0);
      for (const sub of this.subscribers) if (sub.lead) sub.send({ type: 'snapshot', snapshot });
    }, this.o.snapshotEveryMs ?? 200);
  }

  private view(agentId: string): AgentStateView {
    const s = this.states.get(agentId) ?? initialAgentState(agentId);
    const st = s.status;
    return {
      agentId,
      centre: this.centre,
      state: st.state,
      ...(st.state === 'not_ready' ? { reason: st.reason } : {}),
      ...('callId' in st ? { callId: st.callId } : {}),
      ...(st.state === 'after_call_work' ? { until: st.until } : st.state === 'ringing' ? { until: st.expiresAt } : {}),
      since: s.since,
      readySince: s.readySince,
      then: s.then,
      last: s.last,
      skills: this.skills.get(agentId) ?? [],
      home: this.o.routing.agents.find((a) => a.id === agentId)?.home ?? this.centre,
      phones: this.o.phones ? this.o.phones(agentId) : null,
    };
  }

  private store(what: string, p: Promise<void>): void {
    p.catch((err: unknown) => this.log.error({ err, what }, 'call centre write failed'));
  }

  private get log(): Logger {
    return this.o.log;
  }
}

/**
 * isVip for CallCentreOptions: whether any customer in the directory with this number is a VIP. Gives up (no) after
 * `timeoutMs`, so a busy database (a customer import) never holds a call.
 */
export function vipLookup(directory: { byPhone(phone: string): Promise<{ vip: boolean }[]> }, timeoutMs = 100) {
  return async (caller: string): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([directory.byPhone(caller).then((cs) => cs.some((c) => c.vip)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The router's view of a hotline call. Menu digits: the first picks the service (skill group), a second the region. */
function callOf(req: RouteRequest, vip: boolean) {
  const [service, region] = [req.digit?.[0], req.digit?.[1]];
  return {
    id: req.callId,
    caller: req.caller,
    ...(service || region ? { menu: { ...(service ? { service } : {}), ...(region ? { region } : {}) } } : {}),
    ...(vip ? { vip } : {}),
    fromTwin: req.fromTwin,
  };
}

function actorOf(p: Principal): Actor {
  if (p.role === 'agent' || p.role === 'team_lead' || p.role === 'admin') return { role: p.role, userId: p.userId };
  throw new CallCentreError('forbidden', `a ${p.role} takes no calls and changes no agent's state`);
}
