// Hotline call set-up through a centre's Kamailio and its router: the trunk's INVITE to the agent's phone receiving
// it (Kamailio rings the caller, asks the centre over HTTP from an async worker, the router picks the agent, Kamailio
// relays), the INVITE to the caller's 200, and the centre's own time to decide (/sip/route, from its log).
import { eventually, login } from '../test/harness';
import { UdpTrunk, header } from '../test/sip-client';
import { TestAgent, api, routeAnswers, startSipTwins } from '../test/sip-centres';
import type { BenchResult } from '../../scripts/bench';
import { pct, round } from '../../scripts/bench-kit';

const CALLS = 200;

export default async function run(): Promise<BenchResult[]> {
  const { fuzhou, stop } = await startSipTwins({ logLevel: 'info' });
  const trunk = await UdpTrunk.open();
  const agent = await TestAgent.signIn(fuzhou, 'agent.fz');
  try {
    const phone = await agent.register();
    const toAgent: number[] = [];
    const toAnswer: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < CALLS; i++) {
      // Ready again (ends the after-call work of the last call); not timed.
      const r = await api(fuzhou.centre, '/api/agent/state', { token: agent.token, body: { state: 'ready' } });
      if (r.status !== 200) throw new Error(`ready: ${r.status} ${JSON.stringify(r.body)}`);
      const t0 = performance.now();
      const call = trunk.call(fuzhou.udp, { caller: `0591${String(20000000 + i)}`, dialled: '95598*1' });
      await phone.inbox.wait((m) => m.method === 'INVITE' && header(m, 'call-id') === call.callId, 'INVITE');
      toAgent.push(performance.now() - t0);
      const final = await call.final;
      toAnswer.push(performance.now() - t0);
      if (final.status !== 200) throw new Error(`call ${i}: ${final.status} ${final.reason}`);
      ids.push(call.callId);
      await call.hangup();
    }
    const wanted = new Set(ids);
    const logged = () => routeAnswers(fuzhou.centre).filter((r) => wanted.has(r.callId)).length;
    await eventually(() => logged() >= CALLS, 'every decision logged');
    const decide = routeAnswers(fuzhou.centre)
      .filter((r) => wanted.has(r.callId))
      .map((r) => r.ms);
    const lead = await login(fuzhou.centre, 'lead.fz');
    const recent = await api(fuzhou.centre, `/api/calls/recent?limit=${CALLS}`, { token: lead });
    const stored = (recent.body.calls as { callId: string }[]).filter((c) => wanted.has(c.callId)).length;
    return [
      {
        name: 'hotline INVITE to the agent phone, via the centre router (HTTP hop), p50',
        value: round(pct(toAgent, 50)),
        unit: 'ms',
      },
      {
        name: 'hotline INVITE to the agent phone, via the centre router (HTTP hop), p99',
        value: round(pct(toAgent, 99)),
        unit: 'ms',
      },
      {
        name: 'hotline INVITE to 200 OK at the caller, p95',
        value: round(pct(toAnswer, 95)),
        unit: 'ms',
        target: '< 300 ms',
        met: pct(toAnswer, 95) < 300,
      },
      {
        name: "centre's /sip/route decision (request in to answer out), p50",
        value: round(pct(decide, 50)),
        unit: 'ms',
      },
      {
        name: "centre's /sip/route decision, p99",
        value: round(pct(decide, 99)),
        unit: 'ms',
        target: '< 5 ms',
        met: pct(decide, 99) < 5,
        note: `${decide.length} of ${CALLS} calls logged, ${stored} stored in the calls table`,
      },
    ];
  } finally {
    agent.close();
    trunk.close();
    await stop();
  }
}
