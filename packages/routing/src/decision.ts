// What the router decides for a call, with a machine-readable reason, the SIP answer for refusals, and one sentence in
// zh-CN and English for the log and the team lead's view.
import { z } from 'zod';
import type { AgentEvent } from './agent';
import type { GroupSource, RegionSource } from './config';

const digit = z.string().regex(/^[0-9]$/);

/** A hotline call as the centre hands it to the router (validate at the HTTP boundary with this schema). */
export const CallSchema = z.object({
  /** Unique per call (the SIP Call-ID, or Kamailio's own id). */
  id: z.string().min(1).max(256),
  /** The caller's number as received: national, +86 or 0086 forms. */
  caller: z.string().max(64),
  /** Digits pressed in the menu: `region` (asked when the number binds none) and `service` (the skill group). */
  menu: z.object({ region: digit.optional(), service: digit.optional() }).optional(),
  /** The region of the access point the call came in on, when known. */
  trunkRegion: z.string().max(64).optional(),
  /** A skill group asked for directly (a transfer to a group). */
  group: z.string().max(64).optional(),
  /** From the customer record: VIP callers queue ahead of others (never ahead of a call put back after a miss). */
  vip: z.boolean().optional(),
  /** Overflowed here by the twin centre: never sent back. */
  fromTwin: z.boolean().optional(),
});
export type Call = z.infer<typeof CallSchema>;

export const CALL_ENDINGS = ['completed', 'abandoned', 'rejected', 'unreachable'] as const;
/**
 * How a call ended or an offer failed: `completed` (hung up after it was answered), `abandoned` (the caller hung up
 * before an agent answered), `rejected` (the agent declined the offer), `unreachable` (the agent's phone could not be
 * reached). The last two put the call back at the front of its queue and the agent in not_ready(missed).
 */
export type CallEnding = (typeof CALL_ENDINGS)[number];

/** The state of the twin centre as this centre last knew it. */
export type TwinStatus = 'up' | 'down' | 'full';

export type ReasonCode =
  /** offer: the ready agent of the group idle longest. */
  | 'longest_idle'
  /** queue: no agent of the group is ready. */
  | 'queued'
  /** queue: the call is back at the front after its offer was missed, declined or withdrawn. */
  | 'requeued'
  /** overflow: the twin normally serves the call's region and is up. */
  | 'home_centre'
  /** overflow, or refusal 480: nobody of the group is signed in. */
  | 'no_agent_signed_in'
  /** overflow, or refusal 486: the group's queue is full. */
  | 'queue_full'
  /** overflow, or refusal 486: the call waited the group's longest wait. */
  | 'max_wait'
  /** refusal 503: the region's calls in progress reached its limit. */
  | 'region_limit';

/** Why a call that would overflow is refused instead. */
export type NoOverflow = 'from_twin' | 'twin_down' | 'twin_full';

interface Common {
  callId: string;
  at: number;
  region: string;
  regionSource: RegionSource;
  group: string;
  groupSource: GroupSource;
  text: { zh: string; en: string };
}

export type Decision =
  | (Common & { kind: 'offer'; reason: 'longest_idle'; agentId: string; idleMs: number; waitedMs: number })
  | (Common & {
      kind: 'queue';
      reason: 'queued' | 'requeued';
      position: number;
      /** Rough: position x the group's mean handling time / agents staffing the group; null with nobody staffing. */
      estimatedWaitMs: number | null;
      /** The agent whose offer failed, for `requeued`: the centre cancels the ringing to that agent. */
      withdrawnFrom?: string;
    })
  | (Common & {
      kind: 'overflow';
      reason: 'home_centre' | 'no_agent_signed_in' | 'queue_full' | 'max_wait';
      to: string;
      waitedMs: number;
    })
  | (Common & {
      kind: 'reject';
      reason: 'no_agent_signed_in' | 'queue_full' | 'max_wait' | 'region_limit';
      sipCode: 480 | 486 | 503;
      sipReason: string;
      noOverflow?: NoOverflow;
      waitedMs: number;
    });
export type DecisionKind = Decision['kind'];

/** What one call into the router produced: routing decisions, and agent events to persist (in this order). */
export interface RouterOutput {
  decisions: Decision[];
  events: AgentEvent[];
}

// ---- sentences ------------------------------------------------------------------------------------------------------

type Names = { zh: string; en: string };

const REGION_SOURCE: Record<RegionSource, Names> = {
  area_code: { zh: '按区号', en: 'by area code' },
  menu: { zh: '按按键选择', en: 'by menu digit' },
  mobile_prefix: { zh: '按手机号段', en: 'by mobile segment' },
  trunk: { zh: '按接入点', en: 'by access point' },
  default: { zh: '默认地区', en: 'default region' },
};
const NO_OVERFLOW: Record<NoOverflow, Names> = {
  from_twin: { zh: '来电本由对端中心溢出而来，不再转回', en: 'the call came from the twin, so it is not sent back' },
  twin_down: { zh: '对端中心不可用', en: 'the twin centre is down' },
  twin_full: { zh: '对端中心已满', en: 'the twin centre is full' },
};

const secs = (ms: number) => Math.round(ms / 1000);

export interface Parts {
  region: Names;
  group: Names;
  twin: string;
}

/** The sentence for a decision (names of the region, group and twin looked up by the router). */
export function explain(d: Omit<Decision, 'text'> & { kind: DecisionKind }, p: Parts): { zh: string; en: string } {
  const head = {
    zh: `来电 ${d.callId}（${p.region.zh}，${REGION_SOURCE[d.regionSource].zh}；${p.group.zh}）`,
    en: `call ${d.callId} (${p.region.en}, ${REGION_SOURCE[d.regionSource].en}; ${p.group.en})`,
  };
  const why = (r: ReasonCode): Names => {
    switch (r) {
      case 'home_centre':
        return { zh: `该地区由对端中心 ${p.twin} 服务`, en: `the region is served by the twin centre ${p.twin}` };
      case 'no_agent_signed_in':
        return { zh: `${p.group.zh}组无坐席签入`, en: `no agent of ${p.group.en} is signed in` };
      case 'queue_full':
        return { zh: `${p.group.zh}组队列已满`, en: `the ${p.group.en} queue is full` };
      case 'max_wait': {
        const waited = secs((d as { waitedMs?: number }).waitedMs ?? 0);
        return { zh: `已排队 ${waited} 秒，达到最长等待`, en: `waited ${waited} s, the longest wait` };
      }
      case 'region_limit':
        return {
          zh: `${p.region.zh}在途来电已达上限`,
          en: `${p.region.en} has reached its limit of calls in progress`,
        };
      default:
        return { zh: '', en: '' };
    }
  };
  switch (d.kind) {
    case 'offer': {
      const o = d as Extract<Decision, { kind: 'offer' }>;
      return {
        zh: `${head.zh}：分配给空闲最久的就绪坐席 ${o.agentId}（空闲 ${secs(o.idleMs)} 秒，已等待 ${secs(o.waitedMs)} 秒）`,
        en: `${head.en}: offered to ${o.agentId}, the ready agent idle longest (idle ${secs(o.idleMs)} s, waited ${secs(o.waitedMs)} s)`,
      };
    }
    case 'queue': {
      const q = d as Extract<Decision, { kind: 'queue' }>;
      const est = q.estimatedWaitMs === null ? null : secs(q.estimatedWaitMs);
      const first = q.withdrawnFrom
        ? {
            zh: `坐席 ${q.withdrawnFrom} 未接，回到队首；`,
            en: `not answered by ${q.withdrawnFrom}, back at the front; `,
          }
        : { zh: '无就绪坐席，', en: 'no ready agent, ' };
      return {
        zh: `${head.zh}：${first.zh}排队第 ${q.position} 位${est === null ? '' : `，预计等待 ${est} 秒`}`,
        en: `${head.en}: ${first.en}queued at position ${q.position}${est === null ? '' : `, estimated wait ${est} s`}`,
      };
    }
    case 'overflow': {
      const w = why(d.reason);
      return {
        zh: `${head.zh}：${w.zh}，溢出至对端中心 ${p.twin}`,
        en: `${head.en}: ${w.en}; overflowed to ${p.twin}`,
      };
    }
    case 'reject': {
      const r = d as Extract<Decision, { kind: 'reject' }>;
      const w = why(r.reason);
      const no = r.noOverflow ? NO_OVERFLOW[r.noOverflow] : undefined;
      return {
        zh: `${head.zh}：${w.zh}${no ? `，且${no.zh}` : ''}，拒绝（${r.sipCode}）`,
        en: `${head.en}: ${w.en}${no ? `, and ${no.en}` : ''}; refused with ${r.sipCode}`,
      };
    }
  }
}
