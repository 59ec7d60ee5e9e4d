// One sentence in zh-CN and English for each agent state change, for the log and the team lead's view. (Routing
// decisions carry their own sentence from the router.)
import type { AgentEvent, AgentState, AgentStatus, AgentStateName, NotReadyReason } from '@twinline/routing';

type Text = { zh: string; en: string };

const STATES: Record<AgentStateName, Text> = {
  signed_out: { zh: '签出', en: 'signed out' },
  ready: { zh: '就绪', en: 'ready' },
  not_ready: { zh: '未就绪', en: 'not ready' },
  after_call_work: { zh: '话后处理', en: 'after-call work' },
  ringing: { zh: '振铃', en: 'ringing' },
  on_call: { zh: '通话中', en: 'on a call' },
};

export const NOT_READY_TEXT: Record<NotReadyReason, Text> = {
  break: { zh: '小休', en: 'break' },
  meal: { zh: '用餐', en: 'meal' },
  training: { zh: '培训', en: 'training' },
  meeting: { zh: '会议', en: 'meeting' },
  other: { zh: '其他', en: 'other' },
  missed: { zh: '未接来电', en: 'missed a call' },
};

function statusText(s: AgentStatus): Text {
  const name = STATES[s.state];
  if (s.state !== 'not_ready') return name;
  const r = NOT_READY_TEXT[s.reason];
  return { zh: `${name.zh}（${r.zh}）`, en: `${name.en} (${r.en})` };
}

function cause(e: AgentEvent): Text {
  switch (e.type) {
    case 'set_state': {
      const who = e.by.userId ?? e.by.role;
      if (e.by.role === 'agent') return { zh: '本人设置', en: 'set by the agent' };
      if (e.by.role === 'team_lead') return { zh: `班长 ${who} 强制`, en: `forced by team lead ${who}` };
      return { zh: `管理员 ${who} 强制`, en: `forced by admin ${who}` };
    }
    case 'offer':
      return { zh: `来电 ${e.callId} 分配振铃`, en: `call ${e.callId} offered` };
    case 'answer':
      return { zh: `接听来电 ${e.callId}`, en: `answered call ${e.callId}` };
    case 'withdraw':
      return e.outcome === 'abandoned'
        ? { zh: `来电 ${e.callId} 振铃中主叫挂机`, en: `the caller of ${e.callId} hung up while it rang` }
        : e.outcome === 'rejected'
          ? { zh: `拒接来电 ${e.callId}`, en: `declined call ${e.callId}` }
          : {
              zh: `来电 ${e.callId} 未接听${e.note ? `（${e.note}）` : ''}`,
              en: `did not answer call ${e.callId}${e.note ? ` (${e.note})` : ''}`,
            };
    case 'hangup':
      return { zh: `来电 ${e.callId} 结束`, en: `call ${e.callId} ended` };
    case 'acw_end':
      return { zh: '话后处理时间到', en: 'after-call work time is up' };
  }
}

/** "坐席 agent.xm：就绪 → 未就绪（小休）（本人设置）" / "agent agent.xm: ready → not ready (break) (set by the agent)". */
export function agentChangeText(e: AgentEvent, before: AgentState, after: AgentState): Text {
  const c = cause(e);
  const from = statusText(before.status);
  const to = statusText(after.status);
  if (before.status.state === after.status.state && e.type === 'set_state' && after.status.state === 'on_call') {
    const then =
      after.then.to === 'not_ready'
        ? statusText({ state: 'not_ready', reason: after.then.reason })
        : STATES[after.then.to];
    return {
      zh: `坐席 ${e.agentId}：通话结束后转为${then.zh}（${c.zh}）`,
      en: `agent ${e.agentId}: ${then.en} after the call (${c.en})`,
    };
  }
  return {
    zh: `坐席 ${e.agentId}：${from.zh} → ${to.zh}（${c.zh}）`,
    en: `agent ${e.agentId}: ${from.en} → ${to.en} (${c.en})`,
  };
}
