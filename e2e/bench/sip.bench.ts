// The softphone through Kamailio on loopback, in Debian's Chromium (the real @twinline/softphone in the caller and
// bare agent pages, sip.js + WebRTC with the fake microphone), both centres running:
//  1. registration: connect() to "registered" (WebSocket, REGISTER, 401 challenge, REGISTER with the digest, 200);
//  2. a hotline call: the customer page's INVITE to the agent's phone ringing (Kamailio rings the caller, asks the
//     centre's router, relays), and to Established at the customer (the agent's phone answers at once: its
//     getUserMedia, ICE on loopback and the SDP answer included) — target < 300 ms — and to the first RTP packet;
//  3. failover: the home SIP server killed to the phone registered with the twin (one sample).
// Both pages note when each SIP message goes out or comes in, getUserMedia, the RTCPeerConnection steps and ICE
// gathering: the Established row's note gives the p95 of each part of a call. Environment: SIP_BENCH_STEPS=1 prints
// the slowest calls step by step and every part's p50/p95/max; SIP_BENCH_RUNS=n (default 100); SIP_BENCH_DIST=<dir>
// serves another build of the pages (to compare with an older softphone in the same conditions).
import type { Page } from 'playwright-core';
import type { BenchResult } from '../../scripts/bench';
import type { SoftphoneState } from '../../packages/softphone/src';
import { credentials, startSipTwins } from '../../sync-server/test/sip-centres';
import { CALLER_DIST, killSip, launchBrowser, makeReady, serveStatic } from '../stack';
import { pct } from '../../scripts/bench-kit';

// 100 calls: the p95 is the sixth slowest (with 20 it was the slowest, the first call after sign-in). About 45 s.
const RUNS = Number(process.env.SIP_BENCH_RUNS) || 100;

const round = (n: number) => Math.round(n * 10) / 10;

/** The pages' phones, as the bench drives them (packages/caller/src). */
interface BenchPhone {
  state: SoftphoneState;
  connect(c: unknown): Promise<SoftphoneState>;
  disconnect(): Promise<void>;
  dial(target: string): Promise<string>;
  answer(id: string): Promise<void>;
  hangup(id: string): Promise<void>;
  stats(id: string): Promise<{ inbound: { packetsReceived: number } } | null>;
  on(event: string, f: (...a: never[]) => void): () => void;
}
type BenchWindow = {
  twinlineAgent?: { phone: BenchPhone };
  twinlineCaller?: { phone: BenchPhone };
  invitesAt: number[];
  registeredAt: { centre: string; at: number }[];
};

/** A step on a page (wall-clock ms, sub-ms resolution): SIP messages on the WebSocket, media and WebRTC calls. */
interface Step {
  t: number;
  what: string;
}
type StepWindow = { twinlineSteps: Step[] };

/**
 * Records, in every page, when each SIP message goes out or comes in (first line and CSeq method), getUserMedia,
 * the RTCPeerConnection steps and ICE gathering: the breakdown of a call (SIP_BENCH_STEPS=1 prints it).
 */
function recordSteps(): void {
  const w = window as unknown as StepWindow;
  w.twinlineSteps = [];
  const now = () => performance.timeOrigin + performance.now();
  const mark = (what: string) => w.twinlineSteps.push({ t: now(), what });
  const sip = (data: unknown) => {
    if (typeof data !== 'string') return '?';
    const first = data.slice(0, data.indexOf('\r\n'));
    const method = /^CSeq: *\d+ (\w+)/im.exec(data)?.[1] ?? '';
    return first.startsWith('SIP/2.0') ? `${first.slice(8, 11)} ${method}` : first.split(' ')[0]!;
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data) {
    mark(`sent ${sip(data)}`);
    send.call(this, data);
  };
  const Ws = WebSocket;
  window.WebSocket = class extends Ws {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (e: MessageEvent) => mark(`recv ${sip(e.data)}`));
    }
  };
  const md = navigator.mediaDevices;
  const gum = md.getUserMedia.bind(md);
  md.getUserMedia = async (c) => {
    mark('getUserMedia');
    const s = await gum(c);
    mark('getUserMedia done');
    return s;
  };
  const proto = RTCPeerConnection.prototype as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const name of ['createOffer', 'createAnswer', 'setLocalDescription', 'setRemoteDescription']) {
    const f = proto[name]!;
    proto[name] = async function (this: RTCPeerConnection, ...a: unknown[]) {
      mark(name);
      const r = await f.apply(this, a);
      mark(`${name} done`);
      return r;
    };
  }
  const Pc = RTCPeerConnection;
  window.RTCPeerConnection = class extends Pc {
    constructor(c?: RTCConfiguration) {
      super(c);
      mark(`new RTCPeerConnection (${c?.iceServers?.length ?? 0} ICE servers)`);
      this.addEventListener('icecandidate', (e) =>
        mark(e.candidate ? `candidate ${e.candidate.protocol} ${e.candidate.type}` : 'candidate end'),
      );
      this.addEventListener('icegatheringstatechange', () => mark(`gathering ${this.iceGatheringState}`));
      this.addEventListener('connectionstatechange', () => mark(`connection ${this.connectionState}`));
    }
  };
}

// tsx names inner functions with its __name helper, which the page does not have.
const STEPS_SCRIPT = { content: `var __name = (f) => f; (${recordSteps.toString()})();` };

async function takeSteps(page: Page): Promise<Step[]> {
  return page.evaluate(() => {
    const w = window as unknown as StepWindow;
    const steps = w.twinlineSteps;
    w.twinlineSteps = [];
    return steps;
  });
}

async function waitFor(page: Page, check: () => boolean, what: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction(check, undefined, { timeout, polling: 20 }).catch(() => {
    throw new Error(`timed out waiting for ${what}`);
  });
}

/** The parts of a call on the critical path, each from the first step matching `from` to the first `to` after it. */
const PARTS: [string, RegExp, RegExp][] = [
  ['caller: peer connection made to INVITE sent', /^caller: new RTCPeerConnection/, /^caller: sent INVITE/],
  ['  caller getUserMedia', /^caller: getUserMedia$/, /^caller: getUserMedia done/],
  ['  caller SDP offer + ICE', /^caller: getUserMedia done/, /^caller: sent INVITE/],
  ['INVITE through Kamailio + the router', /^caller: sent INVITE/, /^agent: recv INVITE/],
  ['agent: INVITE in to 200 sent', /^agent: recv INVITE/, /^agent: sent 200 INVITE/],
  ['  agent: INVITE in to the incoming event', /^agent: recv INVITE/, /^agent: incoming/],
  ['  agent getUserMedia', /^agent: getUserMedia$/, /^agent: getUserMedia done/],
  ['  agent SDP answer + ICE', /^agent: setRemoteDescription$/, /^agent: sent 200 INVITE/],
  ['200 through Kamailio (its answered event)', /^agent: sent 200 INVITE/, /^caller: recv 200 INVITE/],
  ['caller: 200 in to ACK sent', /^caller: recv 200 INVITE/, /^caller: sent ACK/],
  ['  caller setRemoteDescription', /^caller: setRemoteDescription$/, /^caller: setRemoteDescription done/],
];

interface CallSample {
  established: number;
  steps: Step[];
}

function part(steps: Step[], from: RegExp, to: RegExp): number | null {
  const a = steps.find((s) => from.test(s.what));
  const b = a && steps.find((s) => s.t >= a.t && to.test(s.what));
  return a && b ? b.t - a.t : null;
}

/** A part's percentile over the calls, rounded (ms). */
function partFigure(calls: CallSample[], name: string, p: number): number {
  const [, from, to] = PARTS.find(([n]) => n.trim() === name)!;
  return Math.round(
    pct(
      calls.map((c) => part(c.steps, from, to)).filter((x): x is number => x !== null),
      p,
    ),
  );
}

/** Prints the slowest 5 % of calls step by step (ms from the dial), and each part's p50 / p95 / max. */
function printSteps(calls: CallSample[]): void {
  const sorted = calls.map((c, i) => ({ ...c, i })).sort((a, b) => a.established - b.established);
  const slowest = sorted.slice(-Math.max(1, Math.ceil(calls.length / 20)));
  for (const c of slowest) {
    const t0 = c.steps[0]?.t ?? 0;
    console.error(`call ${c.i}: Established after ${round(c.established)} ms`);
    for (const s of c.steps)
      if (!/OPTIONS|BYE|candidate tcp/.test(s.what))
        console.error(
          `${round(s.t - t0)
            .toFixed(1)
            .padStart(9)}  ${s.what}`,
        );
  }
  console.table(
    PARTS.map(([name, from, to]) => {
      const xs = calls.map((c) => part(c.steps, from, to)).filter((x): x is number => x !== null);
      return {
        part: name,
        p50: round(pct(xs, 50)),
        p95: round(pct(xs, 95)),
        max: round(Math.max(...xs)),
        'slowest calls': slowest.map((c) => round(part(c.steps, from, to) ?? NaN)).join(' '),
      };
    }),
  );
}

export default async function run(): Promise<BenchResult[]> {
  const [sip, web, browser] = await Promise.all([
    startSipTwins({ logLevel: 'info' }),
    serveStatic(process.env.SIP_BENCH_DIST ?? CALLER_DIST), // another build of the pages, to compare
    launchBrowser(),
  ]);
  try {
    const agent = await browser.newPage();
    await agent.addInitScript(STEPS_SCRIPT);
    await agent.goto(`${web.url}agent.html`);
    const creds = await credentials(sip.xiamen.centre, 'agent1.xm');

    // 1. Registration.
    const register: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await agent.evaluate(async (c) => {
        const phone = (window as unknown as BenchWindow).twinlineAgent!.phone;
        await phone.disconnect();
        const t0 = performance.now();
        const s = await phone.connect(c);
        return { ms: performance.now() - t0, registration: s.registration, error: s.lastError };
      }, creds);
      if (r.registration !== 'registered') throw new Error(`registration ${i}: ${r.registration} ${r.error}`);
      register.push(r.ms);
    }
    // The agent's phone answers every call at once, and notes when each INVITE arrived.
    await agent.evaluate(() => {
      const w = window as unknown as BenchWindow;
      const phone = w.twinlineAgent!.phone;
      w.invitesAt = [];
      w.registeredAt = [];
      phone.on('incoming', (c: { id: string }) => {
        w.invitesAt.push(Date.now());
        (w as unknown as StepWindow).twinlineSteps.push({
          t: performance.timeOrigin + performance.now(),
          what: 'incoming',
        });
        void phone.answer(c.id);
      });
      phone.on('registration', (r: string, server: { centre: string } | null) => {
        if (r === 'registered' && server) w.registeredAt.push({ centre: server.centre, at: Date.now() });
      });
    });

    // 2. Hotline calls from a Xiamen number to Xiamen's SIP server.
    const caller = await browser.newPage();
    await caller.addInitScript(STEPS_SCRIPT);
    await caller.goto(`${web.url}index.html?ws=${encodeURIComponent(sip.xiamen.ws)}&number=05922123456`);
    await waitFor(
      caller,
      () => (window as unknown as BenchWindow).twinlineCaller!.phone.state.registration === 'registered',
      'the caller',
    );
    const toRinging: number[] = [];
    const toEstablished: number[] = [];
    const toFirstPacket: number[] = [];
    const calls: CallSample[] = [];
    for (let i = 0; i < RUNS; i++) {
      await makeReady(sip.xiamen.centre, 'agent1.xm'); // ends the last call's after-call work; not timed
      await Promise.all([takeSteps(caller), takeSteps(agent)]);
      const r = await caller.evaluate(async () => {
        const phone = (window as unknown as BenchWindow).twinlineCaller!.phone;
        const wall = Date.now();
        const t0 = performance.now();
        const id = await phone.dial('95598');
        await new Promise<void>((resolve, reject) => {
          const off = phone.on('call', (c: { id: string; status: string; endReason: string | null }) => {
            if (c.id !== id) return;
            if (c.status === 'active') {
              off();
              resolve();
            }
            if (c.status === 'ended') {
              off();
              reject(new Error(`call ended: ${c.endReason}`));
            }
          });
        });
        const established = performance.now() - t0;
        for (;;) {
          const s = await phone.stats(id);
          if (s && s.inbound.packetsReceived > 0) break;
          await new Promise((r) => setTimeout(r, 10));
        }
        const firstPacket = performance.now() - t0;
        await phone.hangup(id);
        return { wall, established, firstPacket };
      });
      const invitedAt = await agent.evaluate(() => (window as unknown as BenchWindow).invitesAt.at(-1)!);
      toRinging.push(invitedAt - r.wall);
      toEstablished.push(r.established);
      toFirstPacket.push(r.firstPacket);
      const [cs, as] = await Promise.all([takeSteps(caller), takeSteps(agent)]);
      const steps = [
        ...cs.map((s) => ({ ...s, what: `caller: ${s.what}` })),
        ...as.map((s) => ({ ...s, what: `agent: ${s.what}` })),
      ];
      calls.push({ established: r.established, steps: steps.sort((a, b) => a.t - b.t) });
      await waitFor(
        agent,
        () => (window as unknown as BenchWindow).twinlineAgent!.phone.state.calls.every((c) => c.status === 'ended'),
        'the agent to see the hang-up',
      );
    }

    if (process.env.SIP_BENCH_STEPS) printSteps(calls);

    // 3. The home SIP server dies; the agent's phone moves to the twin.
    const killedAt = Date.now();
    killSip(sip.xiamen.centre);
    await waitFor(
      agent,
      () => (window as unknown as BenchWindow).registeredAt.some((r) => r.centre === 'fuzhou'),
      'failover',
    );
    const failover =
      (await agent.evaluate(
        () => (window as unknown as BenchWindow).registeredAt.find((r) => r.centre === 'fuzhou')!.at,
      )) - killedAt;

    const row = (name: string, xs: number[], p: number, target?: number): BenchResult => ({
      name: `${name}, p${p}`,
      value: round(pct(xs, p)),
      unit: 'ms',
      ...(target ? { target: `< ${target} ms`, met: pct(xs, p) < target } : {}),
    });
    return [
      row('softphone registration (WebSocket, REGISTER, digest challenge, 200) through Kamailio', register, 50),
      row('softphone registration through Kamailio', register, 95),
      row("hotline INVITE from the caller page to the agent's phone ringing (router included)", toRinging, 50),
      {
        ...row("hotline INVITE to the agent's phone ringing", toRinging, 95),
        note: `from dial(), the caller's microphone, SDP offer and ICE first; the INVITE on the wire to the agent: p50 ${partFigure(calls, 'INVITE through Kamailio + the router', 50)}, p95 ${partFigure(calls, 'INVITE through Kamailio + the router', 95)} ms`,
      },
      row(
        'hotline INVITE to Established at the caller (agent answers at once; WebRTC on loopback)',
        toEstablished,
        50,
        300,
      ),
      {
        ...row('hotline INVITE to Established at the caller', toEstablished, 95, 300),
        note:
          `${RUNS} calls, the first after sign-in included (${round(toEstablished[0]!)} ms); Chromium with fake media, ` +
          `both centres on one machine. p95 of the parts: caller to INVITE ${partFigure(calls, 'caller: peer connection made to INVITE sent', 95)}, ` +
          `INVITE through Kamailio ${partFigure(calls, 'INVITE through Kamailio + the router', 95)}, ` +
          `agent to 200 ${partFigure(calls, 'agent: INVITE in to 200 sent', 95)}, ` +
          `200 through Kamailio ${partFigure(calls, '200 through Kamailio (its answered event)', 95)}, ` +
          `caller to ACK ${partFigure(calls, 'caller: 200 in to ACK sent', 95)} ms`,
      },
      row('hotline INVITE to the first RTP packet at the caller', toFirstPacket, 95),
      {
        name: 'home SIP server killed to the softphone registered with the twin',
        value: failover,
        unit: 'ms',
        target: '< 5000 ms',
        met: failover < 5000,
        note: 'one sample',
      },
    ];
  } finally {
    await browser.close().catch(() => undefined);
    await web.close();
    await sip.stop();
  }
}
