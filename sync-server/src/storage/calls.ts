// The call centre's tables (migration 3 in schema.ts): agent state events (agent states are their fold; the centre
// replays them with Router.restore at start), one row per hotline call with its latest decision, times and wrap-up,
// and every routing decision with its reason. Writes are queued and group-committed in the order they were made, so
// what survives a crash is always a prefix of what the router did.
import type { AgentEvent, Decision } from '@twinline/routing';
import { AgentEventSchema } from '@twinline/routing';
import type { SqlDriver, SqlExecutor } from '@twinline/sql';

export interface CallArrival {
  callId: string;
  caller: string;
  dialled: string;
  digit?: string;
  fromTwin: boolean;
  at: number;
}

/** How a call ended here: answered and hung up, caller gone first, sent to the twin, refused, or SIP failure. */
export type CallEndingRecord = 'completed' | 'abandoned' | 'overflowed' | 'refused' | 'failed';

export interface WrapUp {
  code: string;
  note: string;
  by: string;
  at: number;
}

export interface CallRecord {
  callId: string;
  caller: string;
  dialled: string;
  digit: string | null;
  fromTwin: boolean;
  region: string | null;
  group: string | null;
  /** The latest decision: offer, queue, overflow or reject; `outbound` for a call the agent made. */
  decision: Decision['kind'] | 'outbound' | null;
  reason: string | null;
  sipCode: number | null;
  /** The agent offered the call last; once answered, the agent who took it. */
  agentId: string | null;
  offers: number;
  arrivedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  ending: CallEndingRecord | null;
  wrapUp: WrapUp | null;
}

export interface DecisionRecord {
  at: number;
  kind: Decision['kind'];
  reason: string;
  agentId: string | null;
  text: { zh: string; en: string };
}

interface CallRow {
  call_id: string;
  caller: string;
  dialled: string;
  digit: string | null;
  from_twin: number;
  region: string | null;
  skill_group: string | null;
  decision: Decision['kind'] | 'outbound' | null;
  reason: string | null;
  sip_code: number | null;
  agent_id: string | null;
  offers: number;
  arrived_at: number;
  answered_at: number | null;
  ended_at: number | null;
  ending: CallEndingRecord | null;
  wrapup_code: string | null;
  wrapup_note: string | null;
  wrapup_by: string | null;
  wrapup_at: number | null;
}

const record = (r: CallRow): CallRecord => ({
  callId: r.call_id,
  caller: r.caller,
  dialled: r.dialled,
  digit: r.digit,
  fromTwin: r.from_twin === 1,
  region: r.region,
  group: r.skill_group,
  decision: r.decision,
  reason: r.reason,
  sipCode: r.sip_code,
  agentId: r.agent_id,
  offers: r.offers,
  arrivedAt: r.arrived_at,
  answeredAt: r.answered_at,
  endedAt: r.ended_at,
  ending: r.ending,
  wrapUp:
    r.wrapup_code === null
      ? null
      : { code: r.wrapup_code, note: r.wrapup_note ?? '', by: r.wrapup_by ?? '', at: r.wrapup_at ?? 0 },
});

type Write = (tx: SqlExecutor) => Promise<void>;
interface Pending {
  write: Write;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Writes per transaction: bounds how long one group commit holds the write lock. */
const MAX_BATCH = 2000;

export class CallStore {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly db: SqlDriver) {}

  /**
   * The events to replay: per agent, those after its last event that left it signed out (what came before cannot
   * change its state), oldest first. Rows that no longer parse are returned in `bad` and left out.
   */
  async loadAgentEvents(): Promise<{ events: AgentEvent[]; bad: { seq: number; error: string }[] }> {
    const rows = await this.db.all<{ seq: number; json: string }>(
      `SELECT e.seq, e.json FROM agent_events e
       LEFT JOIN (SELECT agent_id, MAX(seq) AS cut FROM agent_events WHERE signed_out = 1 GROUP BY agent_id) c
         ON c.agent_id = e.agent_id
       WHERE e.seq > COALESCE(c.cut, 0)
       ORDER BY e.seq`,
    );
    const events: AgentEvent[] = [];
    const bad: { seq: number; error: string }[] = [];
    for (const r of rows) {
      let value: unknown;
      try {
        value = JSON.parse(r.json);
      } catch {
        bad.push({ seq: r.seq, error: 'not JSON' });
        continue;
      }
      const parsed = AgentEventSchema.safeParse(value);
      if (parsed.success) events.push(parsed.data);
      else
        bad.push({ seq: r.seq, error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    }
    return { events, bad };
  }

  /** Appends agent events in order; `signedOut`: the agent is signed out after the event. */
  appendAgentEvents(rows: readonly { event: AgentEvent; signedOut: boolean }[]): Promise<void> {
    return this.enqueue(async (tx) => {
      for (const { event: e, signedOut } of rows) {
        await tx.run('INSERT INTO agent_events (agent_id, type, at, signed_out, json) VALUES (?, ?, ?, ?, ?)', [
          e.agentId,
          e.type,
          e.at,
          signedOut ? 1 : 0,
          JSON.stringify(e),
        ]);
      }
    });
  }

  /** A new call (a repeated arrival of the same Call-ID keeps the first row). */
  callArrived(a: CallArrival): Promise<void> {
    return this.enqueue(async (tx) => {
      await tx.run(
        `INSERT OR IGNORE INTO calls (call_id, caller, dialled, digit, from_twin, arrived_at) VALUES (?, ?, ?, ?, ?, ?)`,
        [a.callId, a.caller, a.dialled, a.digit ?? null, a.fromTwin ? 1 : 0, a.at],
      );
    });
  }

  /** Keeps a routing decision and makes it the call's latest; overflow and refusal end the call here. */
  decision(d: Decision): Promise<void> {
    const agentId = d.kind === 'offer' ? d.agentId : null;
    const ending: CallEndingRecord | null =
      d.kind === 'overflow' ? 'overflowed' : d.kind === 'reject' ? 'refused' : null;
    return this.enqueue(async (tx) => {
      await tx.run(
        `INSERT INTO call_decisions (call_id, at, kind, reason, agent_id, text_zh, text_en, json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [d.callId, d.at, d.kind, d.reason, agentId, d.text.zh, d.text.en, JSON.stringify(d)],
      );
      await tx.run(
        `UPDATE calls SET decision = ?, reason = ?, region = ?, skill_group = ?,
           sip_code = COALESCE(?, sip_code),
           agent_id = COALESCE(?, agent_id),
           offers = offers + ?,
           ending = COALESCE(ending, ?),
           ended_at = CASE WHEN ? IS NOT NULL AND ended_at IS NULL THEN ? ELSE ended_at END
         WHERE call_id = ?`,
        [
          d.kind,
          d.reason,
          d.region,
          d.group,
          d.kind === 'reject' ? d.sipCode : null,
          agentId,
          agentId ? 1 : 0,
          ending,
          ending,
          d.at,
          d.callId,
        ],
      );
    });
  }

  callAnswered(callId: string, agentId: string, at: number): Promise<void> {
    return this.enqueue(async (tx) => {
      await tx.run('UPDATE calls SET answered_at = COALESCE(answered_at, ?), agent_id = ? WHERE call_id = ?', [
        at,
        agentId,
        callId,
      ]);
    });
  }

  /** The call ended (the first ending counts). */
  callEnded(callId: string, ending: CallEndingRecord, at: number): Promise<void> {
    return this.enqueue(async (tx) => {
      await tx.run('UPDATE calls SET ended_at = ?, ending = ? WHERE call_id = ? AND ended_at IS NULL', [
        at,
        ending,
        callId,
      ]);
    });
  }

  /** Stores the wrap-up (replacing an earlier one); false when the call is unknown. */
  /**
   * An outbound call an agent made (known from the agent's wrap-up; the SIP server does not route it): caller is the
   * agent, dialled the number, decision `outbound`; answered or not by the far end.
   */
  outboundCall(c: {
    callId: string;
    agentId: string;
    remote: string;
    startedAt: number;
    answeredAt: number | null;
    endedAt: number;
  }): Promise<void> {
    return this.enqueue(async (tx) => {
      await tx.run(
        `INSERT OR IGNORE INTO calls (call_id, caller, dialled, from_twin, decision, reason, agent_id, arrived_at,
           answered_at, ended_at, ending) VALUES (?, ?, ?, 0, 'outbound', 'dialled by the agent', ?, ?, ?, ?, ?)`,
        [
          c.callId,
          c.agentId,
          c.remote,
          c.agentId,
          c.startedAt,
          c.answeredAt,
          c.endedAt,
          c.answeredAt === null ? 'failed' : 'completed',
        ],
      );
    });
  }

  async setWrapUp(callId: string, w: WrapUp): Promise<boolean> {
    let changed = false;
    await this.enqueue(async (tx) => {
      const r = await tx.run(
        'UPDATE calls SET wrapup_code = ?, wrapup_note = ?, wrapup_by = ?, wrapup_at = ? WHERE call_id = ?',
        [w.code, w.note, w.by, w.at, callId],
      );
      changed = r.changes > 0;
    });
    return changed;
  }

  /** The call as stored, after every write queued before this call. */
  async getCall(callId: string): Promise<CallRecord | null> {
    await this.flush();
    const row = await this.db.get<CallRow>('SELECT * FROM calls WHERE call_id = ?', [callId]);
    return row ? record(row) : null;
  }

  /** The call's decisions, oldest first. */
  async decisions(callId: string): Promise<DecisionRecord[]> {
    await this.flush();
    const rows = await this.db.all<{
      at: number;
      kind: Decision['kind'];
      reason: string;
      agent_id: string | null;
      text_zh: string;
      text_en: string;
    }>('SELECT at, kind, reason, agent_id, text_zh, text_en FROM call_decisions WHERE call_id = ? ORDER BY seq', [
      callId,
    ]);
    return rows.map((r) => ({
      at: r.at,
      kind: r.kind,
      reason: r.reason,
      agentId: r.agent_id,
      text: { zh: r.text_zh, en: r.text_en },
    }));
  }

  /** Newest first; only `agentId`'s calls when given. */
  async recentCalls(o: { limit: number; agentId?: string }): Promise<CallRecord[]> {
    await this.flush();
    const rows = o.agentId
      ? await this.db.all<CallRow>('SELECT * FROM calls WHERE agent_id = ? ORDER BY arrived_at DESC, call_id LIMIT ?', [
          o.agentId,
          o.limit,
        ])
      : await this.db.all<CallRow>('SELECT * FROM calls ORDER BY arrived_at DESC, call_id LIMIT ?', [o.limit]);
    return rows.map(record);
  }

  /** Resolves once every write queued before the call has committed (or failed). */
  async flush(): Promise<void> {
    await this.last.catch(() => undefined);
  }

  private enqueue(write: Write): Promise<void> {
    const promise = new Promise<void>((resolve, reject) => this.queue.push({ write, resolve, reject }));
    this.last = promise;
    if (!this.flushing) this.flushing = this.flushLoop();
    return promise;
  }

  private async flushLoop(): Promise<void> {
    // Let the rest of this burst (one router step writes events, decisions and call rows) join the batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.db.transaction(async (tx) => {
          for (const p of batch) await p.write(tx);
        });
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.flushing = null;
  }
}
